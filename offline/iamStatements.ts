/**
 * Every IAM policy statement a program run records, wherever it sits in a resource's inputs (role
 * inline policies, RolePolicy, customer-managed Policy, bucket, key, topic and log resource policies,
 * IRSA policies), and the AWS managed policies attached to roles. Trust policies (`assumeRolePolicy`)
 * say who may assume a role, not what it may do, and are left out. Used by tests/iam/.
 */
import type { RecordedResource } from "./harness";

export interface FoundStatement {
    resource: RecordedResource;
    /** Where in the inputs, e.g. `policy` or `inlinePolicies.0.policy`. */
    field: string;
    sid?: string;
    statement: Record<string, any>;
}

/** Input fields holding trust policies. */
const TRUST_FIELDS = new Set(["assumeRolePolicy"]);

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function parsePolicy(v: string): { Statement?: unknown } | undefined {
    if (!v.includes("Statement")) {
        return undefined;
    }
    try {
        const doc = JSON.parse(v);
        return doc && typeof doc === "object" && "Statement" in doc ? doc : undefined;
    } catch {
        return undefined;
    }
}

/** The statements of every policy document in a resource's inputs (JSON strings or objects). */
export function statementsOf(r: RecordedResource): FoundStatement[] {
    const out: FoundStatement[] = [];
    const visit = (v: unknown, path: string[]) => {
        if (TRUST_FIELDS.has(path[path.length - 1])) {
            return;
        }
        const doc = typeof v === "string" ? parsePolicy(v) : v && typeof v === "object" && !Array.isArray(v) && "Statement" in v && "Version" in v ? (v as { Statement: unknown }) : undefined;
        if (doc) {
            for (const s of asArray(doc.Statement) as Array<Record<string, any>>) {
                out.push({ resource: r, field: path.join("."), sid: typeof s.Sid === "string" && s.Sid ? s.Sid : undefined, statement: s });
            }
            return;
        }
        if (Array.isArray(v)) {
            v.forEach((x, i) => visit(x, [...path, String(i)]));
        } else if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) {
                visit(x, [...path, k]);
            }
        }
    };
    visit(r.inputs, []);
    return out;
}

/** What makes an Allow statement broad: `Resource: "*"` (or NotResource), wildcard actions (or NotAction). */
export function broadness(s: Record<string, any>): { anyResource: boolean; wildcardActions: string[] } {
    if (s.Effect !== "Allow") {
        return { anyResource: false, wildcardActions: [] };
    }
    const anyResource = s.NotResource !== undefined || asArray(s.Resource).some((x) => x === "*");
    const wildcardActions = [...asArray(s.Action).map(String).filter((a) => a.includes("*")), ...(s.NotAction !== undefined ? ["NotAction"] : [])];
    return { anyResource, wildcardActions };
}

/** AWS managed policies (`arn:<partition>:iam::aws:policy/...`) attached to roles, by attachment or `managedPolicyArns`. */
export function awsManagedPolicies(resources: RecordedResource[]): Array<{ resource: RecordedResource; arn: string }> {
    const out: Array<{ resource: RecordedResource; arn: string }> = [];
    for (const r of resources) {
        const arns = [
            ...(r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" || r.type === "aws:iam/policyAttachment:PolicyAttachment" ? [r.inputs.policyArn] : []),
            ...(r.type === "aws:iam/role:Role" ? asArray(r.inputs.managedPolicyArns) : []),
            ...(r.type === "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive" ? asArray(r.inputs.policyArns) : []),
        ];
        for (const arn of arns) {
            if (typeof arn === "string" && /^arn:[a-z-]+:iam::aws:policy\//.test(arn)) {
                out.push({ resource: r, arn });
            }
        }
    }
    return out;
}
