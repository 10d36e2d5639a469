/**
 * CloudWatch alarm specs as plain data: what each alarm watches, in which region, against which
 * threshold, and how it treats missing data. `Monitoring` turns each spec into an
 * `aws.cloudwatch.MetricAlarm`; tests read the specs directly, without mocks.
 *
 * Thresholds are the seed's: 5xx rate > 5 %, 4xx rate > 10 %, latency > 1000 ms. The data-tier
 * alarms fire near the limits of the configured instance classes.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SEED_THRESHOLDS } from "../../lib/contracts";


/**
 * Rates are only judged over periods with at least this many requests: one failed request out of
 * two at night is a 50 % rate and no incident.
 */
export const MIN_REQUESTS_FOR_RATE = 20;

/**
 * Percentile of the latency alarms. With one-minute periods and modest traffic p99 is close to the
 * single slowest request; p90 flags a slowdown that a tenth of the users feel.
 */
export const LATENCY_PERCENTILE = "p90";

/** Where CloudFront publishes its metrics (dimension `Region=Global`). */
export const CLOUDFRONT_METRICS_REGION = "us-east-1";

/** The alarm's region: the stack's region, or us-east-1 for CloudFront. Actions must use a topic in the same region. */
export type AlarmRegion = "default" | "us-east-1";

export type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

/** `notBreaching` for traffic metrics (no traffic, no errors); `breaching` where silence means the resource is gone. */
export type TreatMissingData = "notBreaching" | "breaching" | "ignore" | "missing";

export interface MetricRef {
    namespace: string;
    metricName: string;
    dimensions: Record<string, pulumi.Input<string>>;
    /** `Sum`, `Average`, `Maximum`, `Minimum` or a percentile such as `p90`. */
    stat: string;
}

export interface AlarmSpec {
    /** Short key, unique in the stack: the alarm's logical and physical name suffix (e.g. `cdn-5xx-rate`). */
    key: string;
    description: string;
    region: AlarmRegion;
    comparison: Comparison;
    threshold: number;
    treatMissingData: TreatMissingData;
    /** Either one metric ... */
    metric?: MetricRef;
    /** ... or an expression over named metrics (ids are lower-case, start with a letter). */
    math?: { expression: string; label: string; metrics: Record<string, MetricRef> };
}

/** Alarm timing from `monitoring.alarms`. */
export interface AlarmTiming {
    periodSeconds: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
}

// ---- CloudFront ------------------------------------------------------------------------------------

/** Dimensions of a distribution's metrics: `Region` is always `Global`. */
export function cloudFrontDimensions(distributionId: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
    return { DistributionId: distributionId, Region: "Global" };
}

const cf = (distributionId: pulumi.Input<string>, metricName: string, stat: string): MetricRef => ({
    namespace: "AWS/CloudFront",
    metricName,
    dimensions: cloudFrontDimensions(distributionId),
    stat,
});

/**
 * CloudFront: the 5xx and 4xx rates CloudFront publishes (percent, `Average`), judged only when the
 * period had enough requests, and origin latency, which needs the distribution's additional metrics
 * (the CDN component creates the `MonitoringSubscription`).
 */
export function cloudFrontAlarms(distributionId: pulumi.Input<string>): AlarmSpec[] {
    const rate = (key: string, metricName: string, threshold: number, what: string): AlarmSpec => ({
        key,
        description: `CloudFront ${what} responses above ${threshold} % of viewer requests (periods with at least ${MIN_REQUESTS_FOR_RATE} requests).`,
        region: "us-east-1",
        comparison: "GreaterThanThreshold",
        threshold,
        treatMissingData: "notBreaching",
        math: {
            expression: `IF(requests >= ${MIN_REQUESTS_FOR_RATE}, rate, 0)`,
            label: `${what} rate (%)`,
            metrics: { requests: cf(distributionId, "Requests", "Sum"), rate: cf(distributionId, metricName, "Average") },
        },
    });
    return [
        rate("cdn-5xx-rate", "5xxErrorRate", SEED_THRESHOLDS.error5xxPercent, "5xx"),
        rate("cdn-4xx-rate", "4xxErrorRate", SEED_THRESHOLDS.error4xxPercent, "4xx"),
        {
            key: "cdn-origin-latency",
            description: `CloudFront origin latency ${LATENCY_PERCENTILE} above ${SEED_THRESHOLDS.latencyMs} ms (needs the distribution's additional metrics).`,
            region: "us-east-1",
            comparison: "GreaterThanThreshold",
            threshold: SEED_THRESHOLDS.latencyMs,
            // No origin fetch (everything cached, or no traffic) is healthy.
            treatMissingData: "notBreaching",
            metric: cf(distributionId, "OriginLatency", LATENCY_PERCENTILE),
        },
    ];
}

