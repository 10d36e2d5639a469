/**
 * KMS grants, over every customer-managed key of both stacks, from the key policies
 * the program run registers: the account's administration has no CreateGrant; who may create grants on
 * each key, and under which condition, is exactly what that key's use needs.
 */
import { strict as assert } from "assert";
import { CREATE_CLUSTER_GRANT_SID as PROGRAM_SID, KEY_ADMINISTRATION_ACTIONS } from "../../lib/kms";
import { ACCOUNT_ID } from "../../offline/mocks";
import { ProgramRun, runProgram, stackNames } from "../../offline/harness";
import { coversCreateGrant, CREATE_CLUSTER_GRANT_SID, ungatedGrantProblems } from "../../policy/aws/kms";

const asArray = (v: unknown): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const ROOT = `arn:aws:iam::${ACCOUNT_ID}:root`;

/** Who may create grants on a key, as `principal | condition` lines (sorted), for exact comparison. */
function grantHolders(policy: string): string[] {
    return JSON.parse(policy)
        .Statement.filter((s: any) => s.Effect === "Allow" && asArray(s.Action).some(coversCreateGrant))
        .map((s: any) => `${JSON.stringify(s.Principal)} | ${JSON.stringify(s.Condition ?? {})}`)
        .sort();
}

/** Who may decrypt with a key, as `principal | condition` lines (sorted). */
function decryptHolders(policy: string): string[] {
    return JSON.parse(policy)
        .Statement.filter((s: any) => s.Effect === "Allow" && asArray(s.Action).some((a: string) => ["kms:Decrypt", "kms:*", "*"].includes(a)))
        .map((s: any) => `${JSON.stringify(s.Principal)} | ${JSON.stringify(s.Condition ?? {})}`)
        .sort();
}

/** The key users (Decrypt) each key must have: the account through IAM, plus the services that use the key. */
function expectedDecrypters(keyName: string, region: string): string[] {
    const account = `{"AWS":"${ROOT}"} | {}`;
    switch (keyName) {
        case "cluster-secrets-key":
        case "images-key":
            return [account];
        case "data-key":
            // Only through DocumentDB and ElastiCache: no principal decrypts the data key directly.
            return [`{"AWS":"${ROOT}"} | ${JSON.stringify({ StringEquals: { "kms:CallerAccount": ACCOUNT_ID, "kms:ViaService": [`rds.${region}.amazonaws.com`, `elasticache.${region}.amazonaws.com`] } })}`];
        case "recommendations-key":
            return [account, `{"Service":"personalize.amazonaws.com"} | ${JSON.stringify({ StringEquals: { "aws:SourceAccount": ACCOUNT_ID } })}`].sort();
        case "monitoring-alerts-key":
            return [account, `{"Service":["cloudwatch.amazonaws.com","budgets.amazonaws.com"]} | {}`].sort();
        case "monitoring-alerts-us-east-1-key":
            return [account, `{"Service":["cloudwatch.amazonaws.com"]} | {}`].sort();
        default:
            throw new Error(`key ${keyName} has no expected users in this test: say who uses it`);
    }
}

const forAwsResources = (via: string[]) => `{"AWS":"${ROOT}"} | ${JSON.stringify({ Bool: { "kms:GrantIsForAWSResource": "true" }, StringEquals: { "kms:CallerAccount": ACCOUNT_ID, "kms:ViaService": via } })}`;

/** The grant holders each key must have, by logical name (a new key fails until it is listed here). */
function expectedHolders(keyName: string, region: string): string[] {
    switch (keyName) {
        case "cluster-secrets-key":
            // The offline caller is an IAM user; getSessionContext passes a non-role ARN through.
            return [`{"AWS":"arn:aws:iam::${ACCOUNT_ID}:user/offline"} | {}`];
        case "data-key":
            return [forAwsResources([`rds.${region}.amazonaws.com`, `elasticache.${region}.amazonaws.com`])];
        case "images-key":
            return [forAwsResources([`ecr.${region}.amazonaws.com`])];
        case "recommendations-key":
            return [`{"Service":"personalize.amazonaws.com"} | ${JSON.stringify({ StringEquals: { "aws:SourceAccount": ACCOUNT_ID } })}`];
        case "monitoring-alerts-key":
        case "monitoring-alerts-us-east-1-key":
            // SNS encrypts without grants.
            return [];
        default:
            throw new Error(`key ${keyName} has no expected grant holders in this test: say who needs grants on it`);
    }
}

