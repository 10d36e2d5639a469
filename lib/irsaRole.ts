/**
 * An IAM role for one Kubernetes ServiceAccount (IRSA). Its trust policy names exactly
 * `system:serviceaccount:<namespace>:<name>` and the `sts.amazonaws.com` audience on this cluster's
 * OIDC issuer, so no other pod, namespace or cluster can assume it. Add-ons and workloads all use it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "./naming";
import { trustPolicy } from "./servicePolicy";

/** An IAM policy document, as plain data; `Resource` may hold Outputs (ARNs of this stack). */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource: pulumi.Input<string> | pulumi.Input<string>[];
    Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/** A cluster's IAM OIDC provider, which its IRSA roles trust. */
export interface ClusterOidc {
    /** ARN of the IAM OIDC provider. */
    providerArn: pulumi.Input<string>;
    /** Issuer host and path, without `https://` (e.g. `oidc.eks.eu-west-3.amazonaws.com/id/ABC`). */
    issuer: pulumi.Input<string>;
}

export interface IrsaRoleArgs {
    oidc: ClusterOidc;
    /** Namespace of the ServiceAccount. */
    namespace: string;
    /** Name of the ServiceAccount. */
    serviceAccount: string;
    /** Inline policy of the role: only what this ServiceAccount needs. Optional when only managed policies apply. */
    policy?: PolicyDocument;
    /** AWS-managed policy ARNs to attach (e.g. the EBS CSI driver's); prefer `policy`. */
    managedPolicyArns?: pulumi.Input<string>[];
    /** Stack name, for the physical role name. */
    stack: string;
}

/** The trust policy of an IRSA role, as JSON. Pure, so tests check it without mocks. */
export function irsaTrustPolicy(oidcProviderArn: string, oidcIssuer: string, namespace: string, serviceAccount: string): string {
    const issuer = oidcIssuer.replace(/^https:\/\//, "");
    return trustPolicy({ Federated: oidcProviderArn }, "sts:AssumeRoleWithWebIdentity", {
        StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
        },
    });
}

/** Serialises a policy document whose resources may be Outputs. */
export function policyJson(doc: PolicyDocument): pulumi.Output<string> {
    return pulumi.jsonStringify(pulumi.output(doc as pulumi.Input<PolicyDocument>));
}

export class IrsaRole extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:iam:IrsaRole";

    readonly role: aws.iam.Role;
    readonly roleArn: pulumi.Output<string>;
    readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: IrsaRoleArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(IrsaRole.__pulumiType, name, {}, opts);
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: physicalName(args.stack, `${args.namespace}-${args.serviceAccount}`, "iamRole"),
                description: `IRSA role of ServiceAccount ${args.namespace}/${args.serviceAccount}`,
                assumeRolePolicy: pulumi
                    .all([args.oidc.providerArn, args.oidc.issuer])
                    .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, args.namespace, args.serviceAccount)),
                maxSessionDuration: 3600,
            },
            { parent: this },
        );
        const grants: pulumi.CustomResource[] = [];
        if (args.policy) {
            grants.push(new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.id, policy: policyJson(args.policy) }, { parent: this }));
        }
        (args.managedPolicyArns ?? []).forEach((policyArn, i) => {
            grants.push(new aws.iam.RolePolicyAttachment(`${name}-managed-${i}`, { role: this.role.name, policyArn }, { parent: this }));
        });
        // The ARN is handed out only once the permissions are attached: a ServiceAccount annotated with
        // it (and its pods) then never starts on a role that cannot do its job yet.
        this.roleArn = pulumi.all([this.role.arn, ...grants.map((g) => g.urn)]).apply(([arn]) => arn);
        this.roleName = this.role.name;
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
    }
}
