/**
 * The stack configuration, read once and validated before any resource is created.
 *
 * `parseConfig` is a pure function of the raw `flodrama:*` values (plus `aws:region`), so tests call
 * it without mocks. `loadConfig` reads the real Pulumi config and throws one `ConfigError` listing
 * every problem: key, value found, what is allowed and how to fix it. Stack differences (dev, prod)
 * are data in `Pulumi.<stack>.yaml`, never `if (stack === "prod")` in code.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    cidrCheck,
    closest,
    DNS_LABEL,
    DNS_NAME,
    IAM_ROLE_ARN,
    isEmail,
    K8S_QUANTITY,
    Problems,
    Reader,
    readOneOf,
    readStringMap,
    readString,
    show,
    ConfigProblem,
} from "./validate";

export const PROJECT = "flodrama";

// ---- allowed values --------------------------------------------------------------------------------

/**
 * Kubernetes versions in EKS standard support on the date of the last review (2026-11-24):
 * 1.34 until 2026-12-02, 1.35 until 2027-03-27, 1.36 until mid 2027. The seed's 1.29 left extended
 * support on 2026-03-23 and EKS no longer creates it. Review this list with each EKS release.
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.34", "1.35", "1.36"] as const;
export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];

/** The retention periods that CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const ENVIRONMENTS = ["dev", "prod"] as const;
export const NAT_STRATEGIES = ["single", "one-per-az"] as const;
export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export const DATA_MODES = ["managed", "in-cluster"] as const;
export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export const SERVICE_ROLES = ["rest-api", "scraper", "watch-party"] as const;
export const EXPOSURES = ["http-api", "websocket-api", "none"] as const;
export const THREAT_PROTECTION = ["off", "audit", "enforced"] as const;

// ---- typed config ----------------------------------------------------------------------------------

export interface FlodramaConfig {
    project: string;
    /** Pulumi stack name, e.g. `dev`. */
    stack: string;
    /** Default AWS region (`aws:region`); CloudFront, ACM for CloudFront, WAF and Lambda@Edge use us-east-1. */
    region: string;
    /** `flodrama:environment`: how strict validation is (prod requires alert e-mails, HTTPS callbacks, protection). */
    environment: (typeof ENVIRONMENTS)[number];
    /** Tags applied to every AWS resource through the providers' default tags. */
    tags: Record<string, string>;
    /** `flodrama:protectStatefulResources`: `protect`, deletion protection and final snapshots on stateful resources. */
    protect: boolean;
    /** `flodrama:logRetentionDays`: retention of every CloudWatch log group the program creates. */
    logRetentionDays: number;
    network: NetworkConfig;
    cluster: ClusterConfig;
    data: DataConfig;
    cdn: CdnConfig;
    frontend: FrontendConfig;
    services: ServiceConfig[];
    api: ApiConfig;
    identity: IdentityConfig;
    monitoring: MonitoringConfig;
}

export interface NetworkConfig {
    /** VPC CIDR block, /16 to /20. */
    cidr: string;
    /** Availability zones used, 2 to 4 (dev 2, prod 3). */
    azCount: number;
    /** One NAT gateway for the VPC (`single`) or one per AZ (`one-per-az`). */
    natGateways: (typeof NAT_STRATEGIES)[number];
    /** Interface endpoints (ECR, STS, CloudWatch Logs, ...) so private nodes reach AWS APIs without NAT. */
    interfaceEndpoints: boolean;
}

export interface NodeGroupConfig {
    /** Short name, a DNS label (e.g. `general`). */
    name: string;
    /** At least one EC2 instance type; two or more let the group fall back when one is scarce. */
    instanceTypes: string[];
    capacityType: (typeof CAPACITY_TYPES)[number];
    minSize: number;
    desiredSize: number;
    maxSize: number;
    /** Root volume size in GiB (gp3, encrypted). */
    diskSizeGiB: number;
    /** Extra Kubernetes node labels. */
    labels: Record<string, string>;
}

export interface NamespaceQuota {
    requestsCpu: string;
    requestsMemory: string;
    limitsCpu: string;
    limitsMemory: string;
    pods: number;
}

export interface ClusterConfig {
    version: KubernetesVersion;
    /** CIDRs allowed on the public API endpoint; empty means the endpoint is private only. */
    publicAccessCidrs: string[];
    /** IAM role ARNs granted cluster admin through EKS access entries. */
    adminRoleArns: string[];
    nodeGroups: NodeGroupConfig[];
    quotas: { app: NamespaceQuota; infra: NamespaceQuota };
}

export interface DocumentDbConfig {
    instanceClass: string;
    /** Instances, spread over the AZs: 1 writer and the rest readers. */
    instanceCount: number;
    engineVersion: string;
    backupRetentionDays: number;
    /** UTC, `hh24:mi-hh24:mi`. */
    backupWindow: string;
    /** UTC, `ddd:hh24:mi-ddd:hh24:mi`. */
    maintenanceWindow: string;
}

export interface RedisConfig {
    nodeType: string;
    engineVersion: string;
    /** Read replicas beside the primary (0 to 5). */
    replicas: number;
    /** Automatic failover and Multi-AZ; needs at least one replica. */
    automaticFailover: boolean;
    snapshotRetentionDays: number;
    snapshotWindow: string;
    maintenanceWindow: string;
}

export interface InClusterDataConfig {
    /** Pinned MongoDB image (tag or digest, never `latest`). */
    mongoImage: string;
    /** Pinned Redis image. */
    redisImage: string;
    mongoStorageGi: number;
    redisStorageGi: number;
}

export interface DataConfig {
    mode: (typeof DATA_MODES)[number];
    /** Present when `mode` is `managed`. */
    documentDb?: DocumentDbConfig;
    redis?: RedisConfig;
    /** Present when `mode` is `in-cluster`. */
    inCluster?: InClusterDataConfig;
}

export interface DomainConfig {
    /** Names the distribution (or API) answers to, e.g. `flodrama.com`, `www.flodrama.com`. */
    names: string[];
    /** Route 53 public hosted zone that holds the names and the DNS validation records. */
    hostedZone: string;
}

export interface CdnConfig {
    priceClass: (typeof PRICE_CLASSES)[number];
    /** Custom domain; absent means the CloudFront domain and certificate. */
    domain?: DomainConfig;
    waf: { enabled: boolean; rateLimitPer5Minutes: number };
}

export interface FrontendConfig {
    /** Directory with the built React app (`index.html` at its root), relative to the project; absent skips the upload. */
    buildDir?: string;
}

