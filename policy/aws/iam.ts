/** IAM and KMS controls (FSBP IAM.1, IAM.21, KMS.1, KMS.2, KMS.5) and the program's own no-wildcard-action rule. */
import { asArray, Res, resourcePolicy, statementsOf } from "../framework";

const POLICY = "aws:iam/policy:Policy";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE = "aws:iam/role:Role";

/** Identity-policy documents a resource carries (customer-managed, inline, and a role's inline policies). */
export function identityDocuments(r: Res): unknown[] {
    if (r.type === POLICY || r.type === ROLE_POLICY) {
        return [r.props.policy];
    }
    if (r.type === ROLE) {
        return asArray(r.props.inlinePolicies).map((p: any) => p.policy);
    }
    return [];
}

const allows = (doc: unknown) => statementsOf(doc).filter((s) => s.Effect === "Allow");
const actions = (s: any) => asArray(s.Action ?? s.NotAction).map(String);
const resources = (s: any) => asArray(s.Resource).map(String);

export function decryptsEverything(doc: unknown): boolean {
    return allows(doc).some(
        (s) => resources(s).includes("*") && actions(s).some((a) => a === "*" || a === "kms:*" || /^kms:(Decrypt|ReEncrypt\*|ReEncryptFrom|De\*|Re\*)$/.test(a)),
    );
}

/** `*`, `service:*` and partial patterns that cover a whole service (`s3:*`). Prefix wildcards (`ec2:Describe*`) are fine. */
export function wildcardActions(doc: unknown): string[] {
    return allows(doc).flatMap((s) => actions(s).filter((a) => a === "*" || /^[a-z0-9-]+:\*$/.test(a)));
}

export const iamPolicies = [
    resourcePolicy(
        {
            name: "iam-1-no-full-admin",
            control: "IAM.1",
            description: "IAM policies should not allow full \"*\" administrative privileges",
            severity: "high",
            judge: "S",
            appliesTo: [POLICY],
            remediation: "grant named actions on named resources.",
        },
        (r) => (allows(r.props.policy).some((s) => actions(s).includes("*") && resources(s).includes("*")) ? `Policy ${r.name} allows * on *.` : undefined),
    ),
    resourcePolicy(
        {
            name: "iam-21-no-service-wildcards",
            control: "IAM.21",
            description: "IAM customer managed policies that you create should not allow wildcard actions for services",
            severity: "low",
            judge: "S",
            appliesTo: [POLICY],
            remediation: "list the service's actions instead of service:*.",
        },
        (r) => wildcardActions(r.props.policy).map((a) => `Policy ${r.name} allows ${a}.`),
    ),
    resourcePolicy(
        {
            name: "kms-1-no-decrypt-all-managed",
            control: "KMS.1",
            description: "IAM customer managed policies should not allow decryption actions on all KMS keys",
            severity: "medium",
            judge: "S",
            appliesTo: [POLICY],
            remediation: "scope kms:Decrypt and kms:ReEncryptFrom to key ARNs.",
        },
        (r) => (decryptsEverything(r.props.policy) ? `Policy ${r.name} decrypts with every KMS key.` : undefined),
    ),
    resourcePolicy(
        {
            name: "kms-2-no-decrypt-all-inline",
            control: "KMS.2",
            description: "IAM principals should not have IAM inline policies that allow decryption actions on all KMS keys",
            severity: "medium",
            judge: "S",
            appliesTo: [ROLE_POLICY, ROLE],
            remediation: "scope kms:Decrypt and kms:ReEncryptFrom to key ARNs.",
        },
        (r) => (identityDocuments(r).some(decryptsEverything) ? `${r.name} has an inline policy that decrypts with every KMS key.` : undefined),
    ),
    resourcePolicy(
        {
            name: "kms-5-no-public-key-policy",
            control: "KMS.5",
            description: "KMS keys should not be publicly accessible",
            severity: "critical",
            judge: "S",
            appliesTo: ["aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"],
            remediation: "grant key use to the account root, named roles or service principals with fixed conditions.",
        },
        (r) => {
            const open = allows(r.props.policy).find((s) => (s.Principal === "*" || asArray(s.Principal?.AWS).includes("*")) && !s.Condition);
            return open ? `Key policy of ${r.name} allows everyone.` : undefined;
        },
    ),
    resourcePolicy(
        {
            name: "kms-4-key-rotation",
            control: "KMS.4",
            description: "AWS KMS key rotation should be enabled (related control, enforced by this program)",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:kms/key:Key"],
            remediation: "set enableKeyRotation true.",
        },
        ({ props, name }) =>
            props.customerMasterKeySpec && props.customerMasterKeySpec !== "SYMMETRIC_DEFAULT"
                ? undefined
                : props.enableKeyRotation === true
                  ? undefined
                  : `KMS key ${name} does not rotate.`,
    ),
    resourcePolicy(
        {
            name: "program-no-wildcard-iam-actions",
            description: "No identity policy of the program allows `*` or a whole service (`svc:*`): least privilege is a promise of the architecture",
            severity: "high",
            judge: "program",
            appliesTo: [POLICY, ROLE_POLICY, ROLE],
            remediation: "list the actions the workload needs.",
        },
        (r) => identityDocuments(r).flatMap(wildcardActions).map((a) => `${r.name} allows ${a}.`),
    ),
];
