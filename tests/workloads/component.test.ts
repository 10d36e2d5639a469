/**
 * The Workloads component (with the ImageRepositories it takes) under Pulumi mocks, on the fixture
 * cluster and network and a fake data tier, for each stack file as committed (dev builds its images,
 * prod runs releases) with its last service switched to a reference pinned by digest (so every image
 * path runs): the Kubernetes objects per service on the cluster's provider, IRSA per ServiceAccount,
 * images and repositories, the scraper bucket, outputs, and the policy pack over everything registered.
 */
import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { contentTag, IMAGE_PLATFORM, serviceBuild, ServiceImage } from "../../components/workloads/serviceImage";
import { ImageRepositories } from "../../components/workloads/imageRepositories";
import { FlodramaConfig, loadConfig } from "../../config";
import { APP_NAMESPACE, DeployedService } from "../../lib/contracts";
import { createAwsProviders, createDockerBuildProvider } from "../../lib/providers";
import { SERVICE_IMAGE_BUILD } from "../../lib/serviceContract";
import { fakeCluster, fakeNetwork, FAKE_ISSUER } from "../../offline/fixtures";
import { ProgramRun, RecordedResource, simulate, valueOf } from "../../offline/harness";
import { manifestOf, validateManifest } from "../../offline/kubeSchema";
import { ACCOUNT_ID, TEST_SECRET } from "../../offline/mocks";
import { formatFinding, runPolicies } from "../../offline/policyRunner";
import { podSecurityViolations } from "../../policy/podSecurity";
import { FlodramaService } from "../../components/workloads/flodramaService";
import { ROLE_ARN_ANNOTATION } from "../../k8s/serviceSpecs";
import { SCRAPER_ENV, Workloads } from "../../components/workloads/workloads";
import { fakeData, FAKE_DATA_SECRET } from "./helpers";

/** The digest reference the last service is pinned to in these runs. */
const PINNED = `123456789012.dkr.ecr.eu-west-3.amazonaws.com/flodrama-pinned@sha256:${"a".repeat(64)}`;

const K8S_KINDS = ["ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"];