export interface ServiceConfig {
    /** Kubernetes name of the service, a DNS label (e.g. `api`). */
    name: string;
    role: (typeof SERVICE_ROLES)[number];
    /** A pinned image reference (tag other than `latest`, or `@sha256:` digest). Exclusive with `build`. */
    image?: string;
    /** A Docker build context built for linux/amd64 and pushed to the service's ECR repository. */
    build?: { context: string; dockerfile?: string };
    port: number;
    /** How users reach it: through the HTTP API, the WebSocket API, or not at all. */
    expose: (typeof EXPOSURES)[number];
    probes: { livenessPath: string; readinessPath: string; startupPath: string };
    replicas: { min: number; max: number };
    resources: { cpuRequest: string; memoryRequest: string; cpuLimit: string; memoryLimit: string };
    autoscaling: { cpuUtilization: number; memoryUtilization: number };
    /** Plain (non-secret) environment variables. */
    env: Record<string, string>;
    /** Egress to the internet: only a `scraper` may set it (config error otherwise); others reach only DNS, the data tier and AWS APIs. */
    internetEgress: boolean;
    terminationGracePeriodSeconds: number;
    /** ECR lifecycle: number of images kept. */
    keepImages: number;
}

export interface ApiConfig {
    throttling: { burstLimit: number; rateLimit: number };
    /** Routes reachable without a token, e.g. `GET /health`. */
    publicRoutes: string[];
    /** Custom domain of the HTTP API (one name). */
    domain?: DomainConfig;
    /** Custom domain of the WebSocket API (one name). */
    websocketDomain?: DomainConfig;
    /** CORS origins besides the site's own, e.g. a local dev server (`http://localhost` only in dev). */
    extraCorsOrigins: string[];
}

export interface IdentityConfig {
    /** Cognito groups of the viewer pool, one per subscription plan. */
    planGroups: string[];
    threatProtection: (typeof THREAT_PROTECTION)[number];
    /** Prefix of the Cognito hosted UI domain (`<prefix>.auth.<region>.amazoncognito.com`), globally unique. */
    domainPrefix: string;
    /** Callback URLs besides the site's own (e.g. a local dev server). */
    extraCallbackUrls: string[];
    extraLogoutUrls: string[];
    /**
     * Amazon SES sender of both pools' e-mails (verification codes, invitations). Absent: Cognito's own
     * sender, which has a small daily quota (fine for dev, not for public sign-up).
     */
    email?: IdentityEmailConfig;
}

export interface IdentityEmailConfig {
    /** ARN of a verified SES identity in the stack's region, e.g. `arn:aws:ses:eu-west-3:123456789012:identity/flodrama.com`. */
    sesIdentityArn: string;
    /** Sender address, an address of that identity, e.g. `no-reply@flodrama.com`. */
    from: string;
}

export interface MonitoringConfig {
    alertEmails: string[];
    /**
     * CloudWatch dashboard name. Default `FloDrama-Dashboard-<stack>`, so stacks sharing an account do
     * not collide; prod sets the seed's `FloDrama-Dashboard`.
     */
    dashboardName: string;
    alarms: { periodSeconds: number; evaluationPeriods: number; datapointsToAlarm: number };
    budget: { monthlyLimitUsd: number; forecastAlert: boolean };
    prometheus: { retention: string; storageGi: number };
    grafana: { storageGi: number };
}

// ---- errors ------------------------------------------------------------------------------------------

/** Thrown before any resource is created; a `RunError` so Pulumi prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stackName: string,
        readonly problems: ConfigProblem[],
    ) {
        super(formatProblems(stackName, problems));
        this.name = "ConfigError";
    }
}

function setCommand(stack: string, key: string): string {
    const [ns, rest] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    const pathed = /[.[]/.test(rest);
    return `pulumi config set --stack ${stack}${pathed ? " --path" : ""} '${ns}:${rest}' <value>`;
}

export function formatProblems(stack: string, problems: ConfigProblem[]): string {
    const lines = problems.map((p, i) => {
        const hint = p.hint ? ` ${p.hint}` : "";
        return (
            `  ${i + 1}. ${p.key}: expected ${p.expected}; found ${show(p.value)}.${hint}\n` +
            `     Fix: edit Pulumi.${stack}.yaml or run \`${setCommand(stack, p.key)}\`.`
        );
    });
    return `Stack config for \`${stack}\` has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was created:\n${lines.join("\n")}`;
}

// ---- parsing -------------------------------------------------------------------------------------------

/** The top-level `flodrama:*` keys; any other `flodrama:` key is reported as unknown. */
export const TOP_LEVEL_KEYS = [
    "environment",
    "tags",
    "protectStatefulResources",
    "logRetentionDays",
    "network",
    "cluster",
    "data",
    "cdn",
    "frontend",
    "services",
    "api",
    "identity",
    "monitoring",
] as const;

export interface RawConfig {
    /** `aws:region`. */
    region?: unknown;
    /** The `flodrama:*` values, without the prefix, already JSON-parsed. */
    values: Record<string, unknown>;
}

export interface ParseOptions {
    stack: string;
    /** Directory that relative paths (frontend build, Docker contexts) are resolved against. */
    projectDir: string;
}

const NAME_PART = { pattern: DNS_LABEL, description: "a DNS label: lower-case letters, digits and '-', starting with a letter" };
const QUANTITY = { pattern: K8S_QUANTITY, description: "a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi" };
const HHMM = "([01]\\d|2[0-3]):[0-5]\\d";
const DAY = "(mon|tue|wed|thu|fri|sat|sun)";
const WINDOW = { pattern: new RegExp(`^${HHMM}-${HHMM}$`), description: "a UTC window hh24:mi-hh24:mi such as 02:00-03:00" };
const WEEKLY_WINDOW = {
    pattern: new RegExp(`^${DAY}:${HHMM}-${DAY}:${HHMM}$`),
    description: "a UTC window ddd:hh24:mi-ddd:hh24:mi such as sun:03:30-sun:04:30",
};
const WEEK_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

function minutesOfDay(hhmm: string): number {
    const [h, m] = hhmm.split(":").map(Number);
    return h * 60 + m;
}

/** A weekly window (`sun:03:00-sun:04:00`) as [start, end) minutes of the week from Monday 00:00; `end` may pass the week's end. */
export function weeklyWindowMinutes(window: string): [number, number] {
    const [from, to] = window.split("-").map((part) => {
        const [day, ...hhmm] = part.split(":");
        return WEEK_DAYS.indexOf(day as (typeof WEEK_DAYS)[number]) * MINUTES_PER_DAY + minutesOfDay(hhmm.join(":"));
    });
    return [from, to > from ? to : to + MINUTES_PER_WEEK];
}

