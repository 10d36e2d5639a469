/**
 * The AWS side of a service's secrets (docs/services.md): the values of Pulumi secret config it names,
 * read as secret Outputs, and the IRSA statements that let its pods read exactly the Secrets Manager
 * secrets it names, nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import { ServiceConfig } from "../../lib/contracts";
import { PolicyDocument, PolicyStatement } from "../../lib/irsaRole";

/**
 * The values of the service's `secrets[].config` keys, as secret Outputs (`requireSecret`): they stay
 * encrypted in state and never appear in a plan or an output.
 */
export function configSecretValues(service: ServiceConfig): Record<string, pulumi.Output<string>> {
    const out: Record<string, pulumi.Output<string>> = {};
    for (const [name, ref] of Object.entries(service.secrets)) {
        if (ref.config !== undefined) {
            const i = ref.config.indexOf(":");
            out[name] = new pulumi.Config(ref.config.slice(0, i)).requireSecret(ref.config.slice(i + 1));
        }
    }
    return out;
}

/** The region of a Secrets Manager ARN (`arn:aws:secretsmanager:<region>:…`). */
function regionOf(arn: string): string {
    return arn.split(":")[3];
}

/**
 * GetSecretValue on exactly the service's secret ARNs; where a secret names its customer-managed key,
 * Decrypt with that key only through Secrets Manager and only for those secrets (Secrets Manager puts
 * the secret's ARN in the encryption context).
 */
export function secretsManagerStatements(service: ServiceConfig): PolicyStatement[] {
    const refs = Object.values(service.secrets).filter((r) => r.secretsManagerArn !== undefined);
    if (refs.length === 0) {
        return [];
    }
    const arns = [...new Set(refs.map((r) => r.secretsManagerArn!))].sort();
    const statements: PolicyStatement[] = [{ Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns }];
    const withKey = refs.filter((r) => r.kmsKeyArn !== undefined);
    if (withKey.length > 0) {
        statements.push({
            Sid: "DecryptOwnSecretsThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: [...new Set(withKey.map((r) => r.kmsKeyArn!))].sort(),
            Condition: {
                StringEquals: {
                    "kms:ViaService": [...new Set(withKey.map((r) => `secretsmanager.${regionOf(r.secretsManagerArn!)}.amazonaws.com`))].sort(),
                    "kms:EncryptionContext:SecretARN": [...new Set(withKey.map((r) => r.secretsManagerArn!))].sort(),
                },
            },
        });
    }
    return statements;
}

/** The service's IRSA policy plus its secrets' statements; undefined when it needs nothing. */
export function withSecretStatements(service: ServiceConfig, policy: PolicyDocument | undefined): PolicyDocument | undefined {
    const statements = [...(policy?.Statement ?? []), ...secretsManagerStatements(service)];
    return statements.length > 0 ? { Version: "2012-10-17", Statement: statements } : undefined;
}
