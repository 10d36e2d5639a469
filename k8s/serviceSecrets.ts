/**
 * A service's secrets in its pods (docs/services.md): values from Pulumi secret config go into one
 * Kubernetes Secret per service and reach the container through `secretKeyRef`, never as a plain
 * `value`; a Secrets Manager secret reaches it as `NAME_SECRET_ARN`, which the service resolves at
 * start with its IRSA role. Pure builders: the caller creates the Secret.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceSecretRef, ServiceSpec } from "../lib/contracts";
import { SECRET_ARN_ENV_SUFFIX } from "../lib/serviceContract";
import { podLabels } from "./serviceSpecs";

import Inputs = k8s.types.input;

/** What the builders read of a service: its spec and its `secrets`. */
export type SecretsSpec = ServiceSpec & { secrets: Record<string, ServiceSecretRef> };

/** Names of the secrets held in the service's Kubernetes Secret (from Pulumi config), sorted. */
export function configSecretNames(service: SecretsSpec): string[] {
    return Object.keys(service.secrets)
        .filter((k) => service.secrets[k].config !== undefined)
        .sort();
}

/**
 * The service's Secret: no `metadata.name`, so Pulumi auto-names it; a changed value replaces the
 * Secret (its data is immutable to the provider), the new name reaches the Deployment's `secretKeyRef`
 * and the pods roll onto the new value. `values` are secret Outputs (`config.requireSecret`).
 */
export function serviceSecretManifest(
    service: SecretsSpec,
    namespace: pulumi.Input<string>,
    values: Record<string, pulumi.Output<string>>,
): { metadata: Inputs.meta.v1.ObjectMeta; type: string; stringData: Record<string, pulumi.Input<string>> } {
    return {
        metadata: { namespace, labels: podLabels(service) },
        type: "Opaque",
        stringData: Object.fromEntries(configSecretNames(service).map((k) => [k, values[k]])),
    };
}

/** The container's env for its secrets: references into the Secret, and the ARN variables (an ARN is not a secret). */
export function secretEnvVars(service: SecretsSpec, secretName: pulumi.Input<string> | undefined): Inputs.core.v1.EnvVar[] {
    const fromSecret = configSecretNames(service).map((name) => {
        if (secretName === undefined) {
            throw new Error(`services[${service.name}].secrets.${name}: no Kubernetes Secret to reference`);
        }
        return { name, valueFrom: { secretKeyRef: { name: secretName, key: name } } };
    });
    const arns = Object.keys(service.secrets)
        .filter((k) => service.secrets[k].secretsManagerArn !== undefined)
        .sort()
        .map((k) => ({ name: `${k}${SECRET_ARN_ENV_SUFFIX}`, value: service.secrets[k].secretsManagerArn! }));
    return [...fromSecret, ...arns];
}
