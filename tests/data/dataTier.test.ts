/**
 * Data tier: DataTier alone under mocks, with fixtures for the network and the cluster, in
 * both modes on both stack files (a stack's config is switched to the mode its file does not select,
 * as a test stack would). Checks every property of the issue, the contract Secret, secrets, providers
 * and names, and validates every Kubernetes object against the schema.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { DATA_SECRET_NAME, DOCDB_CA_CERT_IDENTIFIER, RDS_CA_BUNDLE_PATH } from "../../components/data/dataSpecs";
import { DATA_SECRET_KEYS } from "../../lib/contracts";
import { MONGO_PORT, REDIS_PORT } from "../../k8s/inClusterStores";
import { isSecret, ProgramRun, RecordedResource, simulate, stackNames } from "../../offline/harness";
import { fakeCluster } from "../../offline/fixtures";
import { formatFinding, runPolicies } from "../../offline/policyRunner";
import { manifestOf, validateManifest } from "../../offline/kubeSchema";
import { TEST_SECRET } from "../../offline/mocks";
import { podSecurityViolations } from "../../policy/podSecurity";
import { one, ofType, runTier, TierRun, value } from "./helpers";

const DOCDB = "aws:docdb/cluster:Cluster";
const INSTANCE = "aws:docdb/clusterInstance:ClusterInstance";
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";

/** Every input value, with its path, for hunting plain-text passwords. */
function* leaves(v: unknown, path: string): Generator<[string, unknown]> {
    if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) {
            yield* leaves(x, `${path}[${i}]`);
        }
    } else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
            yield* leaves(x, path ? `${path}.${k}` : k);
        }
    } else {
        yield [path, v];
    }
}

function commonChecks(get: () => TierRun) {
    it("names every child after the component and uses the given providers only", () => {
        const { resources } = get();
        const children = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.name !== "data-test");
        assert.ok(children.length > 5);
        for (const r of children) {
            assert.ok(r.name.startsWith("data-test-"), `${r.name} is named after the component`);
            if (r.type.startsWith("aws:")) {
                assert.ok(r.provider?.endsWith("::test-aws"), `${r.type} ${r.name} uses the stack's AWS provider`);
            }
            if (r.type.startsWith("kubernetes:")) {
                assert.ok(r.provider?.endsWith("::fixture-k8s"), `${r.type} ${r.name} uses the cluster's provider`);
            }
            if (r.type.startsWith("random:")) {
                assert.ok(r.provider?.endsWith("::test-random"), `${r.type} ${r.name} uses the random provider it is given`);
            }
        }
    });

    it("never holds a password in a plain input", () => {
        for (const r of get().resources) {
            for (const [path, v] of leaves(r.inputs, "")) {
                if (typeof v === "string" && v.includes(TEST_SECRET)) {
                    assert.ok(r.secretInputs.includes(path.split(/[.[]/)[0]), `${r.type} ${r.name} holds a password in plain ${path}`);
                }
            }
        }
    });

    it("writes the contract Secret in flodrama with exactly the contract's keys, as a secret", async () => {
        const { resources, tier } = get();
        const s = one(resources, SECRET, /-contract$/);
        assert.equal(s.inputs.metadata.name, DATA_SECRET_NAME);
        assert.equal(s.inputs.metadata.namespace, "flodrama");
        assert.deepEqual(Object.keys(s.inputs.stringData).sort(), Object.values(DATA_SECRET_KEYS).sort());
        assert.ok(s.secretInputs.includes("stringData"));
        const stores = resources.filter((r) => [INSTANCE, RG, "kubernetes:apps/v1:StatefulSet"].includes(r.type));
        assert.ok(stores.length > 0);
        for (const r of stores) {
            assert.ok(s.dependencies.includes(r.urn), `the Secret waits for ${r.name}`);
        }
        assert.equal(await value(tier.secretName), DATA_SECRET_NAME);
        assert.equal(tier.mongoPort, MONGO_PORT);
        assert.equal(tier.redisPort, REDIS_PORT);
    });

    it("creates only Kubernetes objects valid against the schema", () => {
        for (const r of get().resources.filter((x) => x.type.startsWith("kubernetes:") && x.custom && !x.type.startsWith("pulumi:"))) {
            assert.deepEqual(validateManifest(manifestOf(r)), [], `${r.type} ${r.name}`);
        }
    });

    it("passes the policy pack (FSBP DocumentDB, ElastiCache, KMS, EC2; Pod Security; protection in prod)", () => {
        const { resources, config, stackConfig } = get();
        const report = runPolicies(new ProgramRun(config.stack, resources, {}, [], stackConfig));
        assert.equal(report.violations.length, 0, `\n${report.violations.map(formatFinding).join("\n")}`);
        const evaluated = report.verdicts.filter((v) => v.evaluated > 0).map((v) => v.policy.name);
        assert.ok(evaluated.includes("program-stateful-protected-in-prod"));
    });

    it("keeps every password as a Pulumi secret, protected when the stack protects", () => {
        const { resources, config } = get();
        const passwords = ofType(resources, PASSWORD);
        assert.equal(passwords.length, 2);
        for (const p of passwords) {
            assert.equal(p.protect, config.protect, `${p.name} protect`);
            assert.ok(p.inputs.length >= 40, `${p.name} length`);
        }
    });
}

