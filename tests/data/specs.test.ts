/**
 * Data tier, pure builders: connection strings, DocumentDB parameters, the data key policy,
 * the bundled RDS CA, the in-cluster StatefulSets (Pod Security restricted, schema), and the
 * replacement check. No mocks.
 */
import { strict as assert } from "assert";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import {
    dataKeyPolicy,
    DOCDB_CA_CERT_IDENTIFIER,
    docdbParameterFamily,
    docdbParameters,
    instanceSubnetIndex,
    mongoUri,
    RDS_CA_BUNDLE_PATH,
    redisParameterFamily,
    REDIS_AUTH_TOKEN_SPECIALS,
    redisUrl,
    replacementIdentity,
    replacementsBetween,
} from "../../components/data/dataSpecs";
import {
    headlessServiceSpec,
    MONGO_AUTH_SECRET,
    MONGO_PING,
    mongoStatefulSetSpec,
    REDIS_AUTH_SECRET,
    REDIS_PING,
    REDIS_START,
    redisStatefulSetSpec,
    storeNetworkPolicySpec,
} from "../../k8s/inClusterStores";
import { validateManifest } from "../../offline/kubeSchema";
import { podSecurityViolations } from "../../policy/podSecurity";

const store = { image: "docker.io/library/mongo:7.0.14", storageGi: 20, storageClassName: "gp3-encrypted", retainVolume: false };

describe("data tier: connection strings", () => {
    it("gives DocumentDB TLS with the mounted CA, the replica set, secondary reads and no retryable writes", () => {
        const uri = mongoUri({ username: "flodrama", password: "p4ss", host: "db.cluster-x.eu-west-3.docdb.amazonaws.com", port: 27017, tls: true, replicaSet: "rs0" });
        const u = new URL(uri);
        assert.equal(u.protocol, "mongodb:");
        assert.equal(u.hostname, "db.cluster-x.eu-west-3.docdb.amazonaws.com");
        assert.equal(u.port, "27017");
        assert.equal(u.pathname, "/flodrama");
        assert.equal(u.searchParams.get("tls"), "true");
        assert.equal(u.searchParams.get("tlsCAFile"), "/etc/flodrama/data/mongodb-ca.pem");
        assert.equal(u.searchParams.get("replicaSet"), "rs0");
        assert.equal(u.searchParams.get("readPreference"), "secondaryPreferred");
        assert.equal(u.searchParams.get("retryWrites"), "false");
        assert.equal(u.searchParams.get("authSource"), "admin");
        assert.ok(uri.includes("tlsCAFile=/etc/flodrama/data/mongodb-ca.pem&"), "the CA path is written as drivers read it");
    });

    it("gives the in-cluster MongoDB no TLS and no replica set, the same database and auth source", () => {
        const u = new URL(mongoUri({ username: "flodrama", password: "p", host: "mongo.flodrama-infra.svc.cluster.local", port: 27017, tls: false }));
        assert.equal(u.searchParams.get("tls"), null);
        assert.equal(u.searchParams.get("replicaSet"), null);
        assert.equal(u.searchParams.get("retryWrites"), "false");
        assert.equal(u.searchParams.get("authSource"), "admin");
        assert.equal(u.pathname, "/flodrama");
    });

    it("URL-encodes every character of the AUTH token alphabet that a URL would misread", () => {
        const token = `Ab1${REDIS_AUTH_TOKEN_SPECIALS}`;
        const url = redisUrl({ password: token, host: "master.x.cache.amazonaws.com", port: 6379, tls: true });
        assert.ok(url.startsWith("rediss://:"));
        const u = new URL(url);
        assert.equal(decodeURIComponent(u.password), token);
        assert.equal(u.hostname, "master.x.cache.amazonaws.com");
        assert.equal(redisUrl({ password: "p", host: "redis", port: 6379, tls: false }), "redis://:p@redis:6379");
    });

    it("never offers ElastiCache a character its AUTH tokens forbid", () => {
        for (const c of [" ", "/", '"', "@"]) {
            assert.ok(!REDIS_AUTH_TOKEN_SPECIALS.includes(c), c);
        }
    });
});

