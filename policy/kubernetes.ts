/** Kubernetes policies: Pod Security `restricted` and workload hygiene for the app namespaces. */
import { asArray, Res, resourcePolicy, stackPolicy } from "./framework";
import { podSecurityViolations, podSpecOf } from "./podSecurity";

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
/** Namespaces that are restricted whatever their labels say: the application namespace. */
const ALWAYS_RESTRICTED = ["flodrama"];

export const kindOf = (type: string) => type.split(":")[2];
const isWorkload = (r: Res) => r.type.startsWith("kubernetes:") && WORKLOAD_KINDS.includes(kindOf(r.type));
const namespaceOf = (r: Res) => r.props.metadata?.namespace ?? "default";
const nameOf = (r: Res) => r.props.metadata?.name ?? r.name;

/** Namespaces whose Pod Security admission enforces `restricted`. */
export function restrictedNamespaces(resources: Res[]): Set<string> {
    const out = new Set(ALWAYS_RESTRICTED);
    for (const ns of resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")) {
        if (ns.props.metadata?.labels?.["pod-security.kubernetes.io/enforce"] === "restricted") {
            out.add(nameOf(ns));
        }
    }
    return out;
}

/** `true` for a pinned image: a digest, or a tag other than `latest`. */
export function pinned(image: string): boolean {
    if (/@sha256:[a-f0-9]{64}$/.test(image)) {
        return true;
    }
    const last = image.slice(image.lastIndexOf("/") + 1);
    const colon = last.lastIndexOf(":");
    return colon > 0 && last.slice(colon + 1) !== "latest";
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
    !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

export const kubernetesPolicies = [
    stackPolicy(
        {
            name: "kubernetes-pod-security-restricted",
            description: "Every pod template in a restricted namespace (flodrama, and any namespace enforcing restricted) meets Pod Security `restricted`",
            severity: "high",
            judge: "kubernetes",
            appliesTo: ["kubernetes:*"],
            remediation: "run as non-root with RuntimeDefault seccomp, no privilege escalation and all capabilities dropped (k8s/ spec builders do this).",
        },
        (resources) => {
            const restricted = restrictedNamespaces(resources);
            return resources
                .filter((r) => isWorkload(r) && restricted.has(namespaceOf(r)))
                .flatMap((r) => {
                    const pod = podSpecOf(kindOf(r.type), r.props);
                    return pod ? podSecurityViolations(pod.spec, pod.annotations).map((v) => ({ message: `${kindOf(r.type)} ${namespaceOf(r)}/${nameOf(r)}: ${v}.`, urn: r.urn })) : [];
                });
        },
    ),
    resourcePolicy(
        {
            name: "kubernetes-deployment-hygiene",
            description: "Every Deployment's containers have requests and limits, liveness and readiness probes, and a pinned image",
            severity: "medium",
            judge: "kubernetes",
            appliesTo: [DEPLOYMENT],
            remediation: "set resources.requests/limits (cpu, memory), livenessProbe, readinessProbe and an image tag other than latest (or a digest).",
        },
        (r) =>
            asArray(r.props.spec?.template?.spec?.containers).flatMap((c: any) => {
                const out: string[] = [];
                const where = `Deployment ${nameOf(r)} container ${c.name}`;
                for (const kind of ["requests", "limits"]) {
                    if (!c.resources?.[kind]?.cpu || !c.resources?.[kind]?.memory) {
                        out.push(`${where} has no cpu and memory ${kind}.`);
                    }
                }
                if (!c.livenessProbe || !c.readinessProbe) {
                    out.push(`${where} lacks a liveness or readiness probe.`);
                }
                if (typeof c.image !== "string" || !pinned(c.image)) {
                    out.push(`${where} runs an unpinned image (${c.image}).`);
                }
                return out;
            }),
    ),
    stackPolicy(
        {
            name: "kubernetes-deployment-autoscaled-and-protected",
            description: "Every Deployment in a restricted namespace has an HPA that targets it and a PodDisruptionBudget that selects its pods",
            severity: "medium",
            judge: "kubernetes",
            appliesTo: [DEPLOYMENT],
            remediation: "create the service through components/workloads/flodramaService.ts (FlodramaService), which adds the HPA and PDB.",
        },
        (resources) => {
            const restricted = restrictedNamespaces(resources);
            const hpas = resources.filter((r) => r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
            const pdbs = resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
            return resources
                .filter((r) => r.type === DEPLOYMENT && restricted.has(namespaceOf(r)))
                .flatMap((d) => {
                    const out: Array<{ message: string; urn: string }> = [];
                    const ns = namespaceOf(d);
                    const labels = d.props.spec?.template?.metadata?.labels ?? {};
                    const hpa = hpas.find(
                        (h) => namespaceOf(h) === ns && h.props.spec?.scaleTargetRef?.kind === "Deployment" && h.props.spec?.scaleTargetRef?.name === nameOf(d),
                    );
                    const pdb = pdbs.find((p) => namespaceOf(p) === ns && selects(p.props.spec?.selector?.matchLabels, labels));
                    if (!hpa) {
                        out.push({ message: `Deployment ${ns}/${nameOf(d)} has no HorizontalPodAutoscaler.`, urn: d.urn });
                    }
                    if (!pdb) {
                        out.push({ message: `Deployment ${ns}/${nameOf(d)} has no PodDisruptionBudget selecting its pods.`, urn: d.urn });
                    }
                    return out;
                });
        },
    ),
];
