/**
 * Pure builders of the cluster's Kubernetes baseline: the three namespaces with Pod Security labels,
 * their quotas, default container limits and default-deny NetworkPolicies, and the default encrypted
 * gp3 StorageClass. `ClusterServices` (components/cluster/clusterServices.ts) creates them.
 */
import { KubernetesVersion, NamespaceQuota } from "../lib/contracts";
import { STORAGE_CLASS } from "../lib/contracts";

// ---- Pod Security --------------------------------------------------------------------------------

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PodSecurityModes {
    enforce: PodSecurityLevel;
    audit: PodSecurityLevel;
    warn: PodSecurityLevel;
}

/**
 * Pod Security per namespace.
 * - `flodrama`: restricted everywhere (the services are built for it).
 * - `flodrama-infra`: restricted too. Its only tenants are the in-cluster MongoDB and Redis (dev), and
 *   the official images run as their non-root `mongodb`/`redis` users (uid 999) when the pod says so:
 *   their entrypoints only switch user when started as root. The data tier sets runAsUser/fsGroup.
 * - `monitoring`: privileged enforced, because node-exporter needs hostNetwork, hostPID and hostPath
 *   mounts that even `baseline` forbids; audit and warn stay at `baseline`, so anything else there
 *   that exceeds baseline shows in the audit log and in `kubectl`/Helm warnings.
 */
export const POD_SECURITY: Record<"app" | "infra" | "monitoring", PodSecurityModes> = {
    app: { enforce: "restricted", audit: "restricted", warn: "restricted" },
    infra: { enforce: "restricted", audit: "restricted", warn: "restricted" },
    monitoring: { enforce: "privileged", audit: "baseline", warn: "baseline" },
};

/**
 * The Pod Security policy version the labels pin: the cluster's own minor. Pinning (rather than
 * `latest`) means a control-plane upgrade cannot tighten the rules under running pods; bumping
 * `cluster.version` moves the pin in the same reviewed change.
 */
export function podSecurityVersion(kubernetesVersion: KubernetesVersion): string {
    return `v${kubernetesVersion}`;
}

/** `pod-security.kubernetes.io/<mode>` and `<mode>-version` labels. */
export function podSecurityLabels(modes: PodSecurityModes, version: string): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"] as const) {
        labels[`pod-security.kubernetes.io/${mode}`] = modes[mode];
        labels[`pod-security.kubernetes.io/${mode}-version`] = version;
    }
    return labels;
}

/** Opts the namespace into the LB controller's target-health readiness gates (TargetGroupBindings). */
export const READINESS_GATE_LABEL = { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } as const;

const COMMON_LABELS = { "app.kubernetes.io/part-of": "flodrama", "app.kubernetes.io/managed-by": "pulumi" } as const;

/** Metadata of one namespace: fixed name, Pod Security labels and the platform's labels. */
export function namespaceMetadata(name: string, modes: PodSecurityModes, version: string, extraLabels: Record<string, string> = {}): { name: string; labels: Record<string, string> } {
    return { name, labels: { ...COMMON_LABELS, ...podSecurityLabels(modes, version), ...extraLabels } };
}

// ---- quotas and default limits ------------------------------------------------------------------

/** `ResourceQuota.spec` from the stack's quota: a namespace cannot take more of the cluster than planned. */
export function resourceQuotaSpec(q: NamespaceQuota) {
    return {
        hard: {
            "requests.cpu": q.requestsCpu,
            "requests.memory": q.requestsMemory,
            "limits.cpu": q.limitsCpu,
            "limits.memory": q.limitsMemory,
            pods: String(q.pods),
        },
    };
}

export interface ContainerDefaults {
    defaultRequest: { cpu: string; memory: string };
    default: { cpu: string; memory: string };
}

/**
 * Defaults for containers that set no requests or limits. With a quota on requests and limits, the
 * API server rejects such pods; these defaults admit them with a modest size instead. Services set
 * their own values from config, so these are a floor for one-off pods (jobs, debug pods).
 */
