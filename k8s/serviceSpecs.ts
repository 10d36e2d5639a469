/**
 * Pure builders of one FloDrama backend service's Kubernetes objects (whatever its role: REST API,
 * scraper, Watch Party): ServiceAccount, Deployment with its pod template, Service, HPA,
 * PodDisruptionBudget and NetworkPolicies. The three services share one spec, and tests check the
 * specs without mocks. `FlodramaService` (components/workloads/flodramaService.ts) creates them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    DATA_SECRET_KEYS,
    DATA_SECRET_MOUNT_PATH,
    DataInfo,
    INFRA_NAMESPACE,
    MONITORING_NAMESPACE,
    NetworkInfo,
    SERVICE_PORT_NAME,
    serviceLabels,
    ServiceSpec,
} from "../lib/contracts";
import { APP_PORT_ENV, MANAGEMENT_PORT, MANAGEMENT_PORT_ENV, MANAGEMENT_PORT_NAME, PROBE_PATHS, SHUTDOWN_TIMEOUT_ENV } from "../lib/serviceContract";

import Inputs = k8s.types.input;

/** The non-root identity every FloDrama container runs as (images must not need root). */
export const RUN_AS_USER = 10001;
/** Scratch space: the root filesystem is read-only. */
export const TMP_MOUNT_PATH = "/tmp";
export const TMP_SIZE_LIMIT = "256Mi";
/**
 * How long the HPA waits before removing pods after load drops: five minutes of low load, so a short
 * lull does not close Watch Party connections or shrink the API just before the next peak.
 */
export const SCALE_DOWN_STABILIZATION_SECONDS = 300;
/**
 * Seconds an exposed pod keeps serving after it is marked for deletion: the AWS Load Balancer
 * Controller deregisters it from the NLB target group, and the NLB stops sending new connections only
 * after that propagates. SIGTERM comes after this sleep.
 */
export const PRESTOP_SLEEP_SECONDS = 15;
/** Old ReplicaSets kept for `kubectl rollout undo`. */
export const REVISION_HISTORY_LIMIT = 5;
/** Link-local range: instance metadata (IMDS) lives there, and no pod needs it (IRSA gives credentials). */
export const LINK_LOCAL_CIDR = "169.254.0.0/16";
export const ANYWHERE = "0.0.0.0/0";
/** The IRSA annotation the EKS pod identity webhook reads. */
export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";

/** Everything the pure builders need, as plain values or Outputs. */
export interface ServiceSpecInput {
    service: ServiceSpec;
    /** The image to run: a pinned reference or the digest pushed by the program. */
    image: pulumi.Input<string>;
    /** Namespace of every object; an Output of the Namespace object, so objects wait for it. */
    namespace: pulumi.Input<string>;
    /** Name of the data tier's Secret (`DATA_SECRET_KEYS`). */
    dataSecretName: pulumi.Input<string>;
    /** Extra environment variables the program sets (e.g. the scraper's bucket). */
    extraEnv?: Record<string, pulumi.Input<string>>;
    /** The service's secrets (k8s/serviceSecrets.ts `secretEnvVars`): Secret references and ARN variables. */
    secretEnv?: Inputs.core.v1.EnvVar[];
}

