/**
 * The Workloads component alone under Pulumi mocks, on the fixture cluster and network and a fake
 * data tier, for each stack file with its first service switched to a Docker build (so both the
 * build path and the pinned path run in every stack): the Kubernetes objects per service on the
 * cluster's provider, IRSA per ServiceAccount, images and repositories, the scraper bucket, outputs,
 * and the policy pack over everything the component registers.
 */
import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { CONTENT_TAG_LENGTH, IMAGE_PLATFORM, ServiceImage } from "../../components/workloads/serviceImage";
import { FlodramaConfig, loadConfig } from "../../config";
import { APP_NAMESPACE, DeployedService } from "../../lib/contracts";
import { createAwsProviders } from "../../lib/providers";
import { fakeCluster, fakeNetwork, FAKE_ISSUER } from "../../offline/fixtures";
import { ProgramRun, RecordedResource, simulate, valueOf } from "../../offline/harness";
import { manifestOf, validateManifest } from "../../offline/kubeSchema";
import { ACCOUNT_ID } from "../../offline/mocks";
import { formatFinding, runPolicies } from "../../offline/policyRunner";
import { podSecurityViolations } from "../../policy/podSecurity";
import { FlodramaService } from "../../components/workloads/flodramaService";
import { ROLE_ARN_ANNOTATION } from "../../k8s/serviceSpecs";
import { SCRAPER_ENV, Workloads } from "../../components/workloads/workloads";
import { fakeData, FAKE_DATA_SECRET, tempBuildContext } from "./helpers";

const K8S_KINDS = ["ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"];

