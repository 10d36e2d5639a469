/**
 * `protectStatefulResources` means the same everywhere (lib/stateful.ts): over the whole program of
 * each stack, every stateful resource's knobs (Pulumi protect and retainOnDelete, AWS deletion
 * protection, final snapshots, force-destroy, KMS window, volume reclaim) agree with the stack's
 * setting. And dev's `pulumi destroy` has nothing to stop on.
 */
import { strict as assert } from "assert";
import { ProgramRun, RecordedResource, runProgram, stackNames } from "../../offline/harness";
import { KMS_DELETION_WINDOW_DAYS, stateful, Stateful } from "../../lib/stateful";

type Knobs = (r: RecordedResource, s: Stateful) => Record<string, [actual: unknown, expected: unknown]>;

const pulumiOptions: Knobs = (r, s) => ({ protect: [r.protect, s.protect], retainOnDelete: [r.retainOnDelete, false] });
/** Keys and buckets outlive a prod destroy (lib/stateful.ts `retainOptions`). */
const retained: Knobs = (r, s) => ({ protect: [r.protect, s.protect], retainOnDelete: [r.retainOnDelete, s.protect] });

/** One row per stateful resource type: which knobs it has and what each must be. `where` narrows the type to the stateful ones. */
const TABLE: { type: string; where?: (r: RecordedResource) => boolean; knobs: Knobs }[] = [
    { type: "aws:s3/bucket:Bucket", knobs: (r, s) => ({ ...retained(r, s), forceDestroy: [r.inputs.forceDestroy, s.forceDestroy] }) },
    { type: "aws:kms/key:Key", knobs: (r, s) => ({ ...retained(r, s), deletionWindowInDays: [r.inputs.deletionWindowInDays, s.kmsDeletionWindowInDays] }) },
    {
        type: "aws:docdb/cluster:Cluster",
        knobs: (r, s) => ({
            ...pulumiOptions(r, s),
            deletionProtection: [r.inputs.deletionProtection, s.deletionProtection],
            skipFinalSnapshot: [r.inputs.skipFinalSnapshot, s.skipFinalSnapshot],
            finalSnapshotIdentifier: [r.inputs.finalSnapshotIdentifier, s.finalSnapshotIdentifier(r.inputs.clusterIdentifier)],
        }),
    },
    { type: "aws:docdb/clusterInstance:ClusterInstance", knobs: pulumiOptions },
    {
        type: "aws:elasticache/replicationGroup:ReplicationGroup",
        knobs: (r, s) => ({ ...pulumiOptions(r, s), finalSnapshotIdentifier: [r.inputs.finalSnapshotIdentifier, s.finalSnapshotIdentifier(r.inputs.replicationGroupId)] }),
    },
    { type: "aws:cognito/userPool:UserPool", knobs: (r, s) => ({ ...pulumiOptions(r, s), deletionProtection: [r.inputs.deletionProtection, s.cognitoDeletionProtection] }) },
    { type: "aws:lb/loadBalancer:LoadBalancer", knobs: (r, s) => ({ enableDeletionProtection: [r.inputs.enableDeletionProtection, s.deletionProtection] }) },
    { type: "eks:index:Cluster", knobs: (r, s) => ({ deletionProtection: [r.inputs.deletionProtection, s.deletionProtection] }) },
    { type: "aws:ecr/repository:Repository", knobs: (r, s) => ({ forceDelete: [r.inputs.forceDelete, s.forceDelete] }) },
    { type: "aws-native:personalize:DatasetGroup", knobs: pulumiOptions },
    { type: "aws-native:personalize:Dataset", knobs: pulumiOptions },
    // The data stores' credentials: a new password under running clients (or a lost one) is an outage.
    { type: "random:index/randomPassword:RandomPassword", where: (r) => r.name.startsWith("data-"), knobs: pulumiOptions },
    {
        type: "kubernetes:apps/v1:StatefulSet",
        where: (r) => r.name.startsWith("data-"),
        knobs: (r, s) => ({ ...pulumiOptions(r, s), whenDeleted: [r.inputs.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, s.retainVolumes ? "Retain" : "Delete"] }),
    },
    { type: "kubernetes:storage.k8s.io/v1:StorageClass", knobs: (r, s) => ({ reclaimPolicy: [r.inputs.reclaimPolicy, s.retainVolumes ? "Retain" : "Delete"] }) },
];

/** Types every stack must have, so that a renamed type cannot make its row silently check nothing. */
const PRESENT_IN_EVERY_STACK = [
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:cognito/userPool:UserPool",
    "aws:lb/loadBalancer:LoadBalancer",
    "eks:index:Cluster",
    "aws:ecr/repository:Repository",
    "aws-native:personalize:DatasetGroup",
    "aws-native:personalize:Dataset",
    "kubernetes:storage.k8s.io/v1:StorageClass",
];