/** A daily window (`01:00-02:00`, or `23:30-00:30` across midnight) as [start, end) minutes of the day; `end` may pass midnight. */
export function dailyWindowMinutes(window: string): [number, number] {
    const [from, to] = window.split("-").map(minutesOfDay);
    return [from, to > from ? to : to + MINUTES_PER_DAY];
}

/** Whether a daily window, repeated every day of the week, meets a weekly window. */
export function dailyMeetsWeekly(daily: string, weekly: string): boolean {
    const [ds, de] = dailyWindowMinutes(daily);
    const [ws, we] = weeklyWindowMinutes(weekly);
    // Every day's occurrence, also those of the previous and next week (windows wrap around Sunday night).
    for (let day = -7; day < 14; day++) {
        const s = ds + day * MINUTES_PER_DAY;
        if (s < we && ws < s + (de - ds)) {
            return true;
        }
    }
    return false;
}

/** Window lengths and clashes that AWS rejects at create time, reported with the config keys. */
function checkWindows(r: Reader, checks: { key: string; window: string | undefined; weekly: boolean; minMinutes: number; service: string }[], clash?: { daily: string; weekly: string; service: string }): void {
    const values = new Map(checks.map((c) => [c.key, c.window]));
    for (const c of checks) {
        if (c.window === undefined) {
            continue;
        }
        const [from, to] = c.weekly ? weeklyWindowMinutes(c.window) : dailyWindowMinutes(c.window);
        if (to - from < c.minMinutes) {
            r.problems.add(r.key(c.key), c.window, `a window of at least ${c.minMinutes} minutes (${c.service} rejects shorter ones)`);
        }
    }
    const daily = clash && values.get(clash.daily);
    const weekly = clash && values.get(clash.weekly);
    if (clash && daily && weekly && dailyMeetsWeekly(daily, weekly)) {
        r.problems.add(r.key(clash.daily), daily, `a window apart from ${clash.weekly} (${weekly}): ${clash.service} rejects overlapping windows`);
    }
}

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \/[A-Za-z0-9._~\-/{}+]*$/;
const HTTP_PATH = { pattern: /^\/[A-Za-z0-9._~\-/]*$/, description: "an absolute HTTP path such as /healthz" };

/** `true` when `image` is pinned: a digest, or a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
    if (/@sha256:[a-f0-9]{64}$/.test(image)) {
        return true;
    }
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) {
        return false;
    }
    const tag = lastSegment.slice(colon + 1);
    return tag.length > 0 && tag !== "latest";
}

/**
 * Environment variables the workloads set themselves (port, data Secret, scraper bucket); a service's
 * `env` may not name them, nor `AWS_*` (IRSA injects the credentials, and keys never belong in config).
 */
export const RESERVED_ENV_NAMES = ["PORT", "MONGODB_URI", "REDIS_URL", "SCRAPER_BUCKET", "SCRAPER_PREFIX", "PERSONALIZE_TRACKING_ID", "PERSONALIZE_DATASET_GROUP_ARN"];

const PINNED_IMAGE = {
    description: "a pinned image reference: repo:tag (not `latest`) or repo@sha256:<digest>",
    check: (v: string) => (isPinnedImage(v) ? undefined : "a pinned image reference: repo:tag (not `latest`) or repo@sha256:<digest>"),
};

function readDomain(r: Reader, name: string, single: boolean): DomainConfig | undefined {
    const d = r.object(name, true);
    if (!d) {
        return undefined;
    }
    d.allowOnly(["names", "hostedZone"]);
    const names = d.list("names", (p, v) => readString(r.problems, p, v, { pattern: DNS_NAME, description: "a lower-case DNS name such as www.flodrama.com" }), {
        min: 1,
        max: single ? 1 : 10,
        unique: true,
    });
    const hostedZone = d.string("hostedZone", { pattern: DNS_NAME, description: "the Route 53 public zone name, such as flodrama.com" });
    if (names && hostedZone) {
        names.forEach((n, i) => {
            if (n !== hostedZone && !n.endsWith(`.${hostedZone}`)) {
                r.problems.add(`${d.key("names")}[${i}]`, n, `a name inside the hosted zone ${hostedZone}`);
            }
        });
    }
    return names && hostedZone ? { names, hostedZone } : undefined;
}

function readQuota(r: Reader | undefined): NamespaceQuota | undefined {
    if (!r) {
        return undefined;
    }
    r.allowOnly(["requestsCpu", "requestsMemory", "limitsCpu", "limitsMemory", "pods"]);
    const q = {
        requestsCpu: r.string("requestsCpu", QUANTITY),
        requestsMemory: r.string("requestsMemory", QUANTITY),
        limitsCpu: r.string("limitsCpu", QUANTITY),
        limitsMemory: r.string("limitsMemory", QUANTITY),
        pods: r.int("pods", { min: 1, max: 10000 }),
    };
    return complete(q);
}

/** Returns the object when every field was read, so a half-read section never leaks out typed. */
function complete<T extends object>(o: { [K in keyof T]: T[K] | undefined }, optionalKeys: (keyof T)[] = []): T | undefined {
    for (const [k, v] of Object.entries(o)) {
        if (v === undefined && !optionalKeys.includes(k as keyof T)) {
            return undefined;
        }
    }
    return o as T;
}

function readNetwork(r: Reader): NetworkConfig | undefined {
    r.allowOnly(["cidr", "azCount", "natGateways", "interfaceEndpoints"]);
    return complete<NetworkConfig>({
        cidr: r.string("cidr", { description: "an IPv4 CIDR block", check: cidrCheck(16, 20) }),
        azCount: r.int("azCount", { min: 2, max: 4 }),
        natGateways: r.oneOf("natGateways", NAT_STRATEGIES),
        interfaceEndpoints: r.bool("interfaceEndpoints"),
    });
}