for (const stack of ["dev", "prod"]) {
    describe(`Workloads component on stack ${stack} (first service built, others pinned)`, () => {
        let run: ProgramRun;
        let cfg: FlodramaConfig;
        let workloads: Workloads;
        let addon: RecordedResource;
        const context = tempBuildContext();

        before(async () => {
            const sim = await simulate(
                stack,
                () => {
                    cfg = loadConfig();
                    const providers = createAwsProviders(cfg);
                    const cluster = fakeCluster();
                    // Stands in for metrics-server and the LB controller, which objects must wait for.
                    cluster.addons = [new k8s.helm.v3.Release("fixture-metrics-server", { chart: "metrics-server", namespace: "kube-system" }, { provider: cluster.provider })];
                    workloads = new Workloads(
                        "workloads",
                        {
                            stack: cfg.stack,
                            region: cfg.region,
                            services: cfg.services,
                            network: fakeNetwork(cfg.network.azCount),
                            cluster,
                            data: fakeData(cfg.data.mode),
                            protect: cfg.protect,
                            logRetentionDays: cfg.logRetentionDays,
                        },
                        { provider: providers.aws },
                    );
                },
                {
                    override: (v) => {
                        delete v.services[0].image;
                        v.services[0].build = { context };
                    },
                },
            );
            run = new ProgramRun(stack, sim.resources, {}, [], sim.config);
            addon = run.one("kubernetes:helm.sh/v3:Release");
        });

        const services = () => cfg.services;
        const k8sOf = (kind: string, name?: string) => run.kubernetes(kind).filter((r) => name === undefined || r.inputs.metadata?.name === name);
        const built = () => services()[0];

        it("creates one ServiceAccount, Deployment, HPA and PDB, two NetworkPolicies, and a Service when exposed, per service", () => {
            for (const s of services()) {
                for (const kind of ["ServiceAccount", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"]) {
                    assert.equal(k8sOf(kind, s.name).length, 1, `${kind} ${s.name}`);
                }
                assert.equal(k8sOf("Service", s.name).length, s.expose === "none" ? 0 : 1, `Service ${s.name}`);
                assert.deepEqual(
                    k8sOf("NetworkPolicy")
                        .map((r) => r.inputs.metadata.name)
                        .filter((n: string) => n.startsWith(`${s.name}-`))
                        .sort(),
                    [`${s.name}-egress`, `${s.name}-ingress`],
                );
            }
            assert.equal(k8sOf("Deployment").length, services().length);
        });

        it("puts every Kubernetes object on the cluster's provider in namespace flodrama, after the add-ons", () => {
            const objects = run.resources.filter((r) => K8S_KINDS.some((k) => r.type.endsWith(`:${k}`)));
            assert.ok(objects.length >= services().length * 6);
            for (const r of objects) {
                assert.equal(run.providerOf(r)?.name, "fixture-k8s", `${r.type} ${r.name}`);
                assert.equal(r.inputs.metadata.namespace, APP_NAMESPACE, `${r.type} ${r.name}`);
                assert.ok(r.dependencies.includes(addon.urn), `${r.type} ${r.name} waits for the add-ons`);
            }
        });

        it("validates every Kubernetes object against the schema and every pod against Pod Security restricted", () => {
            for (const r of run.kubernetes().filter((x) => K8S_KINDS.some((k) => x.type.endsWith(`:${k}`)))) {
                assert.deepEqual(validateManifest(manifestOf(r)), [], `${r.type} ${r.name}`);
            }
            for (const d of k8sOf("Deployment")) {
                assert.deepEqual(podSecurityViolations(d.inputs.spec.template.spec), [], d.name);
            }
        });

        it("names every child after the component", () => {
            const root = run.one("flodrama:k8s:Workloads");
            for (const r of run.descendants(root.urn)) {
                const parent = run.byUrn(r.parent!)!;
                assert.ok(r.name.startsWith(parent.name), `${r.name} under ${parent.name}`);
            }
            assert.equal(run.ofType("flodrama:k8s:FlodramaService").length, services().length);
            assert.equal(run.ofType("flodrama:images:ServiceImage").length, services().length);
        });

        it("gives each ServiceAccount its own IRSA role, trusted only by that ServiceAccount on this cluster", () => {
            for (const s of services()) {
                const sa = k8sOf("ServiceAccount", s.name)[0];
                const role = run.one("aws:iam/role:Role", `workloads-${s.name}-irsa-role`);
                assert.equal(sa.inputs.metadata.annotations[ROLE_ARN_ANNOTATION], role.state.arn);
                assert.equal(role.inputs.name, `flodrama-${stack}-flodrama-${s.name}`);
                const trust = JSON.parse(role.inputs.assumeRolePolicy);
                assert.equal(trust.Statement.length, 1);
                assert.deepEqual(trust.Statement[0].Principal, { Federated: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${FAKE_ISSUER}` });
                assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
                    [`${FAKE_ISSUER}:sub`]: `system:serviceaccount:flodrama:${s.name}`,
                    [`${FAKE_ISSUER}:aud`]: "sts.amazonaws.com",
                });
            }
        });

        it("attaches an inline policy to the scraper's role only, scoped to its bucket prefix and key", () => {
            const policies = run.ofType("aws:iam/rolePolicy:RolePolicy");
            const scrapers = services().filter((s) => s.role === "scraper");
            assert.deepEqual(
                policies.map((p) => p.name).sort(),
                scrapers.map((s) => `workloads-${s.name}-irsa-policy`).sort(),
            );
            const bucket = run.one("aws:s3/bucket:Bucket", "workloads-scraper-bucket");
            const key = run.one("aws:kms/key:Key", "workloads-key");
            for (const s of scrapers) {
                const doc = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", `workloads-${s.name}-irsa-policy`).inputs.policy);
                const objects = doc.Statement.find((x: any) => x.Sid === "ReadWriteOwnPrefix");
                assert.equal(objects.Resource, `${bucket.state.arn}/${s.name}/*`);
                const kms = doc.Statement.find((x: any) => x.Sid === "UseBucketKeyThroughS3");
                assert.equal(kms.Resource, key.state.arn);
                const env = k8sOf("Deployment", s.name)[0].inputs.spec.template.spec.containers[0].env;
                assert.ok(env.some((e: any) => e.name === SCRAPER_ENV.bucket && e.value === bucket.state.bucket));
                assert.ok(env.some((e: any) => e.name === SCRAPER_ENV.prefix && e.value === `${s.name}/`));
            }
        });

        it("creates one ECR repository per service: scan on push, immutable tags, the workloads KMS key, a lifecycle keeping keepImages", () => {
            const key = run.one("aws:kms/key:Key", "workloads-key");
            for (const s of services()) {
                const repo = run.one("aws:ecr/repository:Repository", `workloads-${s.name}-image-repository`);
                assert.equal(repo.inputs.name, `flodrama-${stack}-${s.name}`);
                assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
                assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
                assert.deepEqual(repo.inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: key.state.arn }]);
                // Images are rebuilt from source: dev deletes them with the repository (lib/stateful.ts).
                assert.equal(repo.inputs.forceDelete, !cfg.protect);
                const lifecycle = run.one("aws:ecr/lifecyclePolicy:LifecyclePolicy", `workloads-${s.name}-image-lifecycle`);
                assert.equal(lifecycle.inputs.repository, repo.inputs.name);
                assert.equal(JSON.parse(lifecycle.inputs.policy).rules[0].selection.countNumber, s.keepImages);
            }
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(key.protect, cfg.protect);
        });

        it("builds the build-context service for linux/amd64, tags it by content, pushes with ECR credentials and deploys the digest", () => {
            const s = built();
            assert.ok(s.build && !s.image);
            const image = run.one("docker:index/image:Image");
            const repo = run.one("aws:ecr/repository:Repository", `workloads-${s.name}-image-repository`);
            assert.equal(image.inputs.build.platform, IMAGE_PLATFORM);
            assert.equal(image.inputs.build.context, context);
            assert.match(image.inputs.imageName, new RegExp(`^${repo.state.repositoryUrl.replace(/\./g, "\\.")}:[0-9a-f]{${CONTENT_TAG_LENGTH}}$`));
            assert.deepEqual(image.inputs.registry, { server: repo.state.repositoryUrl, username: "AWS", password: "offline-test-secret" });
            assert.equal(run.providerOf(image)?.type, "pulumi:providers:docker");
            const container = k8sOf("Deployment", s.name)[0].inputs.spec.template.spec.containers[0];
            assert.equal(container.image, image.state.repoDigest);
            assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
        });

        it("deploys the pinned reference of every other service, and builds nothing for them", () => {
            assert.equal(run.ofType("docker:index/image:Image").length, 1);
            for (const s of services().slice(1)) {
                assert.ok(s.image);
                assert.equal(k8sOf("Deployment", s.name)[0].inputs.spec.template.spec.containers[0].image, s.image);
            }
        });

        it("keeps the scraper bucket private, KMS-encrypted, versioned, TLS-only, logged and expiring old versions", () => {
            const bucket = run.one("aws:s3/bucket:Bucket", "workloads-scraper-bucket");
            const logs = run.one("aws:s3/bucket:Bucket", "workloads-scraper-logs");
            assert.equal(bucket.inputs.bucket, `flodrama-${stack}-scraper-${ACCOUNT_ID}`);
            for (const b of [bucket, logs]) {
                assert.equal(b.protect, cfg.protect);
                assert.equal(b.retainOnDelete, cfg.protect);
                // Versioned: dev must delete every version for `pulumi destroy` to finish.
                assert.equal(b.inputs.forceDestroy, !cfg.protect);
            }
            const companion = (type: string, name: string) => run.one(type, name).inputs;
            assert.deepEqual(companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "workloads-scraper-bucket-public-access-block"), {
                bucket: bucket.state.bucket,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            const sse = companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "workloads-scraper-bucket-encryption");
            assert.equal(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            assert.equal(sse.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, run.one("aws:kms/key:Key", "workloads-key").state.arn);
            assert.equal(companion("aws:s3/bucketVersioning:BucketVersioning", "workloads-scraper-bucket-versioning").versioningConfiguration.status, "Enabled");
            assert.equal(companion("aws:s3/bucketLogging:BucketLogging", "workloads-scraper-bucket-logging").targetBucket, logs.state.bucket);
            const lifecycle = companion("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "workloads-scraper-logs-lifecycle");
            assert.equal(lifecycle.rules[0].expiration.days, cfg.logRetentionDays);
        });

        it("passes the policy pack (FSBP, Pod Security, workload hygiene, HPA and PDB per Deployment)", () => {
            const report = runPolicies(run);
            assert.equal(report.violations.length, 0, `\n${report.violations.map(formatFinding).join("\n")}`);
        });

        it("exports repository URLs and deployed images per service, and the deployed services", async () => {
            const urls = await valueOf(workloads.repositoryUrls);
            const images = await valueOf(workloads.deployedImages);
            assert.deepEqual(Object.keys(urls), services().map((s) => s.name));
            for (const s of services()) {
                assert.equal(urls[s.name], `${ACCOUNT_ID}.dkr.ecr.${cfg.region}.amazonaws.com/flodrama-${stack}-${s.name}`);
                assert.equal(images[s.name], s.image ?? `${urls[s.name]}@sha256:${"0".repeat(64)}`);
            }
            const deployed: DeployedService[] = workloads.services;
            assert.deepEqual(deployed.map((d) => d.config.name), services().map((s) => s.name));
            for (const d of deployed) {
                assert.equal(await valueOf(d.roleArn), `arn:aws:iam::${ACCOUNT_ID}:role/flodrama-${stack}-flodrama-${d.config.name}`);
                assert.equal(await valueOf(d.roleName), `flodrama-${stack}-flodrama-${d.config.name}`);
                if (d.config.expose === "none") {
                    assert.equal(d.serviceName, undefined);
                } else {
                    assert.equal(await valueOf(d.serviceName), d.config.name);
                }
            }
            assert.equal(await valueOf(workloads.scraperBucketName), `flodrama-${stack}-scraper-${ACCOUNT_ID}`);
        });

        it("reads the data Secret by the name the data tier hands over", () => {
            for (const d of k8sOf("Deployment")) {
                const vol = d.inputs.spec.template.spec.volumes.find((v: any) => v.secret);
                assert.equal(vol.secret.secretName, FAKE_DATA_SECRET);
            }
        });
    });
}

describe("Workloads, ServiceImage and FlodramaService without the stack's AWS provider", () => {
    it("refuse to run rather than fall back to a default provider", async () => {
        await assert.rejects(
            simulate("dev", () => {
                const cfg = loadConfig();
                return new Workloads("workloads", {
                    stack: cfg.stack,
                    region: cfg.region,
                    services: cfg.services,
                    network: fakeNetwork(2),
                    cluster: fakeCluster(),
                    data: fakeData(cfg.data.mode),
                    protect: false,
                    logRetentionDays: cfg.logRetentionDays,
                });
            }),
            /Workloads needs the stack's AWS provider/,
        );
        await assert.rejects(
            simulate("dev", () => {
                const cfg = loadConfig();
                return new ServiceImage("image", { stack: cfg.stack, service: cfg.services[0], kmsKeyArn: "arn:aws:kms:eu-west-3:123456789012:key/k", protect: false });
            }),
            /ServiceImage needs the stack's AWS provider/,
        );
        await assert.rejects(
            simulate("dev", () => {
                const cfg = loadConfig();
                const service = cfg.services[0];
                return new FlodramaService("svc", { stack: cfg.stack, service, image: service.image!, cluster: fakeCluster(), network: fakeNetwork(2), data: fakeData(cfg.data.mode) });
            }),
            /FlodramaService needs the stack's AWS provider/,
        );
    });
});