/** Resources retained on delete for a reason other than `protectStatefulResources` (see the component). */
const RETAINED_BY_DESIGN = ["api-account", "api-cloudwatch-role", "api-cloudwatch-role-policy"];

const rowsOf = (run: ProgramRun, row: (typeof TABLE)[number]) => run.ofType(row.type).filter((r) => !row.where || row.where(r));

for (const stack of stackNames()) {
    describe(`stateful resources on stack ${stack}`, () => {
        let run: ProgramRun;
        let s: Stateful;
        before(async () => {
            run = await runProgram(stack);
            s = stateful(JSON.parse(run.config["flodrama:protectStatefulResources"]));
        });

        it("gives every stateful resource the knobs of the stack's protectStatefulResources", () => {
            const wrong: string[] = [];
            for (const row of TABLE) {
                for (const r of rowsOf(run, row)) {
                    for (const [knob, [actual, expected]] of Object.entries(row.knobs(r, s))) {
                        if (actual !== expected) {
                            wrong.push(`${r.type} ${r.name}: ${knob} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
                        }
                    }
                }
            }
            assert.deepEqual(wrong, []);
            const missing = PRESENT_IN_EVERY_STACK.filter((t) => run.ofType(t).length === 0);
            assert.deepEqual(missing, [], "each of these types has a row above and exists in every stack");
        });

        it("protects or retains nothing that the table does not cover", () => {
            const covered = new Set(TABLE.flatMap((row) => rowsOf(run, row).map((r) => r.urn)));
            const stray = run.resources.filter((r) => (r.protect || r.retainOnDelete) && !covered.has(r.urn) && !RETAINED_BY_DESIGN.includes(r.name));
            assert.deepEqual(stray.map((r) => `${r.type} ${r.name}`), []);
        });
    });
}

describe("stateful: the knobs of each setting", () => {
    it("dev (false) deletes everything; prod (true) protects, retains, snapshots and keeps the longest KMS window", () => {
        const dev = stateful(false);
        assert.deepEqual(
            [dev.retainOptions, dev.deletionProtection, dev.cognitoDeletionProtection, dev.skipFinalSnapshot, dev.forceDestroy, dev.forceDelete, dev.kmsDeletionWindowInDays, dev.finalSnapshotIdentifier("x")],
            [{ protect: false, retainOnDelete: false }, false, "INACTIVE", true, true, true, KMS_DELETION_WINDOW_DAYS.min, undefined],
        );
        assert.deepEqual(dev.options, { protect: false, retainOnDelete: false });
        const prod = stateful(true);
        assert.deepEqual(prod.options, { protect: true, retainOnDelete: false }, "a prod destroy deletes the stores (with a final snapshot) and the pools");
        assert.deepEqual(
            [prod.retainOptions, prod.deletionProtection, prod.cognitoDeletionProtection, prod.skipFinalSnapshot, prod.forceDestroy, prod.forceDelete, prod.kmsDeletionWindowInDays, prod.finalSnapshotIdentifier("x")],
            [{ protect: true, retainOnDelete: true }, true, "ACTIVE", false, false, false, KMS_DELETION_WINDOW_DAYS.max, "x-final"],
        );
    });
});

describe("dev destroys with no manual step", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("dev");
    });

    it("protects and retains nothing (the API Gateway account setting, retained by design, is managed by prod)", () => {
        assert.deepEqual(run.resources.filter((r) => r.protect).map((r) => r.name), []);
        assert.deepEqual(run.resources.filter((r) => r.retainOnDelete).map((r) => r.name), []);
        assert.equal(JSON.parse(run.config["flodrama:api"]).manageAccountSettings, false);
    });

    it("force-destroys every bucket, versioned ones included, and force-deletes every ECR repository", () => {
        const buckets = run.ofType("aws:s3/bucket:Bucket");
        assert.ok(buckets.some((b) => b.name === "workloads-scraper-bucket"), "the versioned scraper bucket is among them");
        assert.deepEqual(buckets.filter((b) => b.inputs.forceDestroy !== true).map((b) => b.name), []);
        const repos = run.ofType("aws:ecr/repository:Repository");
        assert.ok(repos.length > 0);
        assert.deepEqual(repos.filter((r) => r.inputs.forceDelete !== true).map((r) => r.name), []);
    });

    it("turns AWS deletion protection off everywhere and takes no final snapshot", () => {
        const on = run.resources.filter(
            (r) =>
                r.inputs.deletionProtection === true ||
                r.inputs.deletionProtection === "ACTIVE" ||
                r.inputs.enableDeletionProtection === true ||
                r.inputs.finalSnapshotIdentifier !== undefined ||
                r.inputs.skipFinalSnapshot === false,
        );
        assert.deepEqual(on.map((r) => `${r.type} ${r.name}`), []);
    });
});
