/**
 * The pure spec builders of the service component, images and workloads, without mocks: every
 * object of every configured service of both stacks against the Kubernetes schema and Pod Security
 * `restricted`, the selectors that tie HPA, PDB, Service and NetworkPolicies to the Deployment, the
 * NetworkPolicies per role, IAM documents per role (images: tests/workloads/images.test.ts).
 */
import { strict as assert } from "assert";
import { expectedTlsOnlyStatement } from "../expectations";
import { RESERVED_ENV_NAMES } from "../../components/workloads/config";
import { ServiceConfig } from "../../lib/contracts";
import { DATA_SECRET_KEYS, DATA_SECRET_MOUNT_PATH, MONITORING_NAMESPACE, SERVICE_PORT_NAME, serviceLabels } from "../../lib/contracts";
import { APP_PORT_ENV, MANAGEMENT_PORT, MANAGEMENT_PORT_ENV, MANAGEMENT_PORT_NAME, PROBE_PATHS, SHUTDOWN_TIMEOUT_ENV } from "../../lib/serviceContract";
import { fakeNetwork } from "../../offline/fixtures";
import { validateManifest } from "../../offline/kubeSchema";
import { podSecurityViolations } from "../../policy/podSecurity";
import { pinned } from "../../policy/kubernetes";
import { logDeliveryStatement } from "../../lib/s3";
import {
    ANYWHERE,
    containerEnv,
    deploymentManifest,
    egressPolicyManifest,
    hpaManifest,
    ingressPolicyManifest,
    LINK_LOCAL_CIDR,
    pdbManifest,
    podLabels,
    preStopSleepSeconds,
    programEnvNames,
    ROLE_ARN_ANNOTATION,
    RUN_AS_USER,
    SCALE_DOWN_STABILIZATION_SECONDS,
    serviceAccountManifest,
    serviceManifest,
    shutdownTimeoutSeconds,
} from "../../k8s/serviceSpecs";
import { ACCESS_LOG_PREFIX, bucketPolicy, SCRAPER_ENV, scraperEnv, servicePolicy } from "../../components/workloads/workloads";
import { workloadsKeyPolicy } from "../../components/workloads/imageRepositories";
import { configFor, FAKE_DATA_SECRET } from "./helpers";

/** The image every builder test deploys (the builders take the reference as resolved by ServiceImage). */
const IMAGE = `123456789012.dkr.ecr.eu-west-3.amazonaws.com/flodrama-dev-api@sha256:${"b".repeat(64)}`;

const NS = "flodrama";
const ROLE_ARN = "arn:aws:iam::123456789012:role/flodrama-dev-flodrama-api";

/** Every object the component creates for a service, as the API server would receive it. */
function objectsOf(service: ServiceConfig, mode: "managed" | "in-cluster") {
    const net = fakeNetwork(2);
    const extraEnv = service.role === "scraper" ? scraperEnv(service, "bucket") : undefined;
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", ...deploymentManifest({ service, image: IMAGE, namespace: NS, dataSecretName: FAKE_DATA_SECRET, extraEnv }) };
    const svc = serviceManifest(service, NS);
    return {
        deployment: deployment as any,
        service: svc ? ({ apiVersion: "v1", kind: "Service", ...svc } as any) : undefined,
        hpa: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", ...hpaManifest(service, NS) } as any,
        pdb: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", ...pdbManifest(service, NS) } as any,
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", ...serviceAccountManifest(service, NS, ROLE_ARN) } as any,
        ingress: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...ingressPolicyManifest(service, net, NS) } as any,
        egress: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...egressPolicyManifest(service, net, { mode, mongoPort: 27017, redisPort: 6379 }, NS) } as any,
    };
}

const subset = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);