for (const stack of stackNames()) {
    describe(`DataTier managed on stack ${stack}`, () => {
        let run: TierRun;
        let protect: boolean;
        before(async () => {
            run = await runTier(stack, "managed");
            protect = run.config.protect;
        });
        const docdbCfg = () => run.config.data.documentDb!;
        const redisCfg = () => run.config.data.redis!;

        commonChecks(() => run);

        it("encrypts both stores with one rotating customer-managed key, protected when the stack protects", () => {
            const key = one(run.resources, "aws:kms/key:Key");
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(key.protect, protect);
            assert.equal(key.retainOnDelete, protect);
            const keyArn = key.state.arn;
            assert.equal(one(run.resources, DOCDB).inputs.kmsKeyId, keyArn);
            assert.equal(one(run.resources, RG).inputs.kmsKeyId, keyArn);
            assert.equal(one(run.resources, "aws:kms/alias:Alias").inputs.name, `alias/flodrama-${stack}-data`);
        });

        it("creates the DocumentDB cluster encrypted, TLS-enforced, logged and backed up as configured", () => {
            const c = one(run.resources, DOCDB).inputs;
            assert.equal(c.clusterIdentifier, `flodrama-${stack}-docdb`);
            assert.equal(c.engine, "docdb");
            assert.equal(c.engineVersion, docdbCfg().engineVersion);
            assert.equal(c.storageEncrypted, true);
            assert.deepEqual(c.enabledCloudwatchLogsExports, ["audit", "profiler"]);
            assert.equal(c.backupRetentionPeriod, docdbCfg().backupRetentionDays);
            assert.ok(c.backupRetentionPeriod >= 7);
            assert.equal(c.preferredBackupWindow, docdbCfg().backupWindow);
            assert.equal(c.preferredMaintenanceWindow, docdbCfg().maintenanceWindow);
            assert.equal(c.port, MONGO_PORT);
            const params = one(run.resources, "aws:docdb/clusterParameterGroup:ClusterParameterGroup").inputs;
            assert.equal(c.dbClusterParameterGroupName, params.name);
            assert.equal(params.family, "docdb5.0");
            assert.equal(params.parameters.find((p: any) => p.name === "tls").value, "tls1.2+");
            const subnets = one(run.resources, "aws:docdb/subnetGroup:SubnetGroup").inputs;
            assert.equal(c.dbSubnetGroupName, subnets.name);
            assert.deepEqual(subnets.subnetIds, Array.from({ length: run.config.network.azCount }, (_, i) => `subnet-private-${i}`));
        });

        it(`${stack === "prod" ? "protects" : "does not protect"} the cluster: deletion protection, final snapshot, protect`, () => {
            const c = one(run.resources, DOCDB);
            assert.equal(c.inputs.deletionProtection, protect);
            assert.equal(c.inputs.skipFinalSnapshot, !protect);
            assert.equal(c.inputs.finalSnapshotIdentifier, protect ? `flodrama-${stack}-docdb-final` : undefined);
            assert.equal(c.protect, protect);
            assert.deepEqual(c.ignoreChanges, ["availabilityZones"]);
        });

        it("pre-creates the audit and profiler log groups with the stack's retention", () => {
            for (const t of ["audit", "profiler"]) {
                const g = one(run.resources, "aws:cloudwatch/logGroup:LogGroup", new RegExp(`-docdb-${t}-logs$`));
                assert.equal(g.inputs.name, `/aws/docdb/flodrama-${stack}-docdb/${t}`);
                assert.equal(g.inputs.retentionInDays, run.config.logRetentionDays);
                assert.ok(one(run.resources, DOCDB).dependencies.includes(g.urn), `cluster waits for the ${t} group`);
            }
        });

        it("spreads the configured number of instances over the AZs, with the G1 CA", () => {
            const instances = ofType(run.resources, INSTANCE);
            assert.equal(instances.length, docdbCfg().instanceCount);
            const azs = instances.map((i) => i.inputs.availabilityZone);
            assert.equal(new Set(azs).size, Math.min(docdbCfg().instanceCount, run.config.network.azCount));
            for (const [i, inst] of instances.entries()) {
                assert.equal(inst.inputs.instanceClass, docdbCfg().instanceClass);
                assert.equal(inst.inputs.clusterIdentifier, `flodrama-${stack}-docdb`);
                assert.equal(inst.inputs.identifier, `flodrama-${stack}-docdb-${i + 1}`);
                assert.equal(inst.inputs.caCertIdentifier, DOCDB_CA_CERT_IDENTIFIER);
                assert.equal(inst.inputs.autoMinorVersionUpgrade, true);
                assert.equal(inst.protect, protect);
            }
        });

        it("creates the replication group with encryption, AUTH, failover and snapshots as configured", () => {
            const g = one(run.resources, RG);
            const r = g.inputs;
            assert.equal(r.engine, "redis");
            assert.equal(r.engineVersion, redisCfg().engineVersion);
            assert.equal(r.nodeType, redisCfg().nodeType);
            assert.equal(r.numCacheClusters, redisCfg().replicas + 1);
            assert.equal(r.automaticFailoverEnabled, redisCfg().automaticFailover);
            assert.equal(r.multiAzEnabled, redisCfg().automaticFailover);
            assert.equal(r.atRestEncryptionEnabled, true);
            assert.equal(r.transitEncryptionEnabled, true);
            assert.equal(r.transitEncryptionMode, "required");
            assert.equal(r.authToken, TEST_SECRET);
            assert.ok(g.secretInputs.includes("authToken"));
            assert.equal(r.autoMinorVersionUpgrade, true);
            assert.equal(r.snapshotRetentionLimit, redisCfg().snapshotRetentionDays);
            assert.equal(r.snapshotWindow, redisCfg().snapshotWindow);
            assert.equal(r.maintenanceWindow, redisCfg().maintenanceWindow);
            assert.equal(r.subnetGroupName, one(run.resources, "aws:elasticache/subnetGroup:SubnetGroup").inputs.name);
            assert.equal(r.finalSnapshotIdentifier, protect ? `flodrama-${stack}-redis-final` : undefined);
            assert.equal(g.protect, protect);
            const token = one(run.resources, PASSWORD, /-redis-auth-token$/).inputs;
            assert.equal(token.overrideSpecial, "!&#$^<>-");
        });

        it("delivers the slow log (and the engine log) to log groups with the stack's retention", () => {
            const deliveries = one(run.resources, RG).inputs.logDeliveryConfigurations;
            assert.deepEqual(
                deliveries.map((d: any) => [d.logType, d.destination, d.destinationType]),
                ["slow-log", "engine-log"].map((t) => [t, `/aws/elasticache/flodrama-${stack}-redis/${t}`, "cloudwatch-logs"]),
            );
            for (const g of ofType(run.resources, "aws:cloudwatch/logGroup:LogGroup")) {
                assert.equal(g.inputs.retentionInDays, run.config.logRetentionDays);
            }
        });

        it("opens 27017 and 6379 only to the cluster's node security group", () => {
            const sgs = ofType(run.resources, SG);
            assert.equal(sgs.length, 2);
            for (const sg of sgs) {
                assert.equal(sg.inputs.ingress, undefined, `${sg.name} has no inline rules`);
            }
            const rules = ofType(run.resources, INGRESS);
            assert.deepEqual(
                rules.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.ipProtocol, r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4]).sort(),
                [
                    [MONGO_PORT, MONGO_PORT, "tcp", "sg-node-fixture", undefined],
                    [REDIS_PORT, REDIS_PORT, "tcp", "sg-node-fixture", undefined],
                ],
            );
            const sgId = (suffix: string) => `data-test-${suffix}-sg-id`;
            assert.deepEqual(one(run.resources, DOCDB).inputs.vpcSecurityGroupIds, [sgId("docdb")]);
            assert.deepEqual(one(run.resources, RG).inputs.securityGroupIds, [sgId("redis")]);
            assert.equal(rules.find((r) => r.inputs.fromPort === MONGO_PORT)!.inputs.securityGroupId, sgId("docdb"));
        });

        it("gives workloads the DocumentDB URI with TLS and the RDS CA, and a rediss:// URL", () => {
            const data = one(run.resources, SECRET, /-contract$/).inputs.stringData;
            const mongo = new URL(data.MONGODB_URI);
            assert.equal(mongo.hostname, `flodrama-${stack}-docdb.cluster-abc.eu-west-3.docdb.amazonaws.com`);
            assert.equal(mongo.username, "flodrama");
            assert.equal(mongo.password, TEST_SECRET);
            assert.match(data.MONGODB_URI, /\?tls=true&tlsCAFile=\/etc\/flodrama\/data\/mongodb-ca\.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false/);
            assert.equal(data["mongodb-ca.pem"], fs.readFileSync(RDS_CA_BUNDLE_PATH, "utf8"));
            assert.equal(data.REDIS_URL, `rediss://:${TEST_SECRET}@master.flodrama-${stack}-redis.abc.euw3.cache.amazonaws.com:6379`);
        });

        it("exposes the endpoints and ids for monitoring, and no password", async () => {
            const t = run.tier;
            assert.equal(t.mode, "managed");
            assert.equal(await value(t.documentDbClusterId), `flodrama-${stack}-docdb`);
            assert.equal(t.documentDbInstanceIds!.length, docdbCfg().instanceCount);
            assert.equal(await value(t.redisReplicationGroupId), `flodrama-${stack}-redis`);
            assert.match(await value(t.documentDbEndpoint), /\.cluster-abc\./);
            assert.match(await value(t.documentDbReaderEndpoint), /\.cluster-ro-abc\./);
            assert.match(await value(t.redisPrimaryEndpoint), /^master\./);
            assert.match(await value(t.redisReaderEndpoint), /^replica\./);
        });

        it("creates no in-cluster store", () => {
            assert.equal(run.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").length, 0);
            assert.deepEqual(
                run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom).map((r) => r.type),
                [SECRET],
            );
        });
    });

    describe(`DataTier in-cluster on stack ${stack}`, () => {
        let run: TierRun;
        let protect: boolean;
        before(async () => {
            run = await runTier(stack, "in-cluster");
            protect = run.config.protect;
        });
        const cfg = () => run.config.data.inCluster!;
        const kube = (kind: string) => run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type.endsWith(`:${kind}`));
        const sts = (n: string): RecordedResource => kube("StatefulSet").find((r) => r.inputs.metadata.name === n)!;

        commonChecks(() => run);

        it("runs MongoDB and Redis as StatefulSets in flodrama-infra from the configured images and volume sizes", () => {
            assert.equal(kube("StatefulSet").length, 2);
            for (const [n, image, gi] of [
                ["mongo", cfg().mongoImage, cfg().mongoStorageGi],
                ["redis", cfg().redisImage, cfg().redisStorageGi],
            ] as const) {
                const s = sts(n);
                assert.equal(s.inputs.metadata.namespace, "flodrama-infra");
                assert.equal(s.inputs.spec.template.spec.containers[0].image, image);
                assert.equal(s.inputs.spec.serviceName, n);
                const claim = s.inputs.spec.volumeClaimTemplates[0].spec;
                assert.equal(claim.storageClassName, "gp3-encrypted");
                assert.equal(claim.resources.requests.storage, `${gi}Gi`);
                assert.equal(s.inputs.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, protect ? "Retain" : "Delete");
                assert.equal(s.protect, protect);
            }
        });

        it("meets Pod Security restricted in every pod", () => {
            for (const s of kube("StatefulSet")) {
                assert.deepEqual(podSecurityViolations(s.inputs.spec.template.spec), [], s.name);
            }
        });

        it("keeps the stores' passwords in Secrets of flodrama-infra, referenced by the pods", () => {
            const auth = kube("Secret").filter((s) => s.inputs.metadata.namespace === "flodrama-infra");
            assert.deepEqual(auth.map((s) => s.inputs.metadata.name).sort(), ["mongo-auth", "redis-auth"]);
            for (const s of auth) {
                assert.ok(s.secretInputs.includes("stringData"), `${s.name} is secret`);
                assert.equal(s.inputs.stringData.password, TEST_SECRET);
            }
            for (const s of kube("StatefulSet")) {
                assert.ok(s.dependencies.some((d) => auth.some((a) => a.urn === d)), `${s.name} waits for its Secret`);
            }
        });

        it("gives each store a headless Service and a NetworkPolicy admitting only flodrama on its port", () => {
            for (const [n, port] of [
                ["mongo", MONGO_PORT],
                ["redis", REDIS_PORT],
            ] as const) {
                const svc = kube("Service").find((r) => r.inputs.metadata.name === n)!;
                assert.equal(svc.inputs.spec.clusterIP, "None");
                assert.equal(svc.inputs.spec.ports[0].port, port);
                const pol = kube("NetworkPolicy").find((r) => r.inputs.metadata.name === n)!;
                assert.equal(pol.inputs.metadata.namespace, "flodrama-infra");
                assert.deepEqual(pol.inputs.spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "flodrama" } } }], ports: [{ protocol: "TCP", port }] }]);
                assert.deepEqual(pol.inputs.spec.podSelector.matchLabels, sts(n).inputs.spec.selector.matchLabels);
                assert.deepEqual(svc.inputs.spec.selector, sts(n).inputs.spec.selector.matchLabels);
            }
        });

        it("gives workloads plain in-cluster URIs (no TLS) and an empty CA", () => {
            const data = one(run.resources, SECRET, /-contract$/).inputs.stringData;
            assert.equal(data.MONGODB_URI, `mongodb://flodrama:${TEST_SECRET}@mongo.flodrama-infra.svc.cluster.local:27017/flodrama?retryWrites=false&authSource=admin`);
            assert.equal(data.REDIS_URL, `redis://:${TEST_SECRET}@redis.flodrama-infra.svc.cluster.local:6379`);
            assert.equal(data["mongodb-ca.pem"], "");
        });

        it("creates no AWS data store and no managed-mode outputs", () => {
            assert.deepEqual(run.resources.filter((r) => r.type.startsWith("aws:")), []);
            assert.equal(run.tier.mode, "in-cluster");
            assert.equal(run.tier.documentDbClusterId, undefined);
            assert.equal(run.tier.redisReplicationGroupId, undefined);
        });
    });
}

