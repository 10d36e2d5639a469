/**
 * The workloads as the real program wires them, for every stack file: one Deployment, HPA, PDB and
 * ServiceAccount per configured service on the cluster's provider in `flodrama`, waiting for the
 * cluster add-ons; HPA bounds equal to config; images by digest from the stack's own repositories
 * (dev builds, prod releases); stack outputs. And, program-wide:
 * every Kubernetes object against the schema and every pod of a restricted namespace against Pod
 * Security `restricted` (the one check in policy/podSecurity.ts, data tier included).
 */
import { strict as assert } from "assert";
import { ServiceConfig } from "../../lib/contracts";
import { APP_NAMESPACE } from "../../lib/contracts";
import { ProgramRun, runProgram, stackNames } from "../../offline/harness";
import { manifestOf, validateManifest } from "../../offline/kubeSchema";
import { kindOf, pinned, restrictedNamespaces } from "../../policy/kubernetes";
import { podSecurityViolations, podSpecOf } from "../../policy/podSecurity";

/** Custom resources whose schema kubernetes-models does not ship. */
const CUSTOM_KINDS = ["TargetGroupBinding", "ServiceMonitor", "PodMonitor", "PrometheusRule", "AlertmanagerConfig", "IngressClassParams"];
const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"];

for (const stack of stackNames()) {
    describe(`workloads in the program on stack ${stack}`, () => {
        let run: ProgramRun;
        let services: ServiceConfig[];
        before(async () => {
            run = await runProgram(stack);
            services = JSON.parse(run.config["flodrama:services"]);
        });

        const named = (kind: string, name: string) => run.kubernetes(kind).filter((r) => r.inputs.metadata?.name === name && r.inputs.metadata?.namespace === APP_NAMESPACE);

        it("creates one Deployment, HPA, PDB and ServiceAccount per configured service, on the cluster's provider in flodrama", () => {
            const k8sProvider = run.one("pulumi:providers:kubernetes", "cluster-k8s");
            for (const s of services) {
                for (const kind of ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount"]) {
                    const found = named(kind, s.name);
                    assert.equal(found.length, 1, `${kind} ${s.name}`);
                    assert.equal(found[0].provider, k8sProvider.urn, `${kind} ${s.name} on the cluster's provider`);
                }
            }
            assert.equal(run.kubernetes("Deployment").filter((d) => d.inputs.metadata?.namespace === APP_NAMESPACE).length, services.length);
        });

        it("makes every service wait for the cluster add-ons", () => {
            assert.equal(run.ofType("flodrama:k8s:Workloads").length, 1);
            for (const d of run.kubernetes("Deployment").filter((r) => r.inputs.metadata?.namespace === APP_NAMESPACE)) {
                const addons = run.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" || r.type === "aws:eks/addon:Addon");
                assert.ok(
                    addons.some((a) => d.dependencies.includes(a.urn)),
                    `Deployment ${d.inputs.metadata.name} depends on the add-ons`,
                );
            }
        });

        it("sets HPA bounds and targets from config", () => {
            for (const s of services) {
                const hpa = named("HorizontalPodAutoscaler", s.name)[0].inputs.spec;
                assert.equal(hpa.minReplicas, s.replicas.min);
                assert.equal(hpa.maxReplicas, s.replicas.max);
                assert.deepEqual(hpa.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: s.name });
                const cpu = hpa.metrics.find((m: any) => m.resource.name === "cpu");
                assert.equal(cpu.resource.target.averageUtilization, s.autoscaling.cpuUtilization);
            }
        });

        it("runs only pinned images; each service by digest from its own repository (nothing outside the stack to supply)", () => {
            for (const d of run.kubernetes("Deployment")) {
                for (const c of d.inputs.spec.template.spec.containers) {
                    assert.ok(pinned(c.image), `${d.name}: ${c.image}`);
                }
            }
            const urls = run.outputs.repositoryUrls as Record<string, string>;
            for (const s of services) {
                const image = named("Deployment", s.name)[0].inputs.spec.template.spec.containers[0].image;
                assert.equal(image.split("@")[0], urls[s.name], `${s.name} runs from ${urls[s.name]}`);
                assert.match(image, /@sha256:[0-9a-f]{64}$/);
            }
            const builds = run.ofType("docker-build:index:Image");
            assert.equal(builds.length, stack === "dev" ? services.length : 0, "dev builds every image; prod builds none");
        });

        it("exports the repository URL and the deployed image of each service", () => {
            const urls = run.outputs.repositoryUrls as Record<string, string>;
            const images = run.outputs.deployedImages as Record<string, string>;
            assert.deepEqual(Object.keys(urls).sort(), services.map((s) => s.name).sort());
            for (const s of services) {
                assert.match(urls[s.name], new RegExp(`\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/flodrama-${stack}-${s.name}$`));
                assert.equal(images[s.name], named("Deployment", s.name)[0].inputs.spec.template.spec.containers[0].image);
            }
            assert.match(String(run.outputs.scraperBucket), new RegExp(`^flodrama-${stack}-scraper-\\d{12}$`));
        });

        it("validates every Kubernetes object of the program against the Kubernetes schema", () => {
            const objects = run.kubernetes();
            assert.ok(objects.length > services.length * 6);
            for (const r of objects) {
                assert.deepEqual(validateManifest(manifestOf(r), CUSTOM_KINDS), [], `${r.type} ${r.name}`);
            }
        });

        it("passes Pod Security restricted for every pod of a restricted namespace, data tier included", () => {
            const restricted = restrictedNamespaces(run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs })) as any);
            assert.ok(restricted.has(APP_NAMESPACE));
            const workloads = run.kubernetes().filter((r) => WORKLOAD_KINDS.includes(kindOf(r.type)) && restricted.has(r.inputs.metadata?.namespace ?? "default"));
            assert.ok(workloads.length >= services.length);
            for (const w of workloads) {
                const pod = podSpecOf(kindOf(w.type), w.inputs)!;
                assert.deepEqual(podSecurityViolations(pod.spec, pod.annotations), [], `${w.type} ${w.inputs.metadata?.namespace}/${w.inputs.metadata?.name}`);
            }
        });
    });
}
