/**
 * lib/bucket.ts: every bucket of both stacks is a hardened bucket (its parts named after it, a
 * TLS-only policy), and a policy without the TLS-only statement is refused with the bucket's name.
 */
import { strict as assert } from "assert";
import { requireTlsOnly, tlsOnlyPolicy } from "../../lib/bucket";
import { denyInsecureTransport } from "../../lib/s3";
import { ProgramRun, runProgram, stackNames } from "../../offline/harness";

describe("lib/bucket: the TLS-only policy check", () => {
    it("accepts a policy with denyInsecureTransport, wherever the statement stands", () => {
        const arn = "arn:aws:s3:::b";
        const allow = { Sid: "Read", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${arn}/*` };
        for (const statements of [[allow, denyInsecureTransport(arn)], [denyInsecureTransport(arn), allow]]) {
            const json = JSON.stringify({ Version: "2012-10-17", Statement: statements });
            assert.equal(requireTlsOnly("b", json), json);
        }
        assert.equal(JSON.parse(tlsOnlyPolicy(arn)).Statement[0].Sid, "DenyInsecureTransport");
    });

    it("refuses a policy without it, naming the bucket and the fix", () => {
        const json = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] });
        assert.throws(() => requireTlsOnly("flodrama-dev-site", json), /bucket flodrama-dev-site: .*DenyInsecureTransport.*denyInsecureTransport\(bucketArn\) from lib\/s3\.ts/);
    });
});

for (const stack of stackNames()) {
    describe(`hardened buckets on stack ${stack}`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram(stack);
        });

        it("gives every bucket Block Public Access, ownership controls, default encryption and a TLS-only policy", () => {
            const buckets = run.ofType("aws:s3/bucket:Bucket");
            assert.equal(buckets.length, 6);
            for (const b of buckets) {
                const pab = run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${b.name}-public-access-block`).inputs;
                assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true], b.name);
                run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${b.name}-ownership`);
                const sse = run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${b.name}-encryption`).inputs;
                assert.ok(["AES256", "aws:kms"].includes(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm), b.name);
                const policy = JSON.parse(run.one("aws:s3/bucketPolicy:BucketPolicy", `${b.name}-policy`).inputs.policy);
                assert.ok(policy.Statement.some((s: { Sid?: string }) => s.Sid === "DenyInsecureTransport"), b.name);
            }
        });
    });
}