describe("DataTier without an AWS provider", () => {
    it("refuses to run rather than create stores on a default provider", async () => {
        await assert.rejects(
            simulate("prod", () => {
                const random = require("@pulumi/random");
                const { DataTier } = require("../../components/data/dataTier");
                const { loadConfig } = require("../../config");
                const { fakeNetwork } = require("../../offline/fixtures");
                const cfg = loadConfig();
                return new DataTier("data-test", {
                    stack: cfg.stack,
                    data: cfg.data,
                    network: fakeNetwork(cfg.network.azCount),
                    cluster: fakeCluster(),
                    protect: cfg.protect,
                    logRetentionDays: cfg.logRetentionDays,
                    randomProvider: new random.Provider("test-random"),
                });
            }),
            /needs the stack's AWS provider/,
        );
    });
});

describe("InClusterData alone", () => {
    it("hands out the passwords as Pulumi secrets and the stores' in-cluster hosts", async () => {
        let stores: any;
        await simulate("dev", () => {
            const random = require("@pulumi/random");
            const { InClusterData } = require("../../components/data/inClusterData");
            const cluster = fakeCluster();
            stores = new InClusterData("stores", {
                provider: cluster.provider,
                namespace: cluster.infraNamespace,
                appNamespace: cluster.appNamespace,
                storageClassName: cluster.storageClassName,
                mongoImage: "docker.io/library/mongo:7.0.14",
                redisImage: "docker.io/library/redis:7.4.1",
                mongoStorageGi: 1,
                redisStorageGi: 1,
                protect: false,
                randomProvider: new random.Provider("test-random"),
            });
        });
        assert.equal(await isSecret(stores.mongo.password), true);
        assert.equal(await isSecret(stores.redis.password), true);
        assert.equal(await value(stores.mongo.host), "mongo.flodrama-infra.svc.cluster.local");
        assert.equal(await value(stores.redis.host), "redis.flodrama-infra.svc.cluster.local");
    });
});
