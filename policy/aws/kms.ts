/**
 * KMS grants: a grant carries none of the key policy's conditions, so a key policy
 * that lets principals call `kms:CreateGrant` directly lets them grant themselves Decrypt and bypass a
 * `kms:ViaService` restriction. Every key policy statement that allows CreateGrant (or a wildcard that
 * covers it: `*`, `kms:*`, `kms:Create*`, `kms:C*`, …) must require `kms:GrantIsForAWSResource` true,
 * unless it is one of the two narrow forms this rule accepts, below.
 */
import { asArray, resourcePolicy, statementsOf } from "../framework";

/**
 * Sid of the EKS exception (lib/kms.ts `CREATE_CLUSTER_GRANT_SID`; the pack does not import the program):
 * EKS CreateCluster with envelope encryption needs a plain CreateGrant for the principal calling it.
 */
export const CREATE_CLUSTER_GRANT_SID = "DeployerCreatesEksClusterGrant";

/** Does an action pattern (`kms:Create*`, `*`) cover `kms:CreateGrant`? IAM matches case-insensitively. */
export function coversCreateGrant(pattern: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    return re.test("kms:CreateGrant");
}

const isTrue = (v: unknown) => asArray(v).length > 0 && asArray(v).every((x) => String(x).toLowerCase() === "true");

/** `Bool: { "kms:GrantIsForAWSResource": "true" }` (condition keys are case-insensitive). */
function requiresAwsResource(condition: any): boolean {
    const bool = condition?.Bool ?? {};
    return Object.entries(bool).some(([k, v]) => k.toLowerCase() === "kms:grantisforawsresource" && isTrue(v));
}

/** A statement for AWS service principals only, tied to one account or resource (`aws:SourceAccount` / `aws:SourceArn`). */
function serviceOnlyForThisAccount(s: any): boolean {
    const p = s.Principal;
    if (!p || typeof p !== "object" || p.AWS !== undefined || p.Federated !== undefined || p.Service === undefined) {
        return false;
    }
    const keys = Object.values(s.Condition ?? {}).flatMap((c: any) => Object.keys(c ?? {}).map((k) => k.toLowerCase()));
    return keys.includes("aws:sourceaccount") || keys.includes("aws:sourcearn");
}

/** The EKS exception: its Sid, named IAM roles or users only (no root, no `*`), and only CreateGrant and DescribeKey. */
function eksCreateClusterException(s: any): boolean {
    const principals = asArray(s.Principal?.AWS).map(String);
    const actions = asArray(s.Action).map(String);
    return (
        s.Sid === CREATE_CLUSTER_GRANT_SID &&
        Object.keys(s.Principal ?? {}).length === 1 &&
        principals.length > 0 &&
        principals.every((a) => /^arn:[^:]+:iam::\d{12}:(role|user)\/.+/.test(a)) &&
        actions.every((a) => a === "kms:CreateGrant" || a === "kms:DescribeKey")
    );
}

/** Why each statement of a key policy lets someone create grants that are not for AWS resources. */
export function ungatedGrantProblems(policy: unknown): string[] {
    return statementsOf(policy)
        .filter((s) => s.Effect === "Allow" && s.NotAction === undefined && asArray(s.Action).map(String).some(coversCreateGrant))
        .filter((s) => !requiresAwsResource(s.Condition) && !serviceOnlyForThisAccount(s) && !eksCreateClusterException(s))
        .map((s) => `statement ${s.Sid ?? "(no Sid)"} allows kms:CreateGrant (${asArray(s.Action).filter((a: string) => coversCreateGrant(a)).join(", ")}) to ${JSON.stringify(s.Principal)} without kms:GrantIsForAWSResource`)
        .concat(
            // NotAction with Allow grants everything not listed, CreateGrant included unless it is listed.
            statementsOf(policy)
                .filter((s) => s.Effect === "Allow" && s.NotAction !== undefined && !asArray(s.NotAction).map(String).some(coversCreateGrant) && !requiresAwsResource(s.Condition))
                .map((s) => `statement ${s.Sid ?? "(no Sid)"} allows everything but ${JSON.stringify(s.NotAction)}, kms:CreateGrant included`),
        );
}

export const kmsPolicies = [
    resourcePolicy(
        {
            name: "program-kms-grants-for-aws-resources-only",
            description:
                "No key policy lets a principal call kms:CreateGrant directly (a grant would bypass the key's kms:ViaService conditions): only with kms:GrantIsForAWSResource, to a service principal of this account, or the EKS CreateCluster exception",
            severity: "high",
            judge: "program",
            appliesTo: ["aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"],
            remediation: "list administration actions without kms:CreateGrant (lib/kms.ts) and add grantsForAwsResourcesStatement for services that need grants.",
        },
        (r) => ungatedGrantProblems(r.props.policy).map((p) => `Key policy of ${r.name}: ${p}.`),
    ),
];
