/**
 * Data tier wired in index.ts, on every stack file as users deploy it (dev: in-cluster,
 * prod: managed): the mode, the contract Secret in the cluster's app namespace, the stores on the
 * real cluster's node security group and namespaces, the stack outputs, and no password in them.
 */
import { strict as assert } from "assert";
import { DATA_SECRET_NAME } from "../../components/data/dataSpecs";
import { ProgramRun, runProgram, stackNames } from "../../offline/harness";
import { TEST_SECRET } from "../../offline/mocks";

for (const stack of stackNames()) {
    describe(`data tier on stack ${stack}`, () => {
        let run: ProgramRun;
        let mode: string;
        before(async () => {
            run = await runProgram(stack);
            mode = JSON.parse(run.config["flodrama:data"]).mode;
        });

        it("runs the mode of the stack file", () => {
            assert.equal(run.outputs.dataMode, mode);
            assert.equal(run.one("flodrama:data:DataTier").name, "data");
            assert.equal(run.ofType("aws:docdb/cluster:Cluster").length, mode === "managed" ? 1 : 0);
            assert.equal(run.ofType("aws:elasticache/replicationGroup:ReplicationGroup").length, mode === "managed" ? 1 : 0);
            assert.equal(run.kubernetes("StatefulSet").filter((s) => s.inputs.metadata.namespace === "flodrama-infra").length, mode === "in-cluster" ? 2 : 0);
        });

        it("writes the contract Secret into the cluster's app namespace, through the cluster's provider", () => {
            const secret = run.one("kubernetes:core/v1:Secret", "data-contract");
            assert.equal(secret.inputs.metadata.name, DATA_SECRET_NAME);
            assert.equal(secret.inputs.metadata.namespace, "flodrama");
            assert.equal(run.providerOf(secret)?.name, "cluster-k8s");
            assert.equal(run.outputs.dataSecretName, DATA_SECRET_NAME);
        });

        it("generates its passwords with the program's one random provider (lib/providers.ts), not a component's own", () => {
            const passwords = run.ofType("random:index/randomPassword:RandomPassword").filter((r) => r.name.startsWith("data-"));
            assert.equal(passwords.length, 2);
            for (const p of passwords) {
                const provider = run.providerOf(p);
                assert.equal(provider?.type, "pulumi:providers:random");
                assert.equal(provider?.name, "random");
                assert.equal(provider?.parent, undefined, "built with the stack's providers, outside any component");
            }
        });

        it("exports endpoints in managed mode only, and never a password", () => {
            const endpoints = ["documentDbEndpoint", "documentDbReaderEndpoint", "redisPrimaryEndpoint", "redisReaderEndpoint", "documentDbClusterId", "redisReplicationGroupId"];
            for (const k of endpoints) {
                assert.equal(run.outputs[k] !== undefined, mode === "managed", k);
            }
            assert.ok(!JSON.stringify(run.outputs).includes(TEST_SECRET), "no stack output holds a password");
        });

        if (stack === "prod") {
            it("admits the stores' ports only from the EKS cluster's node security group", () => {
                const rules = run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.startsWith("data-"));
                assert.equal(rules.length, 2);
                for (const r of rules) {
                    assert.equal(r.inputs.referencedSecurityGroupId, "sg-eks-managed");
                    assert.equal(r.inputs.cidrIpv4, undefined);
                }
            });

            it("protects the cluster, instances, replication group, key and passwords", () => {
                for (const type of [
                    "aws:docdb/cluster:Cluster",
                    "aws:docdb/clusterInstance:ClusterInstance",
                    "aws:elasticache/replicationGroup:ReplicationGroup",
                    "random:index/randomPassword:RandomPassword",
                ]) {
                    for (const r of run.ofType(type).filter((x) => x.name.startsWith("data-"))) {
                        assert.equal(r.protect, true, `${type} ${r.name}`);
                    }
                }
                assert.equal(run.one("aws:kms/key:Key", "data-key").protect, true);
                assert.equal(run.one("aws:docdb/cluster:Cluster").inputs.deletionProtection, true);
            });
        } else {
            it("runs the stores in the cluster's infra namespace on its storage class, waiting for no Helm chart", () => {
                const charts = new Set(run.ofType("kubernetes:helm.sh/v3:Release").map((r) => r.urn));
                for (const s of run.kubernetes("StatefulSet").filter((x) => x.name.startsWith("data-"))) {
                    assert.equal(s.inputs.metadata.namespace, "flodrama-infra");
                    assert.equal(s.inputs.spec.volumeClaimTemplates[0].spec.storageClassName, "gp3-encrypted");
                    assert.equal(run.providerOf(s)?.name, "cluster-k8s");
                    // The provider waits for the EKS add-ons (EBS CSI included); no chart is needed to run a store.
                    assert.deepEqual(s.dependencies.filter((d) => charts.has(d)), [], `${s.name} waits for no chart`);
                }
            });
        }
    });
}