function readCluster(r: Reader, problems: Problems): ClusterConfig | undefined {
    r.allowOnly(["version", "publicAccessCidrs", "adminRoleArns", "nodeGroups", "quotas"]);
    const version = r.value.version;
    let parsedVersion: KubernetesVersion | undefined;
    if (typeof version === "string" && (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(version)) {
        parsedVersion = version as KubernetesVersion;
    } else {
        problems.add(
            r.key("version"),
            version,
            `a Kubernetes version in EKS standard support, as a quoted string: ${SUPPORTED_KUBERNETES_VERSIONS.map((v) => `"${v}"`).join(", ")}`,
            version === "1.29" || version === 1.29 ? "The seed's 1.29 is past EKS extended support; see README, Kubernetes version." : undefined,
        );
    }
    const publicAccessCidrs = r.list("publicAccessCidrs", (p, v) => readString(problems, p, v, { description: "an IPv4 CIDR block", check: cidrCheck(0, 32) }), {
        fallback: [],
        unique: true,
    });
    const adminRoleArns = r.list(
        "adminRoleArns",
        (p, v) => readString(problems, p, v, { pattern: IAM_ROLE_ARN, description: "an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin" }),
        { fallback: [], unique: true },
    );
    const nodeGroups = r.list("nodeGroups", (p, v) => readNodeGroup(Reader.of(problems, p, v)!), { min: 1 });
    if (nodeGroups) {
        const names = nodeGroups.map((g) => g.name);
        if (new Set(names).size !== names.length) {
            problems.add(r.key("nodeGroups"), names, "node groups with distinct names");
        }
    }
    const quotas = r.object("quotas");
    quotas?.allowOnly(["app", "infra"]);
    const app = readQuota(quotas?.object("app"));
    const infra = readQuota(quotas?.object("infra"));
    return complete<ClusterConfig>({
        version: parsedVersion,
        publicAccessCidrs,
        adminRoleArns,
        nodeGroups,
        quotas: app && infra ? { app, infra } : undefined,
    });
}

function readNodeGroup(r: Reader): NodeGroupConfig | undefined {
    r.allowOnly(["name", "instanceTypes", "capacityType", "minSize", "desiredSize", "maxSize", "diskSizeGiB", "labels"]);
    const g = {
        name: r.string("name", { ...NAME_PART, maxLength: 20 }),
        instanceTypes: r.list(
            "instanceTypes",
            (p, v) => readString(r.problems, p, v, { pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, description: "an EC2 instance type such as m6i.large" }),
            { min: 1, max: 20, unique: true },
        ),
        capacityType: r.oneOf("capacityType", CAPACITY_TYPES),
        minSize: r.int("minSize", { min: 0, max: 450 }),
        desiredSize: r.int("desiredSize", { min: 0, max: 450 }),
        maxSize: r.int("maxSize", { min: 1, max: 450 }),
        diskSizeGiB: r.int("diskSizeGiB", { min: 20, max: 16384, fallback: 50 }),
        labels: r.stringMap("labels", { fallback: {} }),
    };
    if (g.minSize !== undefined && g.maxSize !== undefined && g.minSize > g.maxSize) {
        r.problems.add(r.key("minSize"), g.minSize, `at most maxSize (${g.maxSize})`, "Lower minSize or raise maxSize.");
    }
    if (g.desiredSize !== undefined && g.minSize !== undefined && g.maxSize !== undefined && g.minSize <= g.maxSize && (g.desiredSize < g.minSize || g.desiredSize > g.maxSize)) {
        r.problems.add(r.key("desiredSize"), g.desiredSize, `between minSize (${g.minSize}) and maxSize (${g.maxSize})`);
    }
    return complete<NodeGroupConfig>(g);
}

function readData(r: Reader, problems: Problems): DataConfig | undefined {
    r.allowOnly(["mode", "documentDb", "redis", "inCluster"]);
    const mode = r.oneOf("mode", DATA_MODES);
    let documentDb: DocumentDbConfig | undefined;
    let redis: RedisConfig | undefined;
    let inCluster: InClusterDataConfig | undefined;
    // Only the selected mode's section is required; the other may stay in the file for a later switch.
    if (mode === "managed" || (mode === undefined && r.has("documentDb"))) {
        const d = r.object("documentDb");
        if (d) {
            d.allowOnly(["instanceClass", "instanceCount", "engineVersion", "backupRetentionDays", "backupWindow", "maintenanceWindow"]);
            const backupWindow = d.string("backupWindow", WINDOW);
            const maintenanceWindow = d.string("maintenanceWindow", WEEKLY_WINDOW);
            documentDb = complete<DocumentDbConfig>({
                instanceClass: d.string("instanceClass", { pattern: /^db\.[a-z0-9]+\.[a-z0-9]+$/, description: "a DocumentDB instance class such as db.r6g.large" }),
                instanceCount: d.int("instanceCount", { min: 1, max: 16 }),
                engineVersion: d.string("engineVersion", { pattern: /^\d+\.\d+\.\d+$/, description: "a DocumentDB engine version such as 5.0.0" }),
                backupRetentionDays: d.int("backupRetentionDays", { min: 7, max: 35 }),
                backupWindow,
                maintenanceWindow,
            });
            checkWindows(
                d,
                [
                    { key: "backupWindow", window: backupWindow, weekly: false, minMinutes: 30, service: "DocumentDB" },
                    { key: "maintenanceWindow", window: maintenanceWindow, weekly: true, minMinutes: 30, service: "DocumentDB" },
                ],
                { daily: "backupWindow", weekly: "maintenanceWindow", service: "DocumentDB" },
            );
        }
        const c = r.object("redis");
        if (c) {
            c.allowOnly(["nodeType", "engineVersion", "replicas", "automaticFailover", "snapshotRetentionDays", "snapshotWindow", "maintenanceWindow"]);
            const snapshotWindow = c.string("snapshotWindow", WINDOW);
            const maintenanceWindow = c.string("maintenanceWindow", WEEKLY_WINDOW);
            redis = complete<RedisConfig>({
                nodeType: c.string("nodeType", { pattern: /^cache\.[a-z0-9]+\.[a-z0-9]+$/, description: "an ElastiCache node type such as cache.r7g.large" }),
                engineVersion: c.string("engineVersion", { pattern: /^\d+\.\d+$/, description: "a Redis OSS engine version such as 7.1" }),
                replicas: c.int("replicas", { min: 0, max: 5 }),
                automaticFailover: c.bool("automaticFailover"),
                snapshotRetentionDays: c.int("snapshotRetentionDays", { min: 1, max: 35 }),
                snapshotWindow,
                maintenanceWindow,
            });
            checkWindows(c, [
                { key: "snapshotWindow", window: snapshotWindow, weekly: false, minMinutes: 60, service: "ElastiCache" },
                { key: "maintenanceWindow", window: maintenanceWindow, weekly: true, minMinutes: 60, service: "ElastiCache" },
            ]);
            if (redis && redis.automaticFailover && redis.replicas === 0) {
                problems.add(c.key("replicas"), 0, "at least 1 when automaticFailover is true", "Add a replica or set automaticFailover to false.");
                redis = undefined;
            }
        }
    }
    if (mode === "in-cluster" || (mode === undefined && r.has("inCluster"))) {
        const c = r.object("inCluster");
        if (c) {
            c.allowOnly(["mongoImage", "redisImage", "mongoStorageGi", "redisStorageGi"]);
            inCluster = complete<InClusterDataConfig>({
                mongoImage: c.string("mongoImage", PINNED_IMAGE),
                redisImage: c.string("redisImage", PINNED_IMAGE),
                mongoStorageGi: c.int("mongoStorageGi", { min: 1, max: 16384 }),
                redisStorageGi: c.int("redisStorageGi", { min: 1, max: 16384 }),
            });
        }
    }
    if (mode === "managed" && documentDb && redis) {
        return { mode, documentDb, redis };
    }
    if (mode === "in-cluster" && inCluster) {
        return { mode, inCluster };
    }
    return undefined;
}

function readCdn(r: Reader): CdnConfig | undefined {
    r.allowOnly(["priceClass", "domain", "waf"]);
    const waf = r.object("waf");
    waf?.allowOnly(["enabled", "rateLimitPer5Minutes"]);
    const wafConfig = waf
        ? complete<CdnConfig["waf"]>({
              enabled: waf.bool("enabled"),
              rateLimitPer5Minutes: waf.int("rateLimitPer5Minutes", { min: 100, max: 2_000_000_000 }),
          })
        : undefined;
    return complete<CdnConfig>(
        {
            priceClass: r.oneOf("priceClass", PRICE_CLASSES),
            domain: readDomain(r, "domain", false),
            waf: wafConfig,
        },
        ["domain"],
    );
}

function readFrontend(r: Reader | undefined, problems: Problems, projectDir: string): FrontendConfig {
    if (!r) {
        return {};
    }
    r.allowOnly(["buildDir"]);
    const buildDir = r.optionalString("buildDir");
    if (buildDir !== undefined) {
        const dir = path.resolve(projectDir, buildDir);
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
            problems.add(r.key("buildDir"), buildDir, `an existing directory (resolved to ${dir})`, "Run the frontend build first, or remove the key to skip the upload.");
            return {};
        }
        if (!fs.existsSync(path.join(dir, "index.html"))) {
            problems.add(r.key("buildDir"), buildDir, `a build directory with index.html at its root (none in ${dir})`);
            return {};
        }
        return { buildDir: dir };
    }
    return {};
}

