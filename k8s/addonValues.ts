/**
 * The cluster add-ons installed by Helm (metrics-server, cluster-autoscaler, AWS Load Balancer
 * Controller): pinned charts and typed values, as pure functions so tests check them without mocks.
 * `ClusterServices` (components/cluster/clusterServices.ts) installs them with their IRSA roles, whose
 * policies are in components/cluster/addons.ts and lbControllerPolicy.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubernetesVersion } from "../lib/contracts";

/** Where the add-ons run: the cluster's system namespace, outside the app quotas and NetworkPolicies. */
export const ADDON_NAMESPACE = "kube-system";

/** A chart pinned to one version of one repository. */
export interface PinnedChart {
    /** Chart name in the repository. */
    chart: string;
    /** Exact chart version (never a range): an upgrade is a reviewed diff. */
    version: string;
    /** Helm repository URL. */
    repo: string;
    /** Helm release name; fixed, so object and ServiceAccount names are predictable. */
    releaseName: string;
}

/**
 * Chart pins, checked against the charts' repositories (index.yaml of each) on 2026-11-24:
 * - metrics-server 3.13.1 (metrics-server 0.8.1), https://kubernetes-sigs.github.io/metrics-server/
 * - cluster-autoscaler 9.59.0 (appVersion 1.35.0), https://kubernetes.github.io/autoscaler
 * - aws-load-balancer-controller 3.5.0 (controller v3.5.0), https://aws.github.io/eks-charts
 * Bump one at a time: read the chart's changelog, diff its values.yaml, run `npm test`, preview dev.
 */
export const CHART_VERSIONS = {
    metricsServer: {
        chart: "metrics-server",
        version: "3.13.1",
        repo: "https://kubernetes-sigs.github.io/metrics-server/",
        releaseName: "metrics-server",
    },
    clusterAutoscaler: {
        chart: "cluster-autoscaler",
        version: "9.59.0",
        repo: "https://kubernetes.github.io/autoscaler",
        releaseName: "cluster-autoscaler",
    },
    lbController: {
        chart: "aws-load-balancer-controller",
        version: "3.5.0",
        repo: "https://aws.github.io/eks-charts",
        releaseName: "aws-load-balancer-controller",
    },
} as const satisfies Record<string, PinnedChart>;

/**
 * cluster-autoscaler image per Kubernetes minor: the autoscaler supports only the Kubernetes minor it
 * was built against, so the tag follows `cluster.version`, not the chart's default. Latest patch
 * releases of each line (tags `cluster-autoscaler-1.3x.y` of kubernetes/autoscaler).
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Record<KubernetesVersion, string> = {
    "1.34": "v1.34.5",
    "1.35": "v1.35.2",
    "1.36": "v1.36.1",
};

/** ServiceAccounts of the add-ons that call AWS; their IRSA roles trust exactly these. */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = { namespace: ADDON_NAMESPACE, name: "cluster-autoscaler" } as const;
export const LB_CONTROLLER_SERVICE_ACCOUNT = { namespace: ADDON_NAMESPACE, name: "aws-load-balancer-controller" } as const;

/** The annotation IRSA reads on a ServiceAccount. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

/** How cluster-autoscaler picks a node group to grow: the one that leaves the least idle CPU and memory. */
export const AUTOSCALER_EXPANDER = "least-waste";

/** Container resources as Helm values take them. */
export type Resources = {
    requests: { cpu: string; memory: string };
    /** Memory only: a CPU limit would throttle these latency-sensitive controllers for no gain. */
    limits: { memory: string };
};

/** Restricted-profile security settings that the charts do not all set themselves. */
export const RESTRICTED_POD_SECURITY_CONTEXT = {
    runAsNonRoot: true,
    runAsUser: 65534,
    runAsGroup: 65534,
    fsGroup: 65534,
    seccompProfile: { type: "RuntimeDefault" },
} as const;
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
} as const;

/** A pod topology spread constraint, as Helm values and the pod spec take it. */
export type TopologySpreadConstraint = {
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: "ScheduleAnyway" | "DoNotSchedule";
    labelSelector: { matchLabels: Record<string, string> };
};

/**
 * Spread a release's replicas over nodes and zones, so one node or AZ failure does not take all of
 * them (the charts set no anti-affinity of their own). `ScheduleAnyway`: on a one-node cluster they
 * still start. Charts label their pods `app.kubernetes.io/instance: <release>`.
 */
export function spreadReplicas(releaseName: string): TopologySpreadConstraint[] {
    const labelSelector = { matchLabels: { "app.kubernetes.io/instance": releaseName } };
    return ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: "ScheduleAnyway" as const, labelSelector }));
}

// ---- metrics-server ------------------------------------------------------------------------------

export type MetricsServerValues = {
    replicas: number;
    podDisruptionBudget: { enabled: boolean; maxUnavailable: number };
    resources: Resources;
    priorityClassName: string;
    topologySpreadConstraints: TopologySpreadConstraint[];
};

/**
 * Two replicas on different nodes (and zones where possible) and a PDB: the HPAs of every service read metrics through this API, so one node drain
 * must not leave them blind. The chart's own security context is already restricted (non-root,
 * read-only root, no capabilities, RuntimeDefault seccomp) and stays.
 */
export function metricsServerValues(): MetricsServerValues {
    return {
        replicas: 2,
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        // The chart's default arguments (InternalIP first, kubelet status port, 15 s resolution) are
        // the ones EKS documents; nothing is added, in particular not --kubelet-insecure-tls.
        resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } },
        priorityClassName: "system-cluster-critical",
        topologySpreadConstraints: spreadReplicas(CHART_VERSIONS.metricsServer.releaseName),
    };
}

