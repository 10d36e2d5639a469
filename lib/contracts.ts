/**
 * What the components hand each other. index.ts builds the network (and the image repositories), then
 * platform.ts wires the rest in this order: cluster → cluster services → data tier → recommendations →
 * workloads → CDN site → identity → API → monitoring. Keeping the contracts here lets each component depend on a shape, not on another component's class.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "./irsaRole";
import * as serviceContract from "./serviceContract";

/** The application namespace (Pod Security `restricted`). */
export const APP_NAMESPACE = "flodrama";
/** Data stores and cluster add-ons that the app namespace uses. */
export const INFRA_NAMESPACE = "flodrama-infra";
/**
 * Prometheus, Grafana and Alertmanager (kube-prometheus-stack). Its own namespace because node-exporter
 * needs host access that Pod Security `restricted` (flodrama) and `baseline` forbid.
 */
export const MONITORING_NAMESPACE = "monitoring";
/** The default, encrypted gp3 StorageClass. */
export const STORAGE_CLASS = "gp3-encrypted";

/** Network facts the cluster, data tier, workloads and API need. */
export interface NetworkInfo {
    vpcId: pulumi.Output<string>;
    vpcCidr: string;
    privateSubnetIds: pulumi.Output<string[]>;
    publicSubnetIds: pulumi.Output<string[]>;
    /** CIDRs of the private subnets (nodes, pods, the internal NLB), known before deployment. */
    privateSubnetCidrs: string[];
    publicSubnetCidrs: string[];
}

/** The cluster as its consumers see it. */
export interface ClusterInfo {
    name: pulumi.Output<string>;
    /** The Kubernetes provider built from the cluster's kubeconfig; every Kubernetes object uses it. */
    provider: k8s.Provider;
    /** Security group of the nodes (and so of pods): data stores and the NLB admit it. */
    nodeSecurityGroupId: pulumi.Output<string>;
    /** The EKS-managed cluster security group. */
    clusterSecurityGroupId: pulumi.Output<string>;
    /** The cluster's IAM OIDC provider (issuer without the scheme, e.g. `oidc.eks.eu-west-3.amazonaws.com/id/ABC`), for IRSA roles. */
    oidc: { providerArn: pulumi.Output<string>; issuer: pulumi.Output<string> };
    /** Namespace names as outputs of the Namespace objects, so dependants wait for them. */
    appNamespace: pulumi.Output<string>;
    infraNamespace: pulumi.Output<string>;
    monitoringNamespace: pulumi.Output<string>;
    storageClassName: pulumi.Output<string>;
    /**
     * What a TargetGroupBinding waits for: the AWS Load Balancer Controller release (its CRDs and
     * admission webhooks). Nothing else should wait on it: Deployments, Services, HPAs, PDBs and data
     * StatefulSets only need the cluster provider (which waits for the EKS add-ons and so the nodes).
     */
    lbController: pulumi.Resource[];
    /** The metrics-server release: what reads `metrics.k8s.io` needs it at run time, no object needs it to be created. */
    metricsServer: pulumi.Resource[];
}

/** Keys of the data-tier Secret in `flodrama`: identical in both modes, so no workload knows which runs. */
export const DATA_SECRET_KEYS = {
    mongoUri: serviceContract.DATA_ENV.mongoUri,
    redisUrl: serviceContract.DATA_ENV.redisUrl,
    /** PEM bundle that the MongoDB driver trusts (the Amazon RDS CA bundle when managed). */
    mongoCa: serviceContract.MONGODB_CA_FILE,
} as const;
/** Where workloads mount the data-tier Secret; `MONGODB_URI` points at the CA file under it (lib/serviceContract.ts). */
export const DATA_SECRET_MOUNT_PATH = serviceContract.DATA_SECRET_MOUNT_PATH;

/** What the data tier hands to workloads and monitoring. */
export interface DataInfo {
    mode: "managed" | "in-cluster";
    /** Name of the Secret in `flodrama` with `DATA_SECRET_KEYS`. */
    secretName: pulumi.Output<string>;
    /** DocumentDB cluster identifier and ElastiCache replication group id, for alarms (managed mode). */
    documentDbClusterId?: pulumi.Output<string>;
    documentDbInstanceIds?: pulumi.Output<string>[];
    redisReplicationGroupId?: pulumi.Output<string>;
    /** DocumentDB instance class and Redis replicas per shard (managed mode): they size the alarm thresholds. */
    documentDbInstanceClass?: string;
    redisReplicas?: number;
    /** Ports of the stores, for NetworkPolicy egress. */
    mongoPort: number;
    redisPort: number;
}