export const CONTAINER_DEFAULTS: Record<"app" | "infra", ContainerDefaults> = {
    app: { defaultRequest: { cpu: "100m", memory: "128Mi" }, default: { cpu: "500m", memory: "512Mi" } },
    // Data stores are heavier: a default Redis or Mongo container should not start at 128Mi.
    infra: { defaultRequest: { cpu: "250m", memory: "256Mi" }, default: { cpu: "1", memory: "1Gi" } },
};

/** `LimitRange.spec` for containers. */
export function limitRangeSpec(d: ContainerDefaults) {
    return { limits: [{ type: "Container", defaultRequest: { ...d.defaultRequest }, default: { ...d.default } }] };
}

// ---- NetworkPolicies ----------------------------------------------------------------------------

/** DNS: CoreDNS pods (`k8s-app: kube-dns`) in kube-system, UDP and TCP 53 (TCP for large answers). */
export const DNS_PEER = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
} as const;

/** Denies all ingress and egress of every pod in the namespace; allow policies open what each needs. */
export function defaultDenySpec() {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** Lets every pod in the namespace resolve names through CoreDNS, and nothing else. */
export function allowDnsEgressSpec() {
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ ...DNS_PEER }],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    };
}

/**
 * Port of the Prometheus Operator's admission webhook (kube-prometheus-stack
 * `prometheusOperator.tls.internalPort`); the API server calls it from its ENIs in the VPC.
 */
export const PROMETHEUS_OPERATOR_WEBHOOK_PORT = 10250;

/**
 * Ingress into `monitoring`: from its own pods (Grafana → Prometheus → Alertmanager, Prometheus
 * scraping its own components) and the operator's webhook from the VPC (the control plane's ENIs).
 * Nothing else reaches Prometheus or Grafana; operators use `kubectl port-forward`.
 */
export function monitoringIngressSpec(vpcCidr: string) {
    return {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
            { from: [{ podSelector: {} }] },
            { from: [{ ipBlock: { cidr: vpcCidr } }], ports: [{ protocol: "TCP", port: PROMETHEUS_OPERATOR_WEBHOOK_PORT }] },
        ],
    };
}

/**
 * Egress from `monitoring` is open: Prometheus scrapes pods in every namespace, kubelets and
 * node-exporters on the nodes and the API server (whose addresses change), and Alertmanager reaches
 * SNS or SMTP. A narrower list would break scraping each time a target moves.
 */
export function monitoringEgressSpec() {
    return { podSelector: {}, policyTypes: ["Egress"], egress: [{}] };
}

// ---- storage --------------------------------------------------------------------------------------

/** The default-class annotation. */
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

/**
 * The EBS CSI driver's `tagSpecification_<n>` StorageClass parameters (`key=value`, driver 1.6+): the
 * stack's tags on every volume the driver creates, which the providers' default tags never reach.
 */
export function volumeTagParameters(tags: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
        Object.keys(tags)
            .sort()
            .map((key, i) => [`tagSpecification_${i + 1}`, `${key}=${tags[key]}`]),
    );
}

/**
 * The default StorageClass: gp3 (20 % cheaper than gp2, 3,000 IOPS baseline whatever the size),
 * encrypted with the account's EBS key, bound when the pod is scheduled (so the volume is created in
 * the pod's AZ), expandable in place, tagged with the stack's tags. `Retain` where data matters:
 * deleting a claim (or the namespace) then leaves the EBS volume for recovery; dev deletes it with the claim.
 */
export function storageClassSpec(protect: boolean, volumeTags: Record<string, string> = {}) {
    return {
        metadata: { name: STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" }, labels: { ...COMMON_LABELS } },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4", ...volumeTagParameters(volumeTags) },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: protect ? "Retain" : "Delete",
    };
}