// ---- cluster-autoscaler -------------------------------------------------------------------------

export interface ClusterAutoscalerValuesArgs {
    clusterName: pulumi.Input<string>;
    region: string;
    kubernetesVersion: KubernetesVersion;
    roleArn: pulumi.Input<string>;
}

export type ClusterAutoscalerValues = {
    cloudProvider: "aws";
    autoDiscovery: { clusterName: pulumi.Input<string> };
    awsRegion: string;
    image: { tag: string };
    replicaCount: number;
    rbac: { serviceAccount: { create: boolean; name: string; annotations: Record<string, pulumi.Input<string>> } };
    extraArgs: Record<string, string | number | boolean>;
    podDisruptionBudget: { maxUnavailable: number };
    resources: Resources;
    securityContext: typeof RESTRICTED_POD_SECURITY_CONTEXT;
    containerSecurityContext: typeof RESTRICTED_CONTAINER_SECURITY_CONTEXT;
    priorityClassName: string;
    topologySpreadConstraints: TopologySpreadConstraint[];
};

/**
 * Auto-discovery of the node groups by their `k8s.io/cluster-autoscaler/<cluster>` tags (the chart's
 * default tag list), the image matching the cluster's minor version, and the scale-down settings
 * this platform needs.
 */
export function clusterAutoscalerValues(a: ClusterAutoscalerValuesArgs): ClusterAutoscalerValues {
    return {
        cloudProvider: "aws",
        autoDiscovery: { clusterName: a.clusterName },
        awsRegion: a.region,
        image: { tag: CLUSTER_AUTOSCALER_IMAGE_TAGS[a.kubernetesVersion] },
        // Leader election keeps one active; the second takes over at once during a node drain.
        replicaCount: 2,
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name, annotations: { [IRSA_ANNOTATION]: a.roleArn } } },
        extraArgs: {
            logtostderr: true,
            stderrthreshold: "info",
            v: 2,
            // Similar node groups (same shape, e.g. one per AZ if zonal volumes ever need them) grow evenly.
            // Today each configured group spans every AZ itself and the ASG balances its AZs.
            "balance-similar-node-groups": true,
            expander: AUTOSCALER_EXPANDER,
            // Pods with emptyDir (/tmp under a read-only root filesystem) would otherwise pin their node forever.
            "skip-nodes-with-local-storage": false,
            // With a PDB, kube-system pods (CoreDNS, these add-ons) may move, so underused nodes can go.
            "skip-nodes-with-system-pods": false,
            "scale-down-unneeded-time": "10m",
            "scale-down-delay-after-add": "10m",
            // EKS labels each node with its node group: without this, two similar groups never balance.
            "balancing-ignore-label_1": "eks.amazonaws.com/nodegroup",
            "balancing-ignore-label_2": "eks.amazonaws.com/nodegroup-image",
            "balancing-ignore-label_3": "eks.amazonaws.com/sourceLaunchTemplateId",
            "balancing-ignore-label_4": "eks.amazonaws.com/sourceLaunchTemplateVersion",
            "balancing-ignore-label_5": "flodrama.com/node-group",
        },
        podDisruptionBudget: { maxUnavailable: 1 },
        resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
        securityContext: RESTRICTED_POD_SECURITY_CONTEXT,
        containerSecurityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
        priorityClassName: "system-cluster-critical",
        // The standby must not sit on the node whose loss it is there to survive.
        topologySpreadConstraints: spreadReplicas(CHART_VERSIONS.clusterAutoscaler.releaseName),
    };
}

// ---- AWS Load Balancer Controller --------------------------------------------------------------

export interface LbControllerValuesArgs {
    clusterName: pulumi.Input<string>;
    region: string;
    vpcId: pulumi.Input<string>;
    roleArn: pulumi.Input<string>;
}

export type LbControllerValues = {
    clusterName: pulumi.Input<string>;
    region: string;
    vpcId: pulumi.Input<string>;
    replicaCount: number;
    serviceAccount: { create: boolean; name: string; annotations: Record<string, pulumi.Input<string>> };
    podDisruptionBudget: { maxUnavailable: number };
    resources: Resources;
    podSecurityContext: typeof RESTRICTED_POD_SECURITY_CONTEXT;
    securityContext: typeof RESTRICTED_CONTAINER_SECURITY_CONTEXT;
    enableServiceMutatorWebhook: boolean;
    keepTLSSecret: boolean;
    priorityClassName: string;
};

/**
 * The controller serves the API's TargetGroupBindings. Region and VPC are given, so it does not need
 * instance metadata, which the nodes' IMDS hop limit of 1 keeps out of reach of pods. Two replicas with
 * the chart's default anti-affinity and a PDB.
 */
export function lbControllerValues(a: LbControllerValuesArgs): LbControllerValues {
    return {
        clusterName: a.clusterName,
        region: a.region,
        vpcId: a.vpcId,
        replicaCount: 2,
        serviceAccount: { create: true, name: LB_CONTROLLER_SERVICE_ACCOUNT.name, annotations: { [IRSA_ANNOTATION]: a.roleArn } },
        podDisruptionBudget: { maxUnavailable: 1 },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        podSecurityContext: RESTRICTED_POD_SECURITY_CONTEXT,
        securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
        // The program creates its NLB itself (docs/decisions.md#api-gateway-nlb) and has no Service of type LoadBalancer: without this
        // webhook, creating a Service never depends on the controller being up.
        enableServiceMutatorWebhook: false,
        // Reuse the webhook certificate on upgrades instead of rotating it (and racing the API server) each time.
        keepTLSSecret: true,
        priorityClassName: "system-cluster-critical",
    };
}