/** Name of the port of every FloDrama Service and container; the only port the API's TargetGroupBindings reach. */
export const SERVICE_PORT_NAME = serviceContract.APP_PORT_NAME;
/** Where every FloDrama service serves Prometheus metrics (lib/serviceContract.ts: on its management port). */
export const METRICS_PATH = serviceContract.METRICS_PATH;
/** Management paths (metrics, probes): served on the management port only, and no API route may name them. */
export const INTERNAL_PATHS: readonly string[] = [...new Set([serviceContract.METRICS_PATH, ...Object.values(serviceContract.PROBE_PATHS)])];
/** The management path that `path` equals or lies under, if any (`/metrics/x` → `/metrics`). */
export function internalPathOf(path: string): string | undefined {
    return INTERNAL_PATHS.find((p) => path === p || path.startsWith(`${p}/`));
}

/** Labels of a FloDrama service's pods, Service and Deployment selector; PodMonitors and NetworkPolicies select by them. */
export function serviceLabels(serviceName: string): Record<string, string> {
    return { "app.kubernetes.io/name": serviceName, "app.kubernetes.io/part-of": "flodrama" };
}

/**
 * The part of a service's config the Kubernetes builders (k8s/serviceSpecs.ts) read: they need
 * neither the image source, the secrets, the ECR lifecycle nor the scraper settings.
 */
export type ServiceSpec = Pick<
    ServiceConfig,
    "name" | "role" | "port" | "expose" | "replicas" | "resources" | "autoscaling" | "env" | "internetEgress" | "terminationGracePeriodSeconds"
>;

/**
 * The seed's alert thresholds ("Surveillance et Monitoring" of the original specification), shared by
 * the CloudWatch alarms (components/monitoring) and the Prometheus rules (k8s/serviceMonitoring.ts).
 */
export const SEED_THRESHOLDS = {
    /** Share of 5xx responses, in percent. */
    error5xxPercent: 5,
    /** Share of 4xx responses, in percent. */
    error4xxPercent: 10,
    /** Latency, in milliseconds. */
    latencyMs: 1000,
} as const;

/**
 * What a component built before the workloads grants the services of one role: IAM statements added to
 * their IRSA role's inline policy (so pods never start without them) and environment variables for
 * their pods. Recommendations grants the REST API access to the event tracker and its id this way.
 */
export interface ServiceGrant {
    role: ServiceConfig["role"];
    statements: PolicyStatement[];
    env: Record<string, pulumi.Input<string>>;
}

/** One deployed service, as the API and monitoring see it. */
export interface DeployedService {
    config: ServiceConfig;
    /** Kubernetes Service name (undefined for a service with no Service, such as the scraper). */
    serviceName?: pulumi.Output<string>;
    /** Name of the IAM role of its ServiceAccount (IRSA), for policies other components attach. */
    roleName: pulumi.Output<string>;
    roleArn: pulumi.Output<string>;
    /** The deployed image reference (pinned tag or pushed digest). */
    image: pulumi.Output<string>;
}

export interface SiteInfo {
    /** `https://<domain>`: the site origin (CORS, Cognito callbacks). */
    url: pulumi.Output<string>;
    distributionId: pulumi.Output<string>;
}

export interface ApiInfo {
    http: ApiEndpoint;
    websocket: ApiEndpoint;
}

/** One API Gateway API (HTTP or WebSocket) as its consumers see it. */
export interface ApiEndpoint {
    apiId: pulumi.Output<string>;
    /** `https://` / `wss://` URL of its custom domain when configured, of its execute-api endpoint otherwise. */
    url: pulumi.Output<string>;
    /**
     * Its stage, the `Stage` dimension of its CloudWatch metrics: `$default` for the HTTP API; WebSocket
     * APIs have no `$default` stage, so the WebSocket API's has its own name.
     */
    stageName: string;
}

/** One Cognito user pool as its consumers see it. */
export interface UserPoolOutputs {
    userPoolId: pulumi.Output<string>;
    userPoolArn: pulumi.Output<string>;
    /** The pool's app client (the viewer pool's: the SPA, and so the JWT audience). */
    clientId: pulumi.Output<string>;
    /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the JWT issuer. */
    issuerUrl: pulumi.Output<string>;
    /** Hosted UI base URL, `https://<prefix>.auth.<region>.amazoncognito.com`. */
    hostedUiUrl: pulumi.Output<string>;
}

