/**
 * Least privilege, measured: over both stacks, every IAM statement that allows
 * `Resource: "*"` or a wildcard action must carry a Sid justified in lib/iamJustifications.ts, on a
 * resource type the justification names, and be no broader than it says; every AWS managed policy
 * attached to a role must be listed too. A failure prints the offending statements.
 */
import { strict as assert } from "assert";
import { AWS_MANAGED_POLICIES, WILDCARD_STATEMENTS, WildcardJustification } from "../../lib/iamJustifications";
import { ProgramRun, RecordedResource, runProgram, stackNames } from "../../offline/harness";
import { awsManagedPolicies, broadness, FoundStatement, statementsOf } from "../../offline/iamStatements";

/** Why a broad statement is not covered, or undefined when it is (or is not broad). */
export function problemOf(found: FoundStatement, registry: Record<string, WildcardJustification> = WILDCARD_STATEMENTS): string | undefined {
    const { anyResource, wildcardActions } = broadness(found.statement);
    if (!anyResource && wildcardActions.length === 0) {
        return undefined;
    }
    const what = [anyResource ? 'Resource "*"' : "", wildcardActions.length ? `actions ${wildcardActions.join(", ")}` : ""].filter(Boolean).join(" and ");
    const where = `${found.resource.type} ${found.resource.name} (${found.field})`;
    if (!found.sid) {
        return `${where}: a statement without Sid allows ${what}; give it a Sid and justify it in lib/iamJustifications.ts`;
    }
    const j = registry[found.sid];
    if (!j) {
        return `${where}: statement ${found.sid} allows ${what} with no justification in lib/iamJustifications.ts (narrow it, or add why)`;
    }
    if (!j.on.includes(found.resource.type)) {
        return `${where}: statement ${found.sid} is justified only on ${j.on.join(", ")}`;
    }
    if (anyResource && !j.anyResource) {
        return `${where}: statement ${found.sid} allows Resource "*", which its justification does not cover`;
    }
    const extra = wildcardActions.filter((a) => !(j.wildcardActions ?? []).includes(a));
    if (extra.length > 0) {
        return `${where}: statement ${found.sid} allows ${extra.join(", ")}, beyond its justification (${(j.wildcardActions ?? []).join(", ") || "no wildcard action"})`;
    }
    return undefined;
}

/** One line per broad statement, for the failure message. */
function line(found: FoundStatement): string {
    const s = found.statement;
    const cut = (v: unknown) => {
        const t = JSON.stringify(v);
        return t.length > 100 ? `${t.slice(0, 97)}...` : t;
    };
    return `  ${found.resource.name} ${found.sid ?? "(no Sid)"}: ${cut(s.Action ?? s.NotAction)} on ${cut(s.Resource ?? s.NotResource)}`;
}

const runs: ProgramRun[] = [];
const usedSids = new Set<string>();
const usedManaged = new Set<string>();

for (const stack of stackNames()) {
    describe(`least privilege on stack ${stack}`, () => {
        let run: ProgramRun;
        let statements: FoundStatement[];
        before(async () => {
            run = await runProgram(stack);
            runs.push(run);
            statements = run.resources.flatMap(statementsOf);
        });

        it("finds the policy documents of roles, keys, buckets, topics and log delivery", () => {
            const types = new Set(statements.map((s) => s.resource.type));
            for (const t of ["aws:iam/rolePolicy:RolePolicy", "aws:kms/key:Key", "aws:s3/bucketPolicy:BucketPolicy", "aws:sns/topicPolicy:TopicPolicy"]) {
                assert.ok(types.has(t), `statements of ${t}`);
            }
            assert.ok(statements.every((s) => !s.field.endsWith("assumeRolePolicy")), "trust policies are left out");
        });

        it("justifies every statement that allows Resource \"*\" or a wildcard action", () => {
            const broad = statements.filter((s) => {
                const b = broadness(s.statement);
                return b.anyResource || b.wildcardActions.length > 0;
            });
            broad.forEach((s) => s.sid && usedSids.add(s.sid));
            const problems = [...new Set(broad.map((s) => problemOf(s)).filter((p): p is string => !!p))];
            assert.deepEqual(problems, [], `unjustified broad statements:\n${problems.join("\n")}\nall broad statements:\n${broad.map(line).join("\n")}`);
        });

        it("justifies every AWS managed policy attached to a role", () => {
            const attached = awsManagedPolicies(run.resources);
            attached.forEach((a) => usedManaged.add(a.arn));
            const missing = attached.filter((a) => !AWS_MANAGED_POLICIES[a.arn]).map((a) => `  ${a.resource.name}: ${a.arn}`);
            assert.deepEqual(missing, [], `AWS managed policies without a justification in lib/iamJustifications.ts:\n${missing.join("\n")}`);
        });
    });
}