describe("KMS: administration without CreateGrant", () => {
    it("lists administration actions one by one, without CreateGrant or any wildcard", () => {
        assert.ok(!KEY_ADMINISTRATION_ACTIONS.some((a) => a.includes("*")));
        assert.ok(!KEY_ADMINISTRATION_ACTIONS.some(coversCreateGrant), "kms:CreateGrant is not an administration action");
    });

    it("recognises the EKS exception by the Sid the program uses", () => {
        assert.equal(CREATE_CLUSTER_GRANT_SID, PROGRAM_SID);
    });

    it("fails the shapes that only look like the accepted ones", () => {
        const pol = (...Statement: any[]) => JSON.stringify({ Version: "2012-10-17", Statement });
        const base = { Effect: "Allow", Resource: "*" };
        // The EKS Sid on the account root (everyone in the account) is not the exception.
        assert.equal(ungatedGrantProblems(pol({ ...base, Sid: CREATE_CLUSTER_GRANT_SID, Principal: { AWS: ROOT }, Action: ["kms:CreateGrant"] })).length, 1);
        // Nor is it with a decrypting action beside the grant.
        assert.equal(ungatedGrantProblems(pol({ ...base, Sid: CREATE_CLUSTER_GRANT_SID, Principal: { AWS: "arn:aws:iam::1:role/d" }, Action: ["kms:CreateGrant", "kms:Decrypt"] })).length, 1);
        // A service principal not bound to an account or resource.
        assert.equal(ungatedGrantProblems(pol({ ...base, Principal: { Service: "personalize.amazonaws.com" }, Action: "kms:CreateGrant" })).length, 1);
        // NotAction that does not exclude CreateGrant grants it.
        assert.equal(ungatedGrantProblems(pol({ ...base, Principal: { AWS: ROOT }, NotAction: ["kms:Decrypt"] })).length, 1);
        // A false condition value is no condition.
        assert.equal(ungatedGrantProblems(pol({ ...base, Principal: { AWS: ROOT }, Action: "kms:*", Condition: { Bool: { "kms:GrantIsForAWSResource": "false" } } })).length, 1);
        assert.deepEqual(ungatedGrantProblems(pol({ ...base, Principal: { AWS: ROOT }, Action: "kms:*", Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } })), []);
    });

    it("sees CreateGrant behind wildcards", () => {
        assert.deepEqual(["*", "kms:*", "kms:Create*", "KMS:creategrant", "kms:C*Grant", "kms:CreateGrant"].filter((a) => !coversCreateGrant(a)), []);
        assert.deepEqual(["kms:Describe*", "kms:CreateAlias", "s3:*"].filter(coversCreateGrant), []);
    });
});

for (const stack of stackNames()) {
    describe(`KMS key policies on stack ${stack}`, () => {
        let run: ProgramRun;
        let keys: Array<{ name: string; policy: string }>;
        before(async () => {
            run = await runProgram(stack);
            keys = run.resources.filter((r) => r.type === "aws:kms/key:Key").map((r) => ({ name: r.name, policy: r.inputs.policy }));
        });

        it("has customer-managed keys, each with a policy", () => {
            assert.ok(keys.length >= 5, `${keys.length} keys`);
            for (const k of keys) {
                assert.equal(typeof k.policy, "string", `${k.name} has a key policy`);
            }
        });

        it("lets nobody create grants that are not for AWS resources, except the EKS CreateCluster grant", () => {
            const problems = keys.flatMap((k) => ungatedGrantProblems(k.policy).map((p) => `${k.name}: ${p}`));
            assert.deepEqual(problems, []);
        });

        it("gives grants on each key to exactly the principals its use needs", () => {
            const region = run.config["aws:region"];
            for (const k of keys) {
                assert.deepEqual(grantHolders(k.policy), expectedHolders(k.name, region), k.name);
            }
        });

        it("lets each key be used (Decrypt) by exactly its users", () => {
            const region = run.config["aws:region"];
            for (const k of keys) {
                assert.deepEqual(decryptHolders(k.policy), expectedDecrypters(k.name, region), k.name);
            }
        });

        it("keeps every key administrable by the account through IAM", () => {
            for (const k of keys) {
                const admin = JSON.parse(k.policy).Statement.find((s: any) => asArray(s.Action).includes("kms:PutKeyPolicy"));
                assert.deepEqual(admin?.Principal, { AWS: ROOT }, `${k.name}: the account administers the key`);
                assert.equal(admin.Condition, undefined);
                assert.ok(!asArray(admin.Action).some(coversCreateGrant), `${k.name}: administration without CreateGrant`);
            }
        });
    });
}