/** What identity hands to the API (JWT authorizer) and the frontend outputs: the viewer and admin pools. */
export interface IdentityInfo {
    viewer: UserPoolOutputs;
    admin: UserPoolOutputs;
}

// ---- config shapes other features read (each schema in components/<feature>/config.ts satisfies its shape) ----

/**
 * Kubernetes versions the program supports (EKS standard support; end dates in
 * components/cluster/config.ts). k8s/ builders key add-on versions by them.
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.34", "1.35", "1.36"] as const;
export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];

export const SERVICE_ROLES = ["rest-api", "scraper", "watch-party"] as const;
export const EXPOSURES = ["http-api", "websocket-api", "none"] as const;

/** A namespace's ResourceQuota, as `cluster.quotas.app` / `.infra` configure it. */
export interface NamespaceQuota {
    requestsCpu: string;
    requestsMemory: string;
    limitsCpu: string;
    limitsMemory: string;
    pods: number;
}

/**
 * A service's image: `build` (dev) builds `services/` with the build arg `service` inside `pulumi up`
 * and pushes it to the stack's ECR repository under a content-hash tag; `release` (prod) runs the
 * version the services workflow pushed to that repository, resolved to its digest; `pinned` runs a
 * reference as given (`<registry>/<repository>@sha256:<digest>`, or a tag where digests are not required).
 */
export type ServiceImageSource =
    | { kind: "build"; service: serviceContract.ServiceImageName }
    | { kind: "release"; version: string }
    | { kind: "pinned"; ref: string };

/** What the scraper fetches and how often (`services[].scraper`, role scraper only). */
export interface ScraperSettings {
    sources: Array<{ name: string; url: string }>;
    intervalSeconds: number;
}

/**
 * Where a service's secret comes from: exactly one of `config` (a Pulumi config key holding a secret,
 * `flodrama:apiStripeKey`, delivered through the service's Kubernetes Secret) and `secretsManagerArn`
 * (read by the pod through its IRSA role; `kmsKeyArn` names the secret's customer-managed key, if any).
 */
export interface ServiceSecretRef {
    config?: string;
    secretsManagerArn?: string;
    kmsKeyArn?: string;
}

/** One entry of `flodrama:services`, after validation (paths resolved, defaults applied). */
export interface ServiceConfig {
    /** Kubernetes name of the service, a DNS label (e.g. `api`). */
    name: string;
    role: (typeof SERVICE_ROLES)[number];
    /** Where the service's image comes from (`flodrama:services[].image`, docs/workloads.md#images). */
    image: ServiceImageSource;
    /** The app port (container port `http`). */
    port: number;
    /** How users reach it: through the HTTP API, the WebSocket API, or not at all. */
    expose: (typeof EXPOSURES)[number];
    replicas: { min: number; max: number };
    resources: { cpuRequest: string; memoryRequest: string; cpuLimit: string; memoryLimit: string };
    autoscaling: { cpuUtilization: number; memoryUtilization: number };
    /** Plain (non-secret) environment variables. */
    env: Record<string, string>;
    /** Secret environment variables by name: where each value comes from (docs/services.md). */
    secrets: Record<string, ServiceSecretRef>;
    /** Egress to the internet: only a `scraper` may set it; others reach only DNS, the data tier and AWS APIs. */
    internetEgress: boolean;
    terminationGracePeriodSeconds: number;
    /** ECR lifecycle: number of images kept. */
    keepImages: number;
    /** Role scraper: its sources and interval (`SCRAPER_SOURCES`, `SCRAPER_INTERVAL_SECONDS`); undefined for other roles. */
    scraper?: ScraperSettings;
}

/** A custom domain: the names served and the Route 53 public zone holding them and their validation records. */
export interface DomainConfig {
    names: string[];
    hostedZone: string;
}

/** `flodrama:monitoring`, as the monitoring component and the kube-prometheus-stack values read it. */
export interface MonitoringConfig {
    alertEmails: string[];
    /** CloudWatch dashboard name; default `FloDrama-Dashboard-<stack>`. */
    dashboardName: string;
    alarms: { periodSeconds: number; evaluationPeriods: number; datapointsToAlarm: number };
    budget: { monthlyLimitUsd: number; forecastAlert: boolean };
    prometheus: { retention: string; storageGi: number };
    grafana: { storageGi: number };
}