/** Names of objects and labels per service. */
export function podLabels(service: ServiceSpec): Record<string, string> {
    return {
        ...serviceLabels(service.name),
        "app.kubernetes.io/component": service.role,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** Environment variables the program sets itself; config `env` must not name them (components/workloads/config.ts refuses them). */
export function programEnvNames(extra: string[] = []): string[] {
    return [APP_PORT_ENV, MANAGEMENT_PORT_ENV, SHUTDOWN_TIMEOUT_ENV, DATA_SECRET_KEYS.mongoUri, DATA_SECRET_KEYS.redisUrl, ...extra];
}

/**
 * The preStop sleep of a service: only services behind the NLB need one (the scraper has no
 * Service), and it always leaves the application at least half of the grace period to drain.
 */
export function preStopSleepSeconds(service: ServiceSpec): number | undefined {
    if (service.expose === "none") {
        return undefined;
    }
    return Math.max(1, Math.min(PRESTOP_SLEEP_SECONDS, Math.floor(service.terminationGracePeriodSeconds / 2)));
}

/**
 * Seconds the service may drain after SIGTERM: the grace period minus the preStop sleep (SIGTERM comes
 * after it), less a 2 s margin for the process to exit, so the kubelet never has to SIGKILL.
 */
export function shutdownTimeoutSeconds(service: ServiceSpec): number {
    return Math.max(1, service.terminationGracePeriodSeconds - (preStopSleepSeconds(service) ?? 0) - 2);
}

export function containerEnv(input: ServiceSpecInput): Inputs.core.v1.EnvVar[] {
    const { service } = input;
    const extra = input.extraEnv ?? {};
    const reserved = programEnvNames(Object.keys(extra));
    const clash = [...Object.keys(service.env), ...(input.secretEnv ?? []).map((e) => e.name as string)].filter((k) => reserved.includes(k));
    if (clash.length > 0) {
        throw new Error(`services[${service.name}].env sets ${clash.join(", ")}, which the program sets itself`);
    }
    const fromSecret = (key: string): Inputs.core.v1.EnvVar => ({ name: key, valueFrom: { secretKeyRef: { name: input.dataSecretName, key } } });
    return [
        { name: APP_PORT_ENV, value: String(service.port) },
        { name: MANAGEMENT_PORT_ENV, value: String(MANAGEMENT_PORT) },
        { name: SHUTDOWN_TIMEOUT_ENV, value: String(shutdownTimeoutSeconds(service)) },
        ...Object.keys(service.env)
            .sort()
            .map((name) => ({ name, value: service.env[name] })),
        ...Object.keys(extra)
            .sort()
            .map((name) => ({ name, value: extra[name] })),
        ...(input.secretEnv ?? []),
        fromSecret(DATA_SECRET_KEYS.mongoUri),
        fromSecret(DATA_SECRET_KEYS.redisUrl),
    ];
}

/** Probes on the contract's paths, all on the management port (never behind the NLB or API Gateway). */
export function probes(): Pick<Inputs.core.v1.Container, "startupProbe" | "livenessProbe" | "readinessProbe"> {
    const get = (path: string) => ({ httpGet: { path, port: MANAGEMENT_PORT_NAME, scheme: "HTTP" } });
    return {
        // Up to 150 s to start (JIT warm-up, first DB connection) before liveness takes over.
        startupProbe: { ...get(PROBE_PATHS.startup), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 30 },
        livenessProbe: { ...get(PROBE_PATHS.liveness), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
        readinessProbe: { ...get(PROBE_PATHS.readiness), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    };
}

/** The pod template: Pod Security `restricted`, read-only root, data Secret as env and files, spread over zones and nodes. */
export function podTemplate(input: ServiceSpecInput): Inputs.core.v1.PodTemplateSpec {
    const { service } = input;
    const labels = podLabels(service);
    const sleep = preStopSleepSeconds(service);
    const container: Inputs.core.v1.Container = {
        name: service.name,
        image: input.image,
        imagePullPolicy: "IfNotPresent",
        ports: [
            { name: SERVICE_PORT_NAME, containerPort: service.port, protocol: "TCP" },
            { name: MANAGEMENT_PORT_NAME, containerPort: MANAGEMENT_PORT, protocol: "TCP" },
        ],
        env: containerEnv(input),
        ...probes(),
        resources: {
            requests: { cpu: service.resources.cpuRequest, memory: service.resources.memoryRequest },
            limits: { cpu: service.resources.cpuLimit, memory: service.resources.memoryLimit },
        },
        // The kubelet's own sleep, not `exec sleep`: distroless images have no shell or sleep binary.
        lifecycle: sleep ? { preStop: { sleep: { seconds: sleep } } } : undefined,
        securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMounts: [
            { name: "tmp", mountPath: TMP_MOUNT_PATH },
            { name: "data-secret", mountPath: DATA_SECRET_MOUNT_PATH, readOnly: true },
        ],
        terminationMessagePolicy: "FallbackToLogsOnError",
    };
    const spread = (topologyKey: string, whenUnsatisfiable: string): Inputs.core.v1.TopologySpreadConstraint => ({
        topologyKey,
        maxSkew: 1,
        whenUnsatisfiable,
        labelSelector: { matchLabels: serviceLabels(service.name) },
        // Count only the pods of the current ReplicaSet, so a rollout does not skew against old pods.
        matchLabelKeys: ["pod-template-hash"],
    });
    return {
        metadata: { labels },
        spec: {
            serviceAccountName: service.name,
            // The IRSA webhook adds its own projected token volume (audience sts.amazonaws.com) whatever
            // this says; the Kubernetes API token is not needed by any FloDrama service, so it stays out.
            automountServiceAccountToken: false,
            // No `<SVC>_SERVICE_HOST` variables for every Service in the namespace.
            enableServiceLinks: false,
            terminationGracePeriodSeconds: service.terminationGracePeriodSeconds,
            securityContext: {
                runAsNonRoot: true,
                runAsUser: RUN_AS_USER,
                runAsGroup: RUN_AS_USER,
                // Secret files get this group, so the non-root user reads them with mode 0440.
                fsGroup: RUN_AS_USER,
                seccompProfile: { type: "RuntimeDefault" },
            },
            topologySpreadConstraints: [
                // Soft on zones: node groups span AZs, so cluster-autoscaler cannot add a node in a chosen
                // zone and a hard rule could leave pods pending; the scheduler still balances zones.
                spread("topology.kubernetes.io/zone", "ScheduleAnyway"),
                // Hard on nodes: one node's loss never takes more than its share, and a new node always
                // satisfies it, so cluster-autoscaler can resolve it.
                spread("kubernetes.io/hostname", "DoNotSchedule"),
            ],
            containers: [container],
            volumes: [
                { name: "tmp", emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
                { name: "data-secret", secret: { secretName: input.dataSecretName, defaultMode: 0o440 } },
            ],
        },
    };
}

/**
 * The Deployment. `spec.replicas` is left out on purpose: the HPA owns it. With server-side apply
 * Pulumi then never manages the field, so a `pulumi up` cannot reset a scaled-out Deployment; on
 * creation Kubernetes starts one pod and the HPA raises it to `replicas.min` within one sync.
 */
export function deploymentManifest(input: ServiceSpecInput): { metadata: Inputs.meta.v1.ObjectMeta; spec: Inputs.apps.v1.DeploymentSpec } {
    const { service } = input;
    return {
        metadata: { name: service.name, namespace: input.namespace, labels: podLabels(service) },
        spec: {
            selector: { matchLabels: serviceLabels(service.name) },
            // Keep full capacity during rollouts: new pods come up (25 % extra) before old ones go.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
            minReadySeconds: 5,
            revisionHistoryLimit: REVISION_HISTORY_LIMIT,
            progressDeadlineSeconds: 600,
            template: podTemplate(input),
        },
    };
}

/**
 * ClusterIP Service on the app port only, or undefined for a service nothing calls (the scraper: it only works outbound).
 * The management port stays out: the NLB's TargetGroupBinding can only name a port of this Service,
 * and Prometheus scrapes pods directly (PodMonitor, k8s/serviceMonitoring.ts).
 */
export function serviceManifest(service: ServiceSpec, namespace: pulumi.Input<string>): { metadata: Inputs.meta.v1.ObjectMeta; spec: Inputs.core.v1.ServiceSpec } | undefined {
    if (service.expose === "none") {
        return undefined;
    }
    return {
        metadata: { name: service.name, namespace, labels: podLabels(service) },
        spec: {
            type: "ClusterIP",
            selector: serviceLabels(service.name),
            ports: [{ name: SERVICE_PORT_NAME, port: service.port, targetPort: SERVICE_PORT_NAME, protocol: "TCP" }],
        },
    };
}

/** autoscaling/v2 HPA on CPU and memory utilization with the configured bounds. */
export function hpaManifest(service: ServiceSpec, namespace: pulumi.Input<string>): { metadata: Inputs.meta.v1.ObjectMeta; spec: Inputs.autoscaling.v2.HorizontalPodAutoscalerSpec } {
    const utilization = (name: string, averageUtilization: number): Inputs.autoscaling.v2.MetricSpec => ({
        type: "Resource",
        resource: { name, target: { type: "Utilization", averageUtilization } },
    });
    return {
        metadata: { name: service.name, namespace, labels: podLabels(service) },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: service.name },
            minReplicas: service.replicas.min,
            maxReplicas: service.replicas.max,
            metrics: [utilization("cpu", service.autoscaling.cpuUtilization), utilization("memory", service.autoscaling.memoryUtilization)],
            behavior: {
                // Scale up at once (double, or 4 pods, every 30 s); scale down slowly, half at most per minute.
                scaleUp: {
                    stabilizationWindowSeconds: 0,
                    selectPolicy: "Max",
                    policies: [
                        { type: "Percent", value: 100, periodSeconds: 30 },
                        { type: "Pods", value: 4, periodSeconds: 30 },
                    ],
                },
                scaleDown: {
                    stabilizationWindowSeconds: SCALE_DOWN_STABILIZATION_SECONDS,
                    selectPolicy: "Max",
                    policies: [{ type: "Percent", value: 50, periodSeconds: 60 }],
                },
            },
        },
    };
}

/**
 * policy/v1 PDB with `maxUnavailable: 1`, not `minAvailable: 1`: with one replica (dev's scraper)
 * `minAvailable: 1` would forbid every eviction and block node drains and upgrades forever, while
 * `maxUnavailable: 1` always lets one pod move at a time. Unhealthy pods may always be evicted, so a
 * crash-looping pod never blocks a drain.
 */
export function pdbManifest(service: ServiceSpec, namespace: pulumi.Input<string>): { metadata: Inputs.meta.v1.ObjectMeta; spec: Inputs.policy.v1.PodDisruptionBudgetSpec } {
    return {
        metadata: { name: service.name, namespace, labels: podLabels(service) },
        spec: {
            maxUnavailable: 1,
            selector: { matchLabels: serviceLabels(service.name) },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        },
    };
}

/** The ServiceAccount, annotated with its IRSA role. */
export function serviceAccountManifest(
    service: ServiceSpec,
    namespace: pulumi.Input<string>,
    roleArn: pulumi.Input<string>,
): { metadata: Inputs.meta.v1.ObjectMeta; automountServiceAccountToken: boolean } {
    return {
        metadata: {
            name: service.name,
            namespace,
            labels: podLabels(service),
            annotations: {
                [ROLE_ARN_ANNOTATION]: roleArn,
                // Regional STS (and its VPC endpoint in prod), not the global us-east-1 endpoint.
                "eks.amazonaws.com/sts-regional-endpoints": "true",
            },
        },
        automountServiceAccountToken: false,
    };
}

const tcp = (port: number): Inputs.networking.v1.NetworkPolicyPort => ({ protocol: "TCP", port });
const namespaceSelector = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });

/**
 * Ingress: the app port only from the private subnets (where the internal NLB's addresses are; NLB IP
 * targets see the NLB's address as source) when the service is exposed, and the management port only
 * from the monitoring namespace (Prometheus scrapes `/metrics` there). The node's own address is
 * always allowed by the VPC CNI's policy agent, so kubelet probes on the management port need no rule.
 * The subnet rule admits every address of the private subnets, pods included; the app port is what the
 * NLB reaches anyway, and the management port is closed to all of them (docs/decisions.md).
 */
export function ingressPolicyManifest(
    service: ServiceSpec,
    network: Pick<NetworkInfo, "privateSubnetCidrs">,
    namespace: pulumi.Input<string>,
): { metadata: Inputs.meta.v1.ObjectMeta; spec: Inputs.networking.v1.NetworkPolicySpec } {
    const rules: Inputs.networking.v1.NetworkPolicyIngressRule[] = [];
    if (service.expose !== "none") {
        rules.push({ from: network.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(service.port)] });
    }
    rules.push({ from: [{ namespaceSelector: namespaceSelector(MONITORING_NAMESPACE) }], ports: [tcp(MANAGEMENT_PORT)] });
    return {
        metadata: { name: `${service.name}-ingress`, namespace, labels: podLabels(service) },
        spec: { podSelector: { matchLabels: serviceLabels(service.name) }, policyTypes: ["Ingress"], ingress: rules },
    };
}