// ---- API Gateway ------------------------------------------------------------------------------------

/** Dimensions of an API Gateway v2 stage's metrics. */
export function apiStageDimensions(apiId: pulumi.Input<string>, stage: string): Record<string, pulumi.Input<string>> {
    return { ApiId: apiId, Stage: stage };
}

const apigw = (apiId: pulumi.Input<string>, stage: string, metricName: string, stat: string): MetricRef => ({
    namespace: "AWS/ApiGateway",
    metricName,
    dimensions: apiStageDimensions(apiId, stage),
    stat,
});

/** HTTP API: 5xx and 4xx shares of `Count` by metric math, and `Latency` (ms, end to end). */
export function httpApiAlarms(apiId: pulumi.Input<string>, stage: string): AlarmSpec[] {
    const rate = (key: string, metricName: string, threshold: number): AlarmSpec => ({
        key,
        description: `HTTP API ${metricName} responses above ${threshold} % of requests (periods with at least ${MIN_REQUESTS_FOR_RATE} requests).`,
        region: "default",
        comparison: "GreaterThanThreshold",
        threshold,
        treatMissingData: "notBreaching",
        math: {
            // FILL: a period with requests and no error may carry no error datapoint.
            expression: `IF(requests >= ${MIN_REQUESTS_FOR_RATE}, 100 * FILL(errors, 0) / requests, 0)`,
            label: `${metricName} rate (%)`,
            metrics: { requests: apigw(apiId, stage, "Count", "Sum"), errors: apigw(apiId, stage, metricName, "Sum") },
        },
    });
    return [
        rate("api-5xx-rate", "5xx", SEED_THRESHOLDS.error5xxPercent),
        rate("api-4xx-rate", "4xx", SEED_THRESHOLDS.error4xxPercent),
        {
            key: "api-latency",
            description: `HTTP API latency ${LATENCY_PERCENTILE} above ${SEED_THRESHOLDS.latencyMs} ms.`,
            region: "default",
            comparison: "GreaterThanThreshold",
            threshold: SEED_THRESHOLDS.latencyMs,
            treatMissingData: "notBreaching",
            metric: apigw(apiId, stage, "Latency", LATENCY_PERCENTILE),
        },
    ];
}

/**
 * WebSocket API: server-side errors (`ExecutionError`, `IntegrationError`) against the 5xx threshold
 * and client errors (`ClientError`) against the 4xx one, as shares of connections plus messages.
 */
export function websocketApiAlarms(apiId: pulumi.Input<string>, stage: string): AlarmSpec[] {
    const traffic = { connects: apigw(apiId, stage, "ConnectCount", "Sum"), messages: apigw(apiId, stage, "MessageCount", "Sum") };
    const total = "(FILL(connects, 0) + FILL(messages, 0))";
    return [
        {
            key: "ws-server-errors",
            description: `WebSocket API execution and integration errors above ${SEED_THRESHOLDS.error5xxPercent} % of connections and messages.`,
            region: "default",
            comparison: "GreaterThanThreshold",
            threshold: SEED_THRESHOLDS.error5xxPercent,
            treatMissingData: "notBreaching",
            math: {
                expression: `IF(${total} >= ${MIN_REQUESTS_FOR_RATE}, 100 * (FILL(execution, 0) + FILL(integration, 0)) / ${total}, 0)`,
                label: "server error rate (%)",
                metrics: { ...traffic, execution: apigw(apiId, stage, "ExecutionError", "Sum"), integration: apigw(apiId, stage, "IntegrationError", "Sum") },
            },
        },
        {
            key: "ws-client-errors",
            description: `WebSocket API client errors above ${SEED_THRESHOLDS.error4xxPercent} % of connections and messages.`,
            region: "default",
            comparison: "GreaterThanThreshold",
            threshold: SEED_THRESHOLDS.error4xxPercent,
            treatMissingData: "notBreaching",
            math: {
                expression: `IF(${total} >= ${MIN_REQUESTS_FOR_RATE}, 100 * FILL(client, 0) / ${total}, 0)`,
                label: "client error rate (%)",
                metrics: { ...traffic, client: apigw(apiId, stage, "ClientError", "Sum") },
            },
        },
    ];
}