function readService(r: Reader, projectDir: string): ServiceConfig | undefined {
    r.allowOnly([
        "name",
        "role",
        "image",
        "build",
        "port",
        "expose",
        "probes",
        "replicas",
        "resources",
        "autoscaling",
        "env",
        "internetEgress",
        "terminationGracePeriodSeconds",
        "keepImages",
    ]);
    const problems = r.problems;
    const name = r.string("name", { ...NAME_PART, maxLength: 24 });
    const image = r.has("image") ? r.string("image", PINNED_IMAGE) : undefined;
    let build: ServiceConfig["build"];
    if (r.has("build")) {
        const b = r.object("build")!;
        b.allowOnly(["context", "dockerfile"]);
        const context = b.string("context", { description: "a directory holding the service's Dockerfile" });
        const dockerfile = b.optionalString("dockerfile");
        if (context !== undefined) {
            const dir = path.resolve(projectDir, context);
            const file = path.resolve(dir, dockerfile ?? "Dockerfile");
            if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
                problems.add(b.key("context"), context, `an existing directory (resolved to ${dir})`);
            } else if (!fs.existsSync(file)) {
                problems.add(b.key(dockerfile ? "dockerfile" : "context"), dockerfile ?? context, `a Dockerfile at ${file}`);
            } else {
                build = { context: dir, dockerfile: dockerfile ? file : undefined };
            }
        }
    }
    if (r.has("image") === r.has("build")) {
        problems.add(
            r.key("image"),
            r.value.image,
            "exactly one of `image` (a pinned reference) and `build` (a Docker context)",
            r.has("image") ? "Remove one of the two." : "Set `image` to a pinned reference or `build.context` to a directory with a Dockerfile.",
        );
    }
    const probes = r.object("probes");
    probes?.allowOnly(["livenessPath", "readinessPath", "startupPath"]);
    const replicas = r.object("replicas");
    replicas?.allowOnly(["min", "max"]);
    const resources = r.object("resources");
    resources?.allowOnly(["cpuRequest", "memoryRequest", "cpuLimit", "memoryLimit"]);
    const autoscaling = r.object("autoscaling");
    autoscaling?.allowOnly(["cpuUtilization", "memoryUtilization"]);
    const min = replicas?.int("min", { min: 1, max: 100 });
    const max = replicas?.int("max", { min: 1, max: 500 });
    if (min !== undefined && max !== undefined && min > max && replicas) {
        problems.add(replicas.key("min"), min, `at most replicas.max (${max})`, "Lower replicas.min or raise replicas.max.");
    }
    const svc = {
        name,
        role: r.oneOf("role", SERVICE_ROLES),
        image,
        build,
        port: r.int("port", { min: 1024, max: 65535 }),
        expose: r.oneOf("expose", EXPOSURES),
        probes: probes
            ? complete<ServiceConfig["probes"]>({
                  livenessPath: probes.string("livenessPath", HTTP_PATH),
                  readinessPath: probes.string("readinessPath", HTTP_PATH),
                  startupPath: probes.string("startupPath", HTTP_PATH),
              })
            : undefined,
        replicas: min !== undefined && max !== undefined && min <= max ? { min, max } : undefined,
        resources: resources
            ? complete<ServiceConfig["resources"]>({
                  cpuRequest: resources.string("cpuRequest", QUANTITY),
                  memoryRequest: resources.string("memoryRequest", QUANTITY),
                  cpuLimit: resources.string("cpuLimit", QUANTITY),
                  memoryLimit: resources.string("memoryLimit", QUANTITY),
              })
            : undefined,
        autoscaling: autoscaling
            ? complete<ServiceConfig["autoscaling"]>({
                  cpuUtilization: autoscaling.int("cpuUtilization", { min: 10, max: 100 }),
                  memoryUtilization: autoscaling.int("memoryUtilization", { min: 10, max: 100 }),
              })
            : undefined,
        env: r.stringMap("env", { keyPattern: /^[A-Za-z_][A-Za-z0-9_]*$/, keyDescription: "an environment variable name", fallback: {} }),
        internetEgress: r.bool("internetEgress", false),
        terminationGracePeriodSeconds: r.int("terminationGracePeriodSeconds", { min: 5, max: 3600, fallback: 30 }),
        keepImages: r.int("keepImages", { min: 1, max: 1000, fallback: 20 }),
    };
    for (const k of Object.keys(svc.env ?? {})) {
        if (RESERVED_ENV_NAMES.includes(k) || k.startsWith("AWS_")) {
            problems.add(
                r.key(`env.${k}`),
                // The value may be a credential: never echo it into logs.
                "(value not shown)",
                `a variable the program does not set itself (not ${RESERVED_ENV_NAMES.join(", ")} or AWS_*)`,
                "The data tier's Secret provides the connection URIs and IRSA the AWS credentials; remove the variable.",
            );
        }
    }
    // Only the scraper fetches from the web; any other service leaving the VPC would be a data path nobody reviewed.
    if (svc.internetEgress && svc.role !== undefined && svc.role !== "scraper") {
        problems.add(r.key("internetEgress"), true, "false for a service whose role is not scraper (only the scraper reaches the internet)", "Remove internetEgress, or set role: scraper.");
    }
    if (r.has("image") === r.has("build")) {
        return undefined;
    }
    return complete<ServiceConfig>(svc, ["image", "build"]);
}

