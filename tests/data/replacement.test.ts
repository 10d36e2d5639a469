/**
 * Data tier: a change that would replace prod's databases fails here, not in `pulumi up`.
 *
 * What this proves, honestly: the inputs that make the providers replace a DocumentDB cluster or
 * instance, an ElastiCache replication group, the KMS key or a password (`REPLACEMENT_INPUTS`: the
 * AWS provider's ForceNew arguments, every argument of a random password) are compared, for prod's
 * stack file, with the reviewed baseline in `prod-replacement-baseline.json`; logical names are part of the key, so a rename (which Pulumi
 * treats as delete + create) is caught as well. It does not run the provider's own diff, so a
 * ForceNew argument missing from `REPLACEMENT_INPUTS` would go unseen. In a real `pulumi up` these
 * resources are `protect`ed in prod and the engine refuses to replace them; this test moves that
 * refusal to review time. An intended replacement (a migration with a restore plan) updates the
 * baseline in the same change, where reviewers see it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { replacementIdentity, replacementsBetween } from "../../components/data/dataSpecs";
import { runTier } from "./helpers";

const BASELINE = path.join(__dirname, "prod-replacement-baseline.json");

describe("data tier: replacement of prod's databases", () => {
    const baseline = JSON.parse(fs.readFileSync(BASELINE, "utf8"));

    it("the baseline covers the cluster, every instance, the replication group and the key", () => {
        const keys = Object.keys(baseline);
        assert.ok(keys.includes("aws:docdb/cluster:Cluster::data-docdb"));
        assert.ok(keys.includes("aws:elasticache/replicationGroup:ReplicationGroup::data-redis"));
        assert.ok(keys.includes("aws:kms/key:Key::data-key"));
        assert.equal(keys.filter((k) => k.startsWith("aws:docdb/clusterInstance:")).length, 3);
        assert.ok(keys.includes("random:index/randomPassword:RandomPassword::data-docdb-password"));
        assert.ok(keys.includes("random:index/randomPassword:RandomPassword::data-redis-auth-token"));
    });

    it("catches a change to a password's generator, which would mint a new prod credential", async () => {
        const run = await runTier("prod", "managed", { name: "data" });
        const key = "random:index/randomPassword:RandomPassword::data-redis-auth-token";
        const before = { ...baseline, [key]: { ...baseline[key], length: 48 } };
        assert.deepEqual(replacementsBetween(before, replacementIdentity(run.resources)), [`${key}: length 48 → 64 replaces it`]);
    });

    it("prod as configured replaces nothing", async () => {
        const run = await runTier("prod", "managed", { name: "data" });
        for (const r of run.resources.filter((x) => baseline[`${x.type}::${x.name}`])) {
            assert.equal(r.protect, true, `${r.name} is protected in prod`);
        }
        const changes = replacementsBetween(baseline, replacementIdentity(run.resources));
        assert.deepEqual(changes, [], `these changes would replace prod data stores:\n  ${changes.join("\n  ")}`);
    });

    it("catches a change that would move an instance to another AZ (prod on two AZs)", async () => {
        const run = await runTier("prod", "managed", { name: "data", override: (v) => (v.network.azCount = 2) });
        const changes = replacementsBetween(baseline, replacementIdentity(run.resources));
        assert.deepEqual(changes, ['aws:docdb/clusterInstance:ClusterInstance::data-docdb-3: availabilityZone "eu-west-3c" → "eu-west-3a" replaces it']);
    });

    it("catches dropping an instance; new engine version and node type are in-place changes", async () => {
        const run = await runTier("prod", "managed", {
            name: "data",
            override: (v) => {
                v.data.documentDb.instanceCount = 2;
                v.data.documentDb.engineVersion = "5.0.1";
                v.data.redis.nodeType = "cache.r7g.xlarge";
            },
        });
        assert.deepEqual(replacementsBetween(baseline, replacementIdentity(run.resources)), [
            "aws:docdb/clusterInstance:ClusterInstance::data-docdb-3 would be deleted (or renamed, which replaces it)",
        ]);
    });
});