// ---- data tier (managed) --------------------------------------------------------------------------

/** Share of a limit at which a data-tier alarm fires. */
export const NEAR_LIMIT = 0.8;
/** Below this share of instance memory left, DocumentDB starts evicting its cache and swapping. */
export const MIN_FREE_MEMORY_SHARE = 0.1;
/** `maxclients` of ElastiCache for Redis OSS and Valkey (not configurable). */
export const REDIS_MAX_CLIENTS = 65000;

export interface DocumentDbLimits {
    memoryBytes: number;
    maxConnections: number;
}

const GIB = 1024 ** 3;

/**
 * Memory and connection limit of a DocumentDB instance class (DocumentDB "Instance limits"):
 * burstable `medium` classes have 4 GiB and 500 connections; memory-optimised `large` 16 GiB and
 * 1,700 connections, doubling with each size up to 30,000 connections. Throws for a class it does
 * not know, so an alarm threshold is never a guess.
 */
export function documentDbLimits(instanceClass: string): DocumentDbLimits {
    const m = /^db\.([a-z]+)(\d+)([a-z]*)\.([a-z0-9]+)$/.exec(instanceClass);
    if (m && ["t3", "t4"].includes(`${m[1]}${m[2]}`) && m[4] === "medium") {
        return { memoryBytes: 4 * GIB, maxConnections: 500 };
    }
    if (m && m[1] === "r") {
        const size = m[4] === "large" ? 1 : m[4] === "xlarge" ? 2 : /^\d+xlarge$/.test(m[4]) ? 2 * parseInt(m[4], 10) : undefined;
        if (size) {
            return { memoryBytes: 16 * GIB * size, maxConnections: Math.min(1700 * size, 30000) };
        }
    }
    throw new Error(
        `monitoring: no known memory and connection limits for DocumentDB instance class ${instanceClass}; add it to documentDbLimits() in components/monitoring/alarms.ts`,
    );
}

/** `MAX([a, b, c])` (or `MIN`) over one metric per member: one alarm watches every instance. */
function perMember(
    fn: "MAX" | "MIN",
    namespace: string,
    metricName: string,
    stat: string,
    dimension: string,
    members: pulumi.Input<string>[],
): { expression: string; metrics: Record<string, MetricRef> } {
    const metrics: Record<string, MetricRef> = {};
    members.forEach((id, i) => {
        metrics[`m${i}`] = { namespace, metricName, stat, dimensions: { [dimension]: id } };
    });
    return { expression: `${fn}([${Object.keys(metrics).join(", ")}])`, metrics };
}

export interface ManagedDataTargets {
    documentDbInstanceIds: pulumi.Input<string>[];
    documentDbInstanceClass: string;
    /** ElastiCache member clusters of the replication group (`<group>-001`, ...). */
    redisClusterIds: pulumi.Input<string>[];
}

/** Member cluster ids ElastiCache gives a replication group without cluster mode: `<group>-001` and one per replica. */
export function redisMemberClusterIds(replicationGroupId: pulumi.Input<string>, replicas: number): pulumi.Output<string>[] {
    return Array.from({ length: replicas + 1 }, (_, i) => pulumi.interpolate`${replicationGroupId}-${String(i + 1).padStart(3, "0")}`);
}

/**
 * DocumentDB and ElastiCache near their limits: CPU, memory, connections. Missing data counts as
 * breaching: the expressions cover every instance, so silence means the whole store stopped reporting.
 */