for (const stack of ["dev", "prod"]) {
    const cfg = configFor(stack);
    for (const service of cfg.services) {
        describe(`workloads builders: ${stack} ${service.name} (${service.role})`, () => {
            const o = objectsOf(service, cfg.data.mode);
            const pod = o.deployment.spec.template.spec;
            const container = pod.containers[0];

            it("builds objects that are valid against the Kubernetes schema", () => {
                for (const obj of Object.values(o).filter(Boolean)) {
                    assert.deepEqual(validateManifest(obj), [], `${obj.kind} ${obj.metadata.name}`);
                }
            });

            it("meets Pod Security restricted, with a read-only root and a writable /tmp", () => {
                assert.deepEqual(podSecurityViolations(pod, o.deployment.spec.template.metadata.annotations ?? {}), []);
                assert.equal(pod.securityContext.runAsNonRoot, true);
                assert.equal(pod.securityContext.runAsUser, RUN_AS_USER);
                assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
                assert.equal(container.securityContext.readOnlyRootFilesystem, true);
                assert.equal(container.securityContext.allowPrivilegeEscalation, false);
                assert.deepEqual(container.securityContext.capabilities.drop, ["ALL"]);
                const tmp = pod.volumes.find((v: any) => v.name === "tmp");
                assert.ok(tmp.emptyDir);
                assert.ok(container.volumeMounts.some((m: any) => m.name === "tmp" && m.mountPath === "/tmp"));
            });

            it("ties HPA, PDB, Service and NetworkPolicies to the Deployment's pods", () => {
                const labels = o.deployment.spec.template.metadata.labels;
                assert.ok(subset(o.deployment.spec.selector.matchLabels, labels));
                assert.deepEqual(o.deployment.spec.selector.matchLabels, serviceLabels(service.name));
                assert.deepEqual(o.hpa.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: o.deployment.metadata.name });
                assert.ok(subset(o.pdb.spec.selector.matchLabels, labels));
                assert.ok(subset(o.ingress.spec.podSelector.matchLabels, labels));
                assert.ok(subset(o.egress.spec.podSelector.matchLabels, labels));
                if (o.service) {
                    assert.ok(subset(o.service.spec.selector, labels));
                }
                for (const obj of Object.values(o).filter(Boolean)) {
                    assert.equal(obj.metadata.namespace, NS);
                }
            });

            it("runs the image on the app and management ports, probes on the management port with the contract's paths, resources and grace period", () => {
                assert.equal(container.image, IMAGE);
                assert.ok(pinned(container.image));
                assert.deepEqual(container.ports, [
                    { name: SERVICE_PORT_NAME, containerPort: service.port, protocol: "TCP" },
                    { name: MANAGEMENT_PORT_NAME, containerPort: MANAGEMENT_PORT, protocol: "TCP" },
                ]);
                assert.equal(container.startupProbe.httpGet.path, PROBE_PATHS.startup);
                assert.equal(container.livenessProbe.httpGet.path, PROBE_PATHS.liveness);
                assert.equal(container.readinessProbe.httpGet.path, PROBE_PATHS.readiness);
                for (const p of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
                    assert.equal(p.httpGet.port, MANAGEMENT_PORT_NAME);
                }
                const env = Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
                assert.equal(env[MANAGEMENT_PORT_ENV], String(MANAGEMENT_PORT));
                assert.equal(env[APP_PORT_ENV], String(service.port));
                // Drains within the grace period, after the preStop sleep, with a margin: the kubelet never SIGKILLs.
                const timeout = Number(env[SHUTDOWN_TIMEOUT_ENV]);
                assert.ok(timeout >= 1 && timeout + (preStopSleepSeconds(service) ?? 0) < service.terminationGracePeriodSeconds, `${timeout}`);
                assert.equal(timeout, shutdownTimeoutSeconds(service));
                assert.deepEqual(container.resources, {
                    requests: { cpu: service.resources.cpuRequest, memory: service.resources.memoryRequest },
                    limits: { cpu: service.resources.cpuLimit, memory: service.resources.memoryLimit },
                });
                assert.equal(pod.terminationGracePeriodSeconds, service.terminationGracePeriodSeconds);
            });

            it("keeps capacity during rollouts and leaves replicas to the HPA", () => {
                assert.deepEqual(o.deployment.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } });
                assert.equal(o.deployment.spec.replicas, undefined, "spec.replicas belongs to the HPA");
                assert.ok(o.deployment.spec.revisionHistoryLimit > 0 && o.deployment.spec.revisionHistoryLimit <= 10);
            });

            it("spreads pods over zones and nodes", () => {
                const keys = pod.topologySpreadConstraints.map((c: any) => c.topologyKey).sort();
                assert.deepEqual(keys, ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
                for (const c of pod.topologySpreadConstraints) {
                    assert.equal(c.maxSkew, 1);
                    assert.deepEqual(c.labelSelector.matchLabels, serviceLabels(service.name));
                }
            });

            it("autoscales on CPU and memory between the configured bounds, slowly down", () => {
                assert.equal(o.hpa.spec.minReplicas, service.replicas.min);
                assert.equal(o.hpa.spec.maxReplicas, service.replicas.max);
                const targets = Object.fromEntries(o.hpa.spec.metrics.map((m: any) => [m.resource.name, m.resource.target]));
                assert.deepEqual(targets, {
                    cpu: { type: "Utilization", averageUtilization: service.autoscaling.cpuUtilization },
                    memory: { type: "Utilization", averageUtilization: service.autoscaling.memoryUtilization },
                });
                assert.equal(o.hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, SCALE_DOWN_STABILIZATION_SECONDS);
            });

            it("lets one pod be evicted at a time, even with a single replica", () => {
                assert.equal(o.pdb.spec.maxUnavailable, 1);
                assert.equal(o.pdb.spec.minAvailable, undefined);
                assert.equal(o.pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
            });

            it("reads the data Secret as environment and as read-only files", () => {
                for (const key of [DATA_SECRET_KEYS.mongoUri, DATA_SECRET_KEYS.redisUrl]) {
                    const env = container.env.find((e: any) => e.name === key);
                    assert.deepEqual(env.valueFrom, { secretKeyRef: { name: FAKE_DATA_SECRET, key } });
                }
                const vol = pod.volumes.find((v: any) => v.secret);
                assert.equal(vol.secret.secretName, FAKE_DATA_SECRET);
                const mount = container.volumeMounts.find((m: any) => m.name === vol.name);
                assert.deepEqual(mount, { name: vol.name, mountPath: DATA_SECRET_MOUNT_PATH, readOnly: true });
                for (const [k, v] of Object.entries(service.env)) {
                    assert.ok(container.env.some((e: any) => e.name === k && e.value === v), `env ${k}`);
                }
                assert.ok(container.env.some((e: any) => e.name === "PORT" && e.value === String(service.port)));
                // No secret value in plain text: only references.
                assert.ok(!container.env.some((e: any) => /mongodb:\/\/|rediss?:\/\//.test(String(e.value))));
            });

            it("annotates the ServiceAccount with its IRSA role and mounts no Kubernetes API token", () => {
                assert.equal(o.serviceAccount.metadata.name, service.name);
                assert.equal(pod.serviceAccountName, service.name);
                assert.equal(o.serviceAccount.metadata.annotations[ROLE_ARN_ANNOTATION], ROLE_ARN);
                assert.equal(o.serviceAccount.automountServiceAccountToken, false);
                assert.equal(pod.automountServiceAccountToken, false);
            });

            it(`${service.expose === "none" ? "has no Service and no preStop sleep" : "has a ClusterIP Service on the named port and a preStop sleep below the grace period"}`, () => {
                if (service.expose === "none") {
                    assert.equal(o.service, undefined);
                    assert.equal(container.lifecycle, undefined);
                    return;
                }
                assert.equal(o.service.spec.type, "ClusterIP");
                // The app port only: the management port is on no Service, so no TargetGroupBinding can name it.
                assert.deepEqual(o.service.spec.ports, [{ name: SERVICE_PORT_NAME, port: service.port, targetPort: SERVICE_PORT_NAME, protocol: "TCP" }]);
                const sleep = container.lifecycle.preStop.sleep.seconds;
                assert.ok(sleep > 0 && sleep * 2 <= service.terminationGracePeriodSeconds, `sleep ${sleep}s of ${service.terminationGracePeriodSeconds}s`);
            });

            it("admits the NLB's subnets on the app port only (when exposed) and monitoring on the management port only", () => {
                const rules = o.ingress.spec.ingress;
                assert.deepEqual(o.ingress.spec.policyTypes, ["Ingress"]);
                const fromSubnets = rules.filter((r: any) => r.from.some((f: any) => f.ipBlock));
                const fromMonitoring = rules.filter((r: any) => r.from.some((f: any) => f.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === MONITORING_NAMESPACE));
                assert.equal(fromSubnets.length + fromMonitoring.length, rules.length, "no other rule");
                for (const r of fromSubnets) {
                    assert.deepEqual(r.ports, [{ protocol: "TCP", port: service.port }]);
                    assert.ok(r.from.every((f: any) => f.ipBlock), "subnet rules name nothing else");
                }
                const cidrs = fromSubnets.flatMap((r: any) => r.from.map((f: any) => f.ipBlock.cidr));
                assert.deepEqual(cidrs, service.expose === "none" ? [] : fakeNetwork(2).privateSubnetCidrs);
                assert.equal(fromMonitoring.length, 1);
                assert.deepEqual(fromMonitoring[0].ports, [{ protocol: "TCP", port: MANAGEMENT_PORT }]);
                assert.equal(fromMonitoring[0].from.length, 1);
            });

            it(`lets traffic out to DNS, the ${cfg.data.mode} data tier, AWS APIs${service.internetEgress ? " and the web" : ", and nowhere else"}`, () => {
                const rules = o.egress.spec.egress;
                assert.deepEqual(o.egress.spec.policyTypes, ["Egress"]);
                const dns = rules.find((r: any) => r.to.some((t: any) => t.podSelector?.matchLabels["k8s-app"] === "kube-dns"));
                assert.deepEqual(dns.ports.map((p: any) => `${p.protocol}/${p.port}`).sort(), ["TCP/53", "UDP/53"]);
                const data = rules.find((r: any) => r.ports.some((p: any) => p.port === 27017));
                assert.deepEqual(data.ports.map((p: any) => p.port), [27017, 6379]);
                if (cfg.data.mode === "in-cluster") {
                    assert.equal(data.to[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"], "flodrama-infra");
                } else {
                    assert.equal(data.to[0].ipBlock.cidr, fakeNetwork(2).vpcCidr);
                }
                // Every rule to public addresses is port-restricted and excludes instance metadata.
                const publicRules = rules.filter((r: any) => r.to.some((t: any) => t.ipBlock?.cidr === ANYWHERE));
                for (const r of publicRules) {
                    assert.ok(r.ports && r.ports.length > 0, "no all-ports rule to the internet");
                    for (const t of r.to) {
                        assert.ok(t.ipBlock.except.includes(LINK_LOCAL_CIDR));
                    }
                }
                const publicPorts = new Set(publicRules.flatMap((r: any) => r.ports.map((p: any) => p.port)));
                assert.deepEqual([...publicPorts].sort(), service.internetEgress ? [443, 80] : [443]);
                // Nowhere else: DNS, the data tier, AWS APIs, and the web for the scraper only.
                assert.equal(rules.length, service.internetEgress ? 4 : 3, JSON.stringify(rules));
            });
        });
    }
}

describe("workloads builders: per role", () => {
    const dev = configFor("dev");
    const byRole = (role: string) => dev.services.find((s) => s.role === role)!;

    it("gives only the scraper internet egress in the stack files", () => {
        assert.deepEqual(
            dev.services.filter((s) => s.internetEgress).map((s) => s.role),
            ["scraper"],
        );
        assert.deepEqual(
            configFor("prod").services.filter((s) => s.internetEgress).map((s) => s.role),
            ["scraper"],
        );
    });

    it("grants the scraper its own prefix of its bucket and the key only through S3; the API and Watch Party nothing here", () => {
        const ctx = { region: "eu-west-3", scraperBucketArn: "arn:aws:s3:::b", kmsKeyArn: "arn:aws:kms:eu-west-3:123456789012:key/k" };
        const scraper = byRole("scraper");
        const doc = servicePolicy(scraper, ctx)!;
        const actions = doc.Statement.flatMap((s) => ([] as string[]).concat(s.Action as string | string[]));
        assert.deepEqual(actions.sort(), ["kms:Decrypt", "kms:GenerateDataKey", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]);
        assert.ok(actions.every((a) => !a.includes("*")), "no wildcard action");
        const list = doc.Statement.find((s) => s.Action === "s3:ListBucket")!;
        assert.deepEqual(list.Condition, { StringLike: { "s3:prefix": [`${scraper.name}/*`] } });
        const kms = doc.Statement.find((s) => ([] as string[]).concat(s.Action as string[]).includes("kms:Decrypt"))!;
        assert.equal(kms.Resource, ctx.kmsKeyArn);
        assert.deepEqual(kms.Condition, { StringEquals: { "kms:ViaService": "s3.eu-west-3.amazonaws.com" } });
        assert.equal(servicePolicy(byRole("rest-api"), ctx), undefined);
        assert.equal(servicePolicy(byRole("watch-party"), ctx), undefined);
    });

    it("sleeps before SIGTERM only behind the load balancer, leaving half the grace period to drain", () => {
        const wp = byRole("watch-party");
        assert.equal(preStopSleepSeconds(byRole("scraper")), undefined);
        assert.equal(preStopSleepSeconds(wp), 15);
        assert.equal(preStopSleepSeconds({ ...wp, terminationGracePeriodSeconds: 10 }), 5);
        assert.equal(preStopSleepSeconds({ ...wp, terminationGracePeriodSeconds: 5 }), 2);
    });

    it("labels pods with the shared service labels plus component and manager", () => {
        assert.deepEqual(podLabels(byRole("rest-api")), { ...serviceLabels("api"), "app.kubernetes.io/component": "rest-api", "app.kubernetes.io/managed-by": "pulumi" });
    });

    it("refuses config env that shadows what the program sets, and reserves every such name in config", () => {
        const api = byRole("rest-api");
        assert.throws(() => containerEnv({ service: { ...api, env: { MONGODB_URI: "mongodb://plain" } }, image: "x:1", namespace: NS, dataSecretName: "s" }), /MONGODB_URI/);
        for (const name of [...programEnvNames(), ...Object.values(SCRAPER_ENV)]) {
            assert.ok(RESERVED_ENV_NAMES.includes(name), `${name} is reserved in components/workloads/config.ts`);
        }
    });
});

describe("workloads builders: S3, KMS and ECR documents", () => {
    it("denies every request without TLS on the bucket and its objects", () => {
        const doc = JSON.parse(bucketPolicy("arn:aws:s3:::b"));
        assert.deepEqual(doc.Statement[0], expectedTlsOnlyStatement("arn:aws:s3:::b"));
    });

    it("lets S3 log delivery write for the scraper bucket of this account only", () => {
        const doc = JSON.parse(bucketPolicy("arn:aws:s3:::logs", [logDeliveryStatement("arn:aws:s3:::logs", "arn:aws:s3:::b", "123456789012", ACCESS_LOG_PREFIX)]));
        assert.equal(doc.Statement[0].Sid, "DenyInsecureTransport");
        const s = doc.Statement[1];
        assert.deepEqual(s.Principal, { Service: "logging.s3.amazonaws.com" });
        assert.equal(s.Action, "s3:PutObject");
        // Only under the prefix the bucket logging writes to.
        assert.equal(s.Resource, `arn:aws:s3:::logs/${ACCESS_LOG_PREFIX}*`);
        assert.deepEqual(s.Condition, { ArnLike: { "aws:SourceArn": "arn:aws:s3:::b" }, StringEquals: { "aws:SourceAccount": "123456789012" } });
    });

    it("writes a key policy with the account as only principal and no wildcard action", () => {
        const doc = JSON.parse(workloadsKeyPolicy("aws", "123456789012", "eu-west-3"));
        for (const s of doc.Statement) {
            assert.deepEqual(s.Principal, { AWS: "arn:aws:iam::123456789012:root" });
            assert.ok(!s.Action.includes("*") && !s.Action.includes("kms:*"));
        }
        // ECR creates its grants through its service; nobody creates one directly.
        const grant = doc.Statement.find((s: any) => s.Action.includes("kms:CreateGrant"));
        assert.deepEqual(grant.Condition.Bool, { "kms:GrantIsForAWSResource": "true" });
        assert.deepEqual(grant.Condition.StringEquals["kms:ViaService"], ["ecr.eu-west-3.amazonaws.com"]);
    });
});