describe("data tier: DocumentDB and ElastiCache settings", () => {
    it("requires TLS 1.2+ (FSBP DocumentDB.6) and turns on audit logs and the profiler", () => {
        const p = Object.fromEntries(docdbParameters().map((x) => [x.name, x.value]));
        assert.equal(p.tls, "tls1.2+");
        assert.equal(p.audit_logs, "enabled");
        assert.equal(p.profiler, "enabled");
        assert.equal(p.profiler_threshold_ms, "100");
    });

    it("derives parameter group families from engine versions", () => {
        assert.equal(docdbParameterFamily("5.0.0"), "docdb5.0");
        assert.equal(docdbParameterFamily("4.0.0"), "docdb4.0");
        assert.throws(() => docdbParameterFamily("5"), /major\.minor\.patch/);
        assert.equal(redisParameterFamily("7.1"), "redis7");
    });

    it("spreads instances round-robin over the subnets", () => {
        assert.deepEqual([0, 1, 2, 3, 4].map((i) => instanceSubnetIndex(i, 3)), [0, 1, 2, 0, 1]);
    });

    it("lets only this account use the data key, only through DocumentDB or ElastiCache in the region", () => {
        const doc = JSON.parse(dataKeyPolicy("aws", "111122223333", "eu-west-3"));
        for (const s of doc.Statement) {
            assert.deepEqual(s.Principal, { AWS: "arn:aws:iam::111122223333:root" });
            assert.ok(!s.Action.includes("*") && !s.Action.includes("kms:*"));
        }
        const use = doc.Statement.find((s: any) => s.Action.includes("kms:Decrypt"));
        assert.deepEqual(use.Condition.StringEquals["kms:ViaService"], ["rds.eu-west-3.amazonaws.com", "elasticache.eu-west-3.amazonaws.com"]);
        assert.equal(use.Condition.StringEquals["kms:CallerAccount"], "111122223333");
        const admin = doc.Statement.find((s: any) => s.Action.includes("kms:ScheduleKeyDeletion"));
        assert.ok(!admin.Action.includes("kms:Decrypt"), "administration does not include decryption");
    });
});

describe("data tier: bundled Amazon RDS CA bundle", () => {
    const pem = fs.readFileSync(RDS_CA_BUNDLE_PATH, "utf8");
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

    it("holds only self-signed, valid CA certificates issued by Amazon RDS", () => {
        assert.ok(certs.length >= 90, `${certs.length} certificates`);
        assert.ok(!pem.includes("\r"), "LF line endings");
        for (const c of certs) {
            const x = new X509Certificate(c);
            assert.ok(x.ca, `${x.subject} is a CA`);
            assert.ok(x.verify(x.publicKey), `${x.subject} is self-signed`);
            assert.match(x.subject, /OU=Amazon RDS/);
            assert.ok(new Date(x.validTo).getTime() > Date.now(), `${x.subject} has not expired`);
        }
    });

    for (const region of ["eu-west-3", "eu-west-1", "us-east-1"]) {
        it(`has the ${region} root of ${DOCDB_CA_CERT_IDENTIFIER} (and the RSA4096 and ECC384 roots)`, () => {
            const subjects = certs.map((c) => new X509Certificate(c).subject);
            for (const kind of ["RSA2048", "RSA4096", "ECC384"]) {
                assert.ok(
                    subjects.some((s) => s.includes(`CN=Amazon RDS ${region} Root CA ${kind} G1`)),
                    `${region} ${kind}`,
                );
            }
        });
    }
});