describe("least privilege: the justification list", () => {
    it("has no stale entry: each Sid and managed policy is used by some stack", () => {
        assert.equal(runs.length, stackNames().length, "the stack suites ran first");
        assert.deepEqual(Object.keys(WILDCARD_STATEMENTS).filter((sid) => !usedSids.has(sid)), []);
        assert.deepEqual(Object.keys(AWS_MANAGED_POLICIES).filter((arn) => !usedManaged.has(arn)), []);
    });

    it("gives every entry a one-line reason and says what it allows", () => {
        for (const [sid, j] of Object.entries(WILDCARD_STATEMENTS)) {
            assert.ok(j.why.length > 20 && !j.why.includes("\n"), sid);
            assert.ok(j.anyResource || (j.wildcardActions ?? []).length > 0, `${sid} allows nothing broad: remove it`);
            assert.ok(j.on.length > 0, sid);
        }
    });
});

describe("least privilege: the check itself", () => {
    const res = (type: string, name = "x"): RecordedResource => ({ type, name, urn: `urn:${name}`, inputs: {} }) as unknown as RecordedResource;
    const found = (statement: Record<string, any>, type = "aws:iam/rolePolicy:RolePolicy"): FoundStatement => ({ resource: res(type), field: "policy", sid: statement.Sid, statement });

    it("reads statements from JSON strings anywhere in the inputs, and skips trust policies", () => {
        const r = res("aws:iam/role:Role");
        r.inputs = {
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "x" }, Action: "sts:AssumeRole" }] }),
            inlinePolicies: [{ name: "a", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }) }],
        };
        const s = statementsOf(r);
        assert.deepEqual(s.map((x) => [x.field, x.sid]), [["inlinePolicies.0.policy", "A"]]);
    });

    it("refuses s3:* on * without a Sid, an unknown Sid, a Sid used on another resource type, and a statement broader than its entry", () => {
        assert.match(problemOf(found({ Effect: "Allow", Action: "s3:*", Resource: "*" }))!, /without Sid allows Resource "\*" and actions s3:\*/);
        assert.match(problemOf(found({ Sid: "Nope", Effect: "Allow", Action: "ec2:Describe*", Resource: "arn:aws:ec2:::x" }))!, /no justification/);
        assert.match(problemOf(found({ Sid: "AccountAdministersThroughIam", Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }))!, /justified only on aws:kms\/key:Key/);
        assert.match(problemOf(found({ Sid: "UseTopicKey", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" }))!, /Resource "\*", which its justification does not cover/);
        assert.match(problemOf(found({ Sid: "DescribeScalingInputs", Effect: "Allow", Action: "autoscaling:*", Resource: "*" }))!, /allows autoscaling:\*, beyond its justification/);
        assert.match(problemOf(found({ Sid: "X", Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" }))!, /actions NotAction/);
    });

    it("lets narrow statements and denials pass without an entry", () => {
        assert.equal(problemOf(found({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" })), undefined);
        assert.equal(problemOf(found({ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })), undefined);
    });

    it("finds AWS managed policies by attachment and managedPolicyArns, not customer-managed ones", () => {
        const a = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a");
        a.inputs = { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" };
        const b = res("aws:iam/role:Role", "b");
        b.inputs = { managedPolicyArns: ["arn:aws:iam::123456789012:policy/mine", "arn:aws:iam::aws:policy/ReadOnlyAccess"] };
        assert.deepEqual(awsManagedPolicies([a, b]).map((x) => x.arn), ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    });
});