export function managedDataAlarms(t: ManagedDataTargets): AlarmSpec[] {
    const limits = documentDbLimits(t.documentDbInstanceClass);
    const common = { region: "default" as const, treatMissingData: "breaching" as const };
    const doc = (fn: "MAX" | "MIN", metricName: string, stat: string) => perMember(fn, "AWS/DocDB", metricName, stat, "DBInstanceIdentifier", t.documentDbInstanceIds);
    const redis = (metricName: string, stat: string) => perMember("MAX", "AWS/ElastiCache", metricName, stat, "CacheClusterId", t.redisClusterIds);
    const cpuPercent = NEAR_LIMIT * 100;
    const freeBytes = Math.round(limits.memoryBytes * MIN_FREE_MEMORY_SHARE);
    const docConnections = Math.floor(limits.maxConnections * NEAR_LIMIT);
    const redisConnections = Math.floor(REDIS_MAX_CLIENTS * NEAR_LIMIT);
    return [
        {
            ...common,
            key: "docdb-cpu",
            description: `DocumentDB CPU above ${cpuPercent} % on an instance.`,
            comparison: "GreaterThanThreshold",
            threshold: cpuPercent,
            math: { ...doc("MAX", "CPUUtilization", "Average"), label: "highest instance CPU (%)" },
        },
        {
            ...common,
            key: "docdb-freeable-memory",
            description: `DocumentDB freeable memory below ${MIN_FREE_MEMORY_SHARE * 100} % of ${t.documentDbInstanceClass} memory on an instance.`,
            comparison: "LessThanThreshold",
            threshold: freeBytes,
            math: { ...doc("MIN", "FreeableMemory", "Minimum"), label: "lowest instance freeable memory (bytes)" },
        },
        {
            ...common,
            key: "docdb-connections",
            description: `DocumentDB connections above ${NEAR_LIMIT * 100} % of the ${limits.maxConnections} a ${t.documentDbInstanceClass} instance accepts.`,
            comparison: "GreaterThanThreshold",
            threshold: docConnections,
            math: { ...doc("MAX", "DatabaseConnections", "Maximum"), label: "most instance connections" },
        },
        {
            ...common,
            key: "redis-engine-cpu",
            description: `ElastiCache engine CPU above ${cpuPercent} % on a node (Redis runs commands on one thread).`,
            comparison: "GreaterThanThreshold",
            threshold: cpuPercent,
            math: { ...redis("EngineCPUUtilization", "Average"), label: "highest node engine CPU (%)" },
        },
        {
            ...common,
            key: "redis-memory",
            description: `ElastiCache memory use above ${cpuPercent} % of maxmemory on a node (evictions follow).`,
            comparison: "GreaterThanThreshold",
            threshold: NEAR_LIMIT * 100,
            math: { ...redis("DatabaseMemoryUsagePercentage", "Average"), label: "highest node memory use (%)" },
        },
        {
            ...common,
            key: "redis-connections",
            description: `ElastiCache connections above ${NEAR_LIMIT * 100} % of the ${REDIS_MAX_CLIENTS} maxclients on a node.`,
            comparison: "GreaterThanThreshold",
            threshold: redisConnections,
            math: { ...redis("CurrConnections", "Maximum"), label: "most node connections" },
        },
    ];
}

// ---- to MetricAlarm arguments ----------------------------------------------------------------------

/** Arguments of the `aws.cloudwatch.MetricAlarm` for a spec (name and actions supplied by the caller). */
export function metricAlarmArgs(spec: AlarmSpec, timing: AlarmTiming, name: string, actions: pulumi.Input<string>[]): aws.cloudwatch.MetricAlarmArgs {
    if (!!spec.metric === !!spec.math) {
        throw new Error(`alarm ${spec.key}: give exactly one of metric and math`);
    }
    const common = {
        name,
        alarmDescription: spec.description,
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods: timing.evaluationPeriods,
        datapointsToAlarm: timing.datapointsToAlarm,
        treatMissingData: spec.treatMissingData,
        actionsEnabled: true,
        alarmActions: actions,
        okActions: actions,
    };
    if (spec.metric) {
        const percentile = /^p\d+(\.\d+)?$/.test(spec.metric.stat);
        return {
            ...common,
            namespace: spec.metric.namespace,
            metricName: spec.metric.metricName,
            dimensions: spec.metric.dimensions,
            period: timing.periodSeconds,
            ...(percentile ? { extendedStatistic: spec.metric.stat, evaluateLowSampleCountPercentiles: "ignore" } : { statistic: spec.metric.stat }),
        };
    }
    const math = spec.math!;
    return {
        ...common,
        metricQueries: [
            { id: "e1", expression: math.expression, label: math.label, returnData: true },
            ...Object.entries(math.metrics).map(([id, m]) => ({
                id,
                returnData: false,
                metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, period: timing.periodSeconds, stat: m.stat },
            })),
        ],
    };
}