/**
 * Egress: DNS (CoreDNS), the data tier on its two ports (pods in `flodrama-infra` in-cluster, the VPC
 * when managed), HTTPS to AWS APIs, and for the scraper (`internetEgress`) HTTP and HTTPS to the
 * internet.
 *
 * AWS APIs: interface endpoints (prod) have addresses in the VPC, but STS without an endpoint (dev),
 * the API Gateway management API (Watch Party's ManageConnections), Personalize runtime and S3 (its
 * gateway endpoint routes S3's public addresses) are public endpoints whose addresses AWS changes
 * weekly, and NetworkPolicy has no host-name rules. So every service may open TCP 443 to public
 * addresses; nothing else leaves the VPC except the scraper's web traffic. Link-local addresses
 * (instance metadata) are excluded everywhere. Narrowing further needs an egress proxy or a CNI with
 * FQDN policies (docs/workloads.md).
 */
export function egressPolicyManifest(
    service: ServiceSpec,
    network: Pick<NetworkInfo, "vpcCidr">,
    data: Pick<DataInfo, "mode" | "mongoPort" | "redisPort">,
    namespace: pulumi.Input<string>,
): { metadata: Inputs.meta.v1.ObjectMeta; spec: Inputs.networking.v1.NetworkPolicySpec } {
    const dataPorts = [tcp(data.mongoPort), tcp(data.redisPort)];
    const rules: Inputs.networking.v1.NetworkPolicyEgressRule[] = [
        {
            to: [{ namespaceSelector: namespaceSelector("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
            ],
        },
        data.mode === "in-cluster"
            ? { to: [{ namespaceSelector: namespaceSelector(INFRA_NAMESPACE) }], ports: dataPorts }
            : { to: [{ ipBlock: { cidr: network.vpcCidr } }], ports: dataPorts },
        { to: [{ ipBlock: { cidr: ANYWHERE, except: [LINK_LOCAL_CIDR] } }], ports: [tcp(443)] },
    ];
    if (service.internetEgress) {
        // The web, not the VPC: the scraper reaches nothing internal through this rule.
        rules.push({ to: [{ ipBlock: { cidr: ANYWHERE, except: [network.vpcCidr, LINK_LOCAL_CIDR] } }], ports: [tcp(80), tcp(443)] });
    }
    return {
        metadata: { name: `${service.name}-egress`, namespace, labels: podLabels(service) },
        spec: { podSelector: { matchLabels: serviceLabels(service.name) }, policyTypes: ["Egress"], egress: rules },
    };
}