describe("data tier: in-cluster StatefulSets", () => {
    const specs = { mongo: mongoStatefulSetSpec(store) as any, redis: redisStatefulSetSpec({ ...store, image: "docker.io/library/redis:7.4.1" }) as any };

    for (const [name, spec] of Object.entries(specs)) {
        describe(name, () => {
            const pod = spec.template.spec;
            const c = pod.containers[0];

            it("meets Pod Security restricted as uid 999 with a read-only root filesystem", () => {
                assert.deepEqual(podSecurityViolations(pod), []);
                assert.equal(pod.securityContext.runAsUser, 999);
                assert.equal(pod.securityContext.fsGroup, 999);
                assert.equal(c.securityContext.readOnlyRootFilesystem, true);
                assert.deepEqual(
                    c.volumeMounts.find((m: any) => m.mountPath === "/tmp"),
                    { name: "tmp", mountPath: "/tmp" },
                );
                assert.ok(pod.volumes.find((v: any) => v.name === "tmp").emptyDir);
                assert.equal(pod.automountServiceAccountToken, false);
            });

            it("sets requests and limits and exec probes (startup, readiness, liveness)", () => {
                for (const k of ["requests", "limits"]) {
                    assert.ok(c.resources[k].cpu && c.resources[k].memory, k);
                }
                for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) {
                    assert.equal(c[p].exec.command[0], "sh", p);
                }
            });

            it("keeps data on a ReadWriteOnce volume of the configured class and size", () => {
                const claim = spec.volumeClaimTemplates[0];
                assert.equal(claim.spec.storageClassName, "gp3-encrypted");
                assert.equal(claim.spec.resources.requests.storage, "20Gi");
                assert.deepEqual(claim.spec.accessModes, ["ReadWriteOnce"]);
                assert.equal(spec.persistentVolumeClaimRetentionPolicy.whenDeleted, "Delete");
                assert.ok(c.volumeMounts.some((m: any) => m.name === "data"));
            });

            it("is valid against the Kubernetes schema", () => {
                assert.deepEqual(validateManifest({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name, namespace: "flodrama-infra" }, spec }), []);
                assert.deepEqual(validateManifest({ apiVersion: "v1", kind: "Service", metadata: { name }, spec: headlessServiceSpec(name, 6379) }), []);
                assert.deepEqual(
                    validateManifest({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name }, spec: storeNetworkPolicySpec(name, 6379, "flodrama") }),
                    [],
                );
            });
        });
    }

    it("keeps the volume when protected", () => {
        assert.equal((mongoStatefulSetSpec({ ...store, retainVolume: true }) as any).persistentVolumeClaimRetentionPolicy.whenDeleted, "Retain");
    });

    it("takes MongoDB's root credentials from the mongo-auth Secret and authenticates its probes", () => {
        const c = (specs.mongo.template.spec.containers[0] as any);
        const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
        assert.deepEqual(env.MONGO_INITDB_ROOT_USERNAME.valueFrom.secretKeyRef, { name: MONGO_AUTH_SECRET, key: "username" });
        assert.deepEqual(env.MONGO_INITDB_ROOT_PASSWORD.valueFrom.secretKeyRef, { name: MONGO_AUTH_SECRET, key: "password" });
        assert.match(MONGO_PING, /--username "\$MONGO_INITDB_ROOT_USERNAME" --password "\$MONGO_INITDB_ROOT_PASSWORD"/);
        assert.deepEqual(c.readinessProbe.exec.command, ["sh", "-c", MONGO_PING]);
    });

    it("gives Redis its password through the environment and a config file, never in arguments", () => {
        const c = (specs.redis.template.spec.containers[0] as any);
        const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
        assert.deepEqual(env.REDIS_PASSWORD.valueFrom.secretKeyRef, { name: REDIS_AUTH_SECRET, key: "password" });
        assert.deepEqual(env.REDISCLI_AUTH.valueFrom.secretKeyRef, { name: REDIS_AUTH_SECRET, key: "password" });
        assert.equal(c.args, undefined);
        assert.deepEqual(c.command, ["sh", "-c", REDIS_START]);
        assert.ok(!REDIS_START.includes("--requirepass"), "no password on the command line");
        assert.match(REDIS_START, /requirepass .* "\$REDIS_PASSWORD" > \/tmp\/redis\.conf/);
        assert.match(REDIS_START, /exec redis-server \/tmp\/redis\.conf/);
        assert.match(REDIS_PING, /ping \| grep -q PONG/);
    });

    it("admits only the app namespace, only on the store's port", () => {
        const spec = storeNetworkPolicySpec("redis", 6379, "flodrama");
        assert.deepEqual(spec.policyTypes, ["Ingress"]);
        assert.deepEqual(spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "flodrama" } } }], ports: [{ protocol: "TCP", port: 6379 }] }]);
    });
});

describe("data tier: replacement check", () => {
    const res = (type: string, name: string, inputs: Record<string, unknown>) => ({ type, name, inputs });
    const base = [
        res("aws:docdb/cluster:Cluster", "data-docdb", { clusterIdentifier: "flodrama-prod-docdb", kmsKeyId: "k1", backupRetentionPeriod: 14 }),
        res("aws:docdb/clusterInstance:ClusterInstance", "data-docdb-1", { identifier: "x-1", availabilityZone: "eu-west-3a", instanceClass: "db.r6g.large" }),
        res("aws:s3/bucket:Bucket", "other", { bucket: "b" }),
    ];

    it("keeps only replacement-forcing inputs of stateful types", () => {
        const id = replacementIdentity(base);
        assert.deepEqual(Object.keys(id), ["aws:docdb/cluster:Cluster::data-docdb", "aws:docdb/clusterInstance:ClusterInstance::data-docdb-1"]);
        assert.deepEqual(id["aws:docdb/cluster:Cluster::data-docdb"], { clusterIdentifier: "flodrama-prod-docdb", kmsKeyId: "k1" });
    });

    it("ignores in-place changes and reports replacing ones and removals", () => {
        const before = replacementIdentity(base);
        const resized = replacementIdentity([base[0], res(base[1].type, base[1].name, { ...base[1].inputs, instanceClass: "db.r6g.xlarge" })]);
        assert.deepEqual(replacementsBetween(before, resized), []);
        const moved = replacementIdentity([base[0], res(base[1].type, base[1].name, { ...base[1].inputs, availabilityZone: "eu-west-3b" })]);
        assert.deepEqual(replacementsBetween(before, moved), [
            'aws:docdb/clusterInstance:ClusterInstance::data-docdb-1: availabilityZone "eu-west-3a" → "eu-west-3b" replaces it',
        ]);
        assert.match(replacementsBetween(before, replacementIdentity([base[0]]))[0], /data-docdb-1 would be deleted/);
    });
});