for (const stack of ["dev", "prod"]) {
    describe(`Workloads component on stack ${stack} (its images as committed, the last one pinned by digest)`, () => {
        let run: ProgramRun;
        let cfg: FlodramaConfig;
        let workloads: Workloads;
        let images: ImageRepositories;
        let addon: RecordedResource;
        let lbController: RecordedResource;

        before(async () => {
            const sim = await simulate(
                stack,
                () => {
                    cfg = loadConfig();
                    const providers = createAwsProviders(cfg);
                    const cluster = fakeCluster();
                    // Stand-ins for metrics-server and the LB controller: no workload object may wait for them.
                    cluster.metricsServer = [new k8s.helm.v3.Release("fixture-metrics-server", { chart: "metrics-server", namespace: "kube-system" }, { provider: cluster.provider })];
                    cluster.lbController = [new k8s.helm.v3.Release("fixture-lb-controller", { chart: "aws-load-balancer-controller", namespace: "kube-system" }, { provider: cluster.provider })];
                    images = new ImageRepositories("images", { stack: cfg.stack, region: cfg.region, services: cfg.services, protect: cfg.protect }, { provider: providers.aws });
                    workloads = new Workloads(
                        "workloads",
                        {
                            stack: cfg.stack,
                            region: cfg.region,
                            services: cfg.services,
                            images,
                            dockerBuildProvider: cfg.services.some((s) => s.image.kind === "build") ? createDockerBuildProvider() : undefined,
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
                        v.services[v.services.length - 1].image = PINNED;
                    },
                },
            );
            run = new ProgramRun(stack, sim.resources, {}, [], sim.config);
            addon = run.one("kubernetes:helm.sh/v3:Release", "fixture-metrics-server");
            lbController = run.one("kubernetes:helm.sh/v3:Release", "fixture-lb-controller");
        });

        const services = () => cfg.services;
        const k8sOf = (kind: string, name?: string) => run.kubernetes(kind).filter((r) => name === undefined || r.inputs.metadata?.name === name);
        const pinnedService = () => services()[services().length - 1];
        const repoOf = (name: string) => run.one("aws:ecr/repository:Repository", `images-${name}-repository`);

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

        it("puts every Kubernetes object on the cluster's provider in namespace flodrama, waiting for no Helm chart", () => {
            const objects = run.resources.filter((r) => K8S_KINDS.some((k) => r.type.endsWith(`:${k}`)));
            assert.ok(objects.length >= services().length * 6);
            for (const r of objects) {
                assert.equal(run.providerOf(r)?.name, "fixture-k8s", `${r.type} ${r.name}`);
                assert.equal(r.inputs.metadata.namespace, APP_NAMESPACE, `${r.type} ${r.name}`);
                // Critical path: HPAs act once metrics-server serves; nothing needs a chart to be created.
                assert.ok(!r.dependencies.includes(addon.urn) && !r.dependencies.includes(lbController.urn), `${r.type} ${r.name} waits for no chart: ${r.dependencies.join(", ")}`);
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
            for (const root of [run.one("flodrama:k8s:Workloads"), run.one("flodrama:images:ImageRepositories")]) {
                for (const r of run.descendants(root.urn)) {
                    const parent = run.byUrn(r.parent!)!;
                    assert.ok(r.name.startsWith(parent.name), `${r.name} under ${parent.name}`);
                }
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
            const key = run.one("aws:kms/key:Key", "images-key");
            for (const s of scrapers) {
                const doc = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", `workloads-${s.name}-irsa-policy`).inputs.policy);
                const objects = doc.Statement.find((x: any) => x.Sid === "ReadWriteOwnPrefix");
                assert.equal(objects.Resource, `${bucket.state.arn}/${s.name}/*`);
                const kms = doc.Statement.find((x: any) => x.Sid === "UseBucketKeyThroughS3");
                assert.equal(kms.Resource, key.state.arn);
                const env = k8sOf("Deployment", s.name)[0].inputs.spec.template.spec.containers[0].env;
                assert.ok(env.some((e: any) => e.name === SCRAPER_ENV.bucket && e.value === bucket.state.bucket));
                assert.ok(env.some((e: any) => e.name === SCRAPER_ENV.prefix && e.value === `${s.name}/`));
                assert.deepEqual(JSON.parse(env.find((e: any) => e.name === SCRAPER_ENV.sources).value), s.scraper!.sources);
                assert.equal(env.find((e: any) => e.name === SCRAPER_ENV.intervalSeconds).value, String(s.scraper!.intervalSeconds));
            }
        });

        it("creates one ECR repository per service: scan on push, immutable tags, the images' KMS key, a lifecycle keeping keepImages", () => {
            const key = run.one("aws:kms/key:Key", "images-key");
            for (const s of services()) {
                const repo = repoOf(s.name);
                assert.equal(repo.inputs.name, `flodrama-${stack}-${s.name}`);
                assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
                assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
                assert.deepEqual(repo.inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: key.state.arn }]);
                // Images are rebuilt or re-released: dev deletes them with the repository (lib/stateful.ts).
                assert.equal(repo.inputs.forceDelete, !cfg.protect);
                const lifecycle = run.one("aws:ecr/lifecyclePolicy:LifecyclePolicy", `images-${s.name}-lifecycle`);
                assert.equal(lifecycle.inputs.repository, repo.inputs.name);
                assert.equal(JSON.parse(lifecycle.inputs.policy).rules[0].selection.countNumber, s.keepImages);
            }
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(key.protect, cfg.protect);
        });

        it("builds each `build` service from the repository root with services/Dockerfile, SERVICE, linux/amd64, a content tag and ECR credentials, and deploys the digest", () => {
            const builds = services().filter((s) => s.image.kind === "build");
            assert.equal(run.ofType("docker-build:index:Image").length, builds.length);
            assert.equal(builds.length, stack === "dev" ? services().length - 1 : 0, "dev builds every image it does not pin; prod none");
            for (const s of builds) {
                const service = (s.image as { service: string }).service;
                const image = run.one("docker-build:index:Image", `workloads-${s.name}-image-build`);
                const repo = repoOf(s.name);
                assert.deepEqual(image.inputs.context, { location: "." });
                assert.deepEqual(image.inputs.dockerfile, { location: SERVICE_IMAGE_BUILD.dockerfile });
                assert.deepEqual(image.inputs.buildArgs, { [SERVICE_IMAGE_BUILD.buildArg]: service });
                assert.deepEqual(image.inputs.platforms, [IMAGE_PLATFORM]);
                assert.equal(image.inputs.push, true);
                assert.equal(image.inputs.buildOnPreview, false);
                assert.deepEqual(image.inputs.tags, [`${repo.state.repositoryUrl}:${contentTag(serviceBuild(service as any))}`]);
                assert.deepEqual(image.inputs.registries, [{ address: repo.state.repositoryUrl, username: "AWS", password: TEST_SECRET }]);
                assert.ok(image.secretInputs.some((k) => k.startsWith("registries")), "the registry password stays secret");
                assert.equal(run.providerOf(image)?.type, "pulumi:providers:docker-build");
                const container = k8sOf("Deployment", s.name)[0].inputs.spec.template.spec.containers[0];
                assert.equal(container.image, `${repo.state.repositoryUrl}@${image.state.digest}`);
                assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
            }
        });

        it("runs each `release` service at the digest ECR holds for that version in its repository", () => {
            const releases = services().filter((s) => s.image.kind === "release");
            assert.equal(releases.length, stack === "prod" ? services().length - 1 : 0);
            for (const s of releases) {
                const repo = repoOf(s.name);
                const container = k8sOf("Deployment", s.name)[0].inputs.spec.template.spec.containers[0];
                assert.match(container.image, new RegExp(`^${repo.state.repositoryUrl.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}$`));
            }
            if (stack === "prod") {
                assert.equal(run.resources.filter((r) => r.type === "pulumi:providers:docker-build").length, 0, "prod declares no docker-build provider");
            }
        });

        it("deploys a pinned reference as given, and builds nothing for it", () => {
            const s = pinnedService();
            assert.deepEqual(s.image, { kind: "pinned", ref: PINNED });
            assert.equal(k8sOf("Deployment", s.name)[0].inputs.spec.template.spec.containers[0].image, PINNED);
            assert.equal(run.ofType("docker-build:index:Image").filter((i) => i.name === `workloads-${s.name}-image-build`).length, 0);
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
            assert.equal(sse.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, run.one("aws:kms/key:Key", "images-key").state.arn);
            assert.equal(companion("aws:s3/bucketVersioning:BucketVersioning", "workloads-scraper-bucket-versioning").versioningConfiguration.status, "Enabled");
            assert.equal(companion("aws:s3/bucketLogging:BucketLogging", "workloads-scraper-bucket-logging").targetBucket, logs.state.bucket);
            const lifecycle = companion("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "workloads-scraper-logs-lifecycle");
            assert.equal(lifecycle.rules[0].expiration.days, cfg.logRetentionDays);
        });

        it("passes the policy pack (FSBP, Pod Security, workload hygiene, HPA and PDB per Deployment)", () => {
            const report = runPolicies(run);
            assert.equal(report.violations.length, 0, `\n${report.violations.map(formatFinding).join("\n")}`);
        });

        it("exports repository URLs (ImageRepositories) and deployed images per service, and the deployed services", async () => {
            const urls = await valueOf(images.repositoryUrls);
            const deployedImages = await valueOf(workloads.deployedImages);
            assert.deepEqual(Object.keys(urls), services().map((s) => s.name));
            for (const s of services()) {
                assert.equal(urls[s.name], `${ACCOUNT_ID}.dkr.ecr.${cfg.region}.amazonaws.com/flodrama-${stack}-${s.name}`);
                const container = k8sOf("Deployment", s.name)[0].inputs.spec.template.spec.containers[0];
                assert.equal(deployedImages[s.name], container.image);
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

describe("Workloads, ImageRepositories, ServiceImage and FlodramaService without the stack's AWS provider", () => {
    const repository = () => {
        const out = (v: string) => pulumi.output(v);
        return { name: out("flodrama-dev-api"), url: out(`${ACCOUNT_ID}.dkr.ecr.eu-west-3.amazonaws.com/flodrama-dev-api`), arn: out("arn:aws:ecr:eu-west-3:123456789012:repository/flodrama-dev-api"), registryId: out(ACCOUNT_ID) };
    };
    it("refuse to run rather than fall back to a default provider", async () => {
        await assert.rejects(
            simulate("dev", () => {
                const cfg = loadConfig();
                return new Workloads("workloads", {
                    stack: cfg.stack,
                    region: cfg.region,
                    services: cfg.services,
                    images: { repositories: {}, kmsKeyArn: pulumi.output("arn:aws:kms:eu-west-3:123456789012:key/k") },
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
            simulate("dev", () => new ImageRepositories("images", { stack: "dev", region: "eu-west-3", services: [{ name: "api", keepImages: 5 }], protect: false })),
            /ImageRepositories needs the stack's AWS provider/,
        );
        await assert.rejects(
            simulate("dev", () => new ServiceImage("image", { serviceName: "api", source: { kind: "release", version: "1.0.0" }, repository: repository() })),
            /ServiceImage needs the stack's AWS provider/,
        );
        await assert.rejects(
            simulate("dev", () => {
                const cfg = loadConfig();
                const service = cfg.services[0];
                return new FlodramaService("svc", { stack: cfg.stack, service, image: "x@sha256:" + "a".repeat(64), cluster: fakeCluster(), network: fakeNetwork(2), data: fakeData(cfg.data.mode) });
            }),
            /FlodramaService needs the stack's AWS provider/,
        );
    });

    it("a build without the docker-build provider stops with the fix", async () => {
        await assert.rejects(
            simulate("dev", () => {
                const providers = createAwsProviders(loadConfig());
                return new ServiceImage("image", { serviceName: "api", source: { kind: "build", service: "api" }, repository: repository() }, { provider: providers.aws });
            }),
            /image\.build needs the docker-build provider \(lib\/providers\.ts createDockerBuildProvider/,
        );
    });
});