function readApi(r: Reader, environment: FlodramaConfig["environment"] | undefined): ApiConfig | undefined {
    r.allowOnly(["throttling", "publicRoutes", "domain", "websocketDomain", "extraCorsOrigins"]);
    const t = r.object("throttling");
    t?.allowOnly(["burstLimit", "rateLimit"]);
    return complete<ApiConfig>(
        {
            throttling: t ? complete({ burstLimit: t.int("burstLimit", { min: 1, max: 100000 }), rateLimit: t.number("rateLimit", { min: 1, max: 100000 }) }) : undefined,
            publicRoutes: r.list(
                "publicRoutes",
                (p, v) => readString(r.problems, p, v, { pattern: ROUTE_KEY, description: "an HTTP API route key such as `GET /health` or `GET /catalog/{proxy+}`" }),
                { fallback: [], unique: true },
            ),
            domain: readDomain(r, "domain", true),
            websocketDomain: readDomain(r, "websocketDomain", true),
            extraCorsOrigins: readOriginList(r, "extraCorsOrigins", environment !== "dev"),
        },
        ["domain", "websocketDomain"],
    );
}

/** Browser origins (`scheme://host[:port]`, no path): https, or http://localhost where plain http is allowed. */
function readOriginList(r: Reader, name: string, httpsOnly: boolean): string[] | undefined {
    const description = httpsOnly ? "an https:// origin such as https://admin.flodrama.com (no path; plain http is only accepted in dev)" : "an https:// origin, or http://localhost:<port> in dev (no path)";
    return r.list(
        name,
        (p, v) =>
            readString(r.problems, p, v, {
                description,
                check: (s) => {
                    let u: URL;
                    try {
                        u = new URL(s);
                    } catch {
                        return description;
                    }
                    if (u.origin !== s) {
                        return `${description}; write ${u.origin === "null" ? "an origin" : u.origin}`;
                    }
                    if (u.protocol === "https:" || (!httpsOnly && u.protocol === "http:" && (u.hostname === "localhost" || u.hostname === "127.0.0.1"))) {
                        return undefined;
                    }
                    return description;
                },
            }),
        { fallback: [], unique: true },
    );
}

function readUrlList(r: Reader, name: string, httpsOnly: boolean): string[] | undefined {
    return r.list(
        name,
        (p, v) =>
            readString(r.problems, p, v, {
                description: httpsOnly ? "an https:// URL (plain http is only accepted in dev)" : "an https:// URL, or http://localhost in dev",
                check: (s) => {
                    let u: URL;
                    try {
                        u = new URL(s);
                    } catch {
                        return "an absolute URL";
                    }
                    if (u.protocol === "https:") {
                        return undefined;
                    }
                    if (!httpsOnly && u.protocol === "http:" && (u.hostname === "localhost" || u.hostname === "127.0.0.1")) {
                        return undefined;
                    }
                    return httpsOnly ? "an https:// URL (plain http is only accepted in dev)" : "an https:// URL, or http://localhost in dev";
                },
            }),
        { fallback: [], unique: true },
    );
}

/** The optional SES sender of the user pools: a verified identity in the stack's region, and an address it covers. */
function readIdentityEmail(r: Reader, region: string | undefined): IdentityEmailConfig | undefined {
    const e = r.object("email", true);
    if (!e) {
        return undefined;
    }
    e.allowOnly(["sesIdentityArn", "from"]);
    const sesIdentityArn = e.string("sesIdentityArn", {
        pattern: /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/[^/\s]+$/,
        description: "the ARN of a verified SES identity, such as arn:aws:ses:eu-west-3:123456789012:identity/flodrama.com",
        // Cognito sends through SES in its own region: an identity elsewhere is refused at pool update.
        check: (v) => (region && v.split(":")[3] !== region ? `an SES identity in the stack's region (${region})` : undefined),
    });
    const from = e.string("from", { description: "an e-mail address such as no-reply@flodrama.com", check: (v) => (isEmail(v) ? undefined : "an e-mail address such as no-reply@flodrama.com") });
    if (sesIdentityArn && from) {
        const identity = sesIdentityArn.slice(sesIdentityArn.indexOf("identity/") + "identity/".length);
        const domain = from.slice(from.lastIndexOf("@") + 1);
        if (identity !== from && identity !== domain && !domain.endsWith(`.${identity}`)) {
            r.problems.add(e.key("from"), from, `an address that the SES identity ${identity} covers (that address, or one in that domain)`);
        }
    }
    return complete<IdentityEmailConfig>({ sesIdentityArn, from });
}

function readIdentity(r: Reader, environment: FlodramaConfig["environment"] | undefined, region: string | undefined): IdentityConfig | undefined {
    r.allowOnly(["planGroups", "threatProtection", "domainPrefix", "extraCallbackUrls", "extraLogoutUrls", "email"]);
    const httpsOnly = environment !== "dev";
    const email = readIdentityEmail(r, region);
    if (r.has("email") && !email) {
        return undefined;
    }
    return complete<IdentityConfig>({
        planGroups: r.list("planGroups", (p, v) => readString(r.problems, p, v, { ...NAME_PART, maxLength: 64 }), { min: 1, max: 20, unique: true }),
        threatProtection: r.oneOf("threatProtection", THREAT_PROTECTION),
        domainPrefix: r.string("domainPrefix", {
            pattern: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
            description: "a Cognito domain prefix: lower-case letters, digits and '-', not containing aws, amazon or cognito",
            check: (v) =>
                /aws|amazon|cognito/.test(v)
                    ? "a prefix without the reserved words aws, amazon or cognito"
                    : // The admin pool's domain is `<prefix>-admin`, and Cognito prefixes stop at 63 characters.
                      v.length > 57
                      ? "a prefix of at most 57 characters (the admin pool's domain appends -admin)"
                      : undefined,
        }),
        extraCallbackUrls: readUrlList(r, "extraCallbackUrls", httpsOnly),
        extraLogoutUrls: readUrlList(r, "extraLogoutUrls", httpsOnly),
        email,
    }, ["email"]);
}

/** CloudWatch dashboard names: up to 255 letters, digits, `-` and `_`. */
export const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

function readMonitoring(r: Reader, environment: FlodramaConfig["environment"] | undefined, stack: string): MonitoringConfig | undefined {
    r.allowOnly(["alertEmails", "dashboardName", "alarms", "budget", "prometheus", "grafana"]);
    const dashboardName =
        r.optionalString("dashboardName", { pattern: DASHBOARD_NAME, description: "a CloudWatch dashboard name: up to 255 letters, digits, '-' or '_'" }) ??
        (r.has("dashboardName") ? undefined : `FloDrama-Dashboard-${stack}`);
    const alertEmails = r.list(
        "alertEmails",
        (p, v) => readString(r.problems, p, v, { description: "an e-mail address such as ops@flodrama.com", check: (s) => (isEmail(s) ? undefined : "an e-mail address such as ops@flodrama.com") }),
        { fallback: [], unique: true },
    );
    if (environment === "prod" && alertEmails && alertEmails.length === 0) {
        r.problems.add(r.key("alertEmails"), r.value.alertEmails, "at least one e-mail address in prod, so that alarms reach someone");
    }
    const a = r.object("alarms");
    a?.allowOnly(["periodSeconds", "evaluationPeriods", "datapointsToAlarm"]);
    const alarms = a
        ? complete<MonitoringConfig["alarms"]>({
              periodSeconds: a.int("periodSeconds", { min: 60, max: 86400 }),
              evaluationPeriods: a.int("evaluationPeriods", { min: 1, max: 100 }),
              datapointsToAlarm: a.int("datapointsToAlarm", { min: 1, max: 100 }),
          })
        : undefined;
    // Every alarmed metric (CloudFront, API Gateway, DocumentDB, ElastiCache) has one-minute resolution:
    // a 10, 20 or 30 s period is accepted by CloudWatch but leaves the alarm mostly in INSUFFICIENT_DATA.
    if (alarms && alarms.periodSeconds % 60 !== 0) {
        r.problems.add(a!.key("periodSeconds"), alarms.periodSeconds, "a multiple of 60 (the alarmed AWS metrics have one-minute resolution)");
    }
    if (alarms && alarms.periodSeconds * alarms.evaluationPeriods > 86400) {
        r.problems.add(a!.key("evaluationPeriods"), alarms.evaluationPeriods, `at most ${Math.floor(86400 / alarms.periodSeconds)} with a ${alarms.periodSeconds} s period (CloudWatch evaluates at most one day)`);
    }
    if (alarms && alarms.datapointsToAlarm > alarms.evaluationPeriods) {
        r.problems.add(a!.key("datapointsToAlarm"), alarms.datapointsToAlarm, `at most evaluationPeriods (${alarms.evaluationPeriods})`);
    }
    const b = r.object("budget");
    b?.allowOnly(["monthlyLimitUsd", "forecastAlert"]);
    const p = r.object("prometheus");
    p?.allowOnly(["retention", "storageGi"]);
    const g = r.object("grafana");
    g?.allowOnly(["storageGi"]);
    return complete<MonitoringConfig>({
        alertEmails,
        dashboardName,
        alarms,
        budget: b ? complete({ monthlyLimitUsd: b.number("monthlyLimitUsd", { min: 1, max: 10_000_000 }), forecastAlert: b.bool("forecastAlert", true) }) : undefined,
        prometheus: p
            ? complete({
                  retention: p.string("retention", { pattern: /^\d+(h|d|w|y)$/, description: "a Prometheus retention such as 15d" }),
                  storageGi: p.int("storageGi", { min: 1, max: 16384 }),
              })
            : undefined,
        grafana: g ? complete({ storageGi: g.int("storageGi", { min: 1, max: 16384 }) }) : undefined,
    });
}

/**
 * Validates the raw stack config and returns the typed config, or throws a `ConfigError` that lists
 * every problem. Pure: the only I/O is checking that configured directories exist.
 */
export function parseConfig(raw: RawConfig, opts: ParseOptions): FlodramaConfig {
    const problems = new Problems();
    const key = (k: string) => `${PROJECT}:${k}`;
    const top = new Reader(problems, PROJECT, raw.values);
    // Top-level keys are `flodrama:x`, not `flodrama.x`.
    const section = (k: string) => Reader.of(problems, key(k), raw.values[k]);

    for (const k of Object.keys(raw.values)) {
        if (!(TOP_LEVEL_KEYS as readonly string[]).includes(k)) {
            const guess = closest(k, TOP_LEVEL_KEYS);
            problems.add(key(k), raw.values[k], `no such key; known keys: ${TOP_LEVEL_KEYS.join(", ")}`, guess ? `Did you mean \`${key(guess)}\`?` : undefined);
        }
    }

    const region = readString(problems, "aws:region", raw.region, { pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/, description: "an AWS region such as eu-west-3" });
    const environment = readOneOf(problems, key("environment"), raw.values.environment, ENVIRONMENTS);

    const tags = readTags(problems, key("tags"), raw.values.tags);

    const protect = readBool(problems, key("protectStatefulResources"), raw.values.protectStatefulResources);
    if (environment === "prod" && protect === false) {
        problems.add(key("protectStatefulResources"), false, "true in prod, so that no routine `pulumi up` can delete user data");
    }
    const logRetentionDays = raw.values.logRetentionDays;
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays as (typeof LOG_RETENTION_DAYS)[number])) {
        problems.add(key("logRetentionDays"), logRetentionDays, `one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`);
    }

    const network = readNetwork(section("network")!);
    const cluster = readCluster(section("cluster")!, problems);
    const data = readData(section("data")!, problems);
    const cdn = readCdn(section("cdn")!);
    const frontend = readFrontend(Reader.of(problems, key("frontend"), raw.values.frontend, true), problems, opts.projectDir);
    const services = top.list("services", (p, v) => readService(Reader.of(problems, p, v)!, opts.projectDir), { min: 1, max: 20 });
    if (services) {
        checkServices(services, problems, cluster?.quotas.app);
    }
    const api = readApi(section("api")!, environment);
    const identity = readIdentity(section("identity")!, environment, region);
    const monitoring = readMonitoring(section("monitoring")!, environment, opts.stack);

    // `top.list` above used `flodrama.services`; report it as `flodrama:services`.
    for (const p of problems.list) {
        p.key = p.key.replace(/^flodrama\.services/, "flodrama:services");
    }
    if (!problems.empty) {
        throw new ConfigError(opts.stack, problems.list);
    }
    return {
        project: PROJECT,
        stack: opts.stack,
        region: region!,
        environment: environment!,
        tags: { ...tags!, Project: PROJECT, Stack: opts.stack, Environment: environment!, ManagedBy: "pulumi" },
        protect: protect!,
        logRetentionDays: logRetentionDays as number,
        network: network!,
        cluster: cluster!,
        data: data!,
        cdn: cdn!,
        frontend,
        services: services!,
        api: api!,
        identity: identity!,
        monitoring: monitoring!,
    };
}

function readBool(problems: Problems, key: string, v: unknown): boolean | undefined {
    if (typeof v !== "boolean") {
        problems.add(key, v, "true or false");
        return undefined;
    }
    return v;
}

/** Tags every resource carries; `Owner` and `CostCenter` are required, the program adds Project, Stack, Environment, ManagedBy. */
function readTags(problems: Problems, key: string, value: unknown): Record<string, string> | undefined {
    const tags = readStringMap(problems, key, value, { keyPattern: /^[\w .:/=+@-]{1,128}$/, keyDescription: "a valid AWS tag key" });
    if (!tags) {
        return undefined;
    }
    for (const required of ["Owner", "CostCenter"]) {
        if (tags[required] === undefined) {
            problems.add(`${key}.${required}`, undefined, "a non-empty tag value (every resource is tagged with it)");
        }
    }
    for (const reserved of ["Project", "Stack", "Environment", "ManagedBy"]) {
        if (tags[reserved] !== undefined) {
            problems.add(`${key}.${reserved}`, tags[reserved], "no value: the program sets this tag itself");
        }
    }
    return tags;
}

const QUANTITY_FACTORS: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes quantity (`500m`, `2`, `512Mi`) as a number of cores or bytes. */
export function parseQuantity(q: string): number {
    const m = K8S_QUANTITY.exec(q);
    if (!m) {
        throw new Error(`not a Kubernetes quantity: ${q}`);
    }
    return Number(m[1]) * QUANTITY_FACTORS[m[3] ?? ""];
}

/** Rollouts add up to 25 % of the replicas (rounded up) before old pods go (`maxSurge: 25%`, `maxUnavailable: 0`). */
export const ROLLOUT_SURGE = 0.25;

/**
 * The `flodrama` namespace's ResourceQuota must hold every service at `replicas.max` during a rollout;
 * otherwise the HPA stops below its maximum (the quota rejects the pods) and rollouts at scale hang.
 * Returns each quota field that is too small, with the amount needed.
 */
export function appQuotaShortfalls(services: ServiceConfig[], quota: NamespaceQuota): Array<{ field: keyof NamespaceQuota; quota: string | number; expected: string }> {
    const pods = (s: ServiceConfig) => s.replicas.max + Math.ceil(s.replicas.max * ROLLOUT_SURGE);
    const need = (pick: (s: ServiceConfig) => string) => services.reduce((sum, s) => sum + pods(s) * parseQuantity(pick(s)), 0);
    const out: Array<{ field: keyof NamespaceQuota; quota: string | number; expected: string }> = [];
    const check = (field: "requestsCpu" | "limitsCpu" | "requestsMemory" | "limitsMemory", needed: number, unit: "cores" | "Gi") => {
        const have = parseQuantity(quota[field]);
        const shown = unit === "Gi" ? `${Math.ceil((needed / 2 ** 30) * 100) / 100}Gi` : `${Math.ceil(needed * 1000) / 1000}`;
        if (have + 1e-9 < needed) {
            out.push({ field, quota: quota[field], expected: `at least ${shown} (every service at replicas.max plus the 25 % rollout surge)` });
        }
    };
    check("requestsCpu", need((s) => s.resources.cpuRequest), "cores");
    check("limitsCpu", need((s) => s.resources.cpuLimit), "cores");
    check("requestsMemory", need((s) => s.resources.memoryRequest), "Gi");
    check("limitsMemory", need((s) => s.resources.memoryLimit), "Gi");
    const totalPods = services.reduce((sum, s) => sum + pods(s), 0);
    if (quota.pods < totalPods) {
        out.push({ field: "pods", quota: quota.pods, expected: `at least ${totalPods} (every service at replicas.max plus the 25 % rollout surge)` });
    }
    return out;
}

/** Cross-service rules: unique names, one service per exposure kind the API layer serves. */
function checkServices(services: ServiceConfig[], problems: Problems, appQuota: NamespaceQuota | undefined): void {
    const key = `${PROJECT}:services`;
    for (const p of appQuota ? appQuotaShortfalls(services, appQuota) : []) {
        problems.add(`${PROJECT}:cluster.quotas.app.${p.field}`, p.quota, p.expected, "Raise the quota, or lower replicas.max or the resources of the services.");
    }
    const names = services.map((s) => s.name);
    if (new Set(names).size !== names.length) {
        problems.add(key, names, "services with distinct names");
    }
    for (const [expose, role] of [
        ["http-api", "rest-api"],
        ["websocket-api", "watch-party"],
    ] as const) {
        const exposed = services.filter((s) => s.expose === expose);
        if (exposed.length !== 1) {
            problems.add(key, exposed.map((s) => s.name), `exactly one service with expose: ${expose} (the ${role})`);
        }
    }
    for (const role of SERVICE_ROLES) {
        if (!services.some((s) => s.role === role)) {
            problems.add(key, names, `a service with role: ${role}`);
        }
    }
}

// ---- loading ---------------------------------------------------------------------------------------------

/** Reads the raw `flodrama:*` config and `aws:region` from the Pulumi runtime. */
export function readRawConfig(): RawConfig {
    const all = pulumi.runtime.allConfig();
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(all)) {
        if (k.startsWith(`${PROJECT}:`)) {
            values[k.slice(PROJECT.length + 1)] = parseValue(v);
        }
    }
    return { region: all["aws:region"], values };
}

/** Pulumi hands every value over as a string; objects and scalars are JSON. */
function parseValue(v: string): unknown {
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}

/** Loads and validates the current stack's config. Throws `ConfigError` on bad input. */
export function loadConfig(projectDir: string = path.resolve(__dirname, "..")): FlodramaConfig {
    return parseConfig(readRawConfig(), { stack: pulumi.getStack(), projectDir });
}
