/**
 * The CloudWatch dashboard ("FloDrama-Dashboard") as typed widgets: error rates, latency, requests
 * and bytes for CloudFront (us-east-1, `Region=Global`) and the APIs, the EKS control plane, and the
 * managed data tier when it runs. Pure: ids in, dashboard body out, so tests parse it without mocks.
 */
import { SEED_THRESHOLDS } from "../../lib/contracts";
import { apiStageDimensions, cloudFrontDimensions, CLOUDFRONT_METRICS_REGION } from "./alarms";

/** The dashboard grid is 24 units wide. */
export const GRID_WIDTH = 24;

/** `[namespace, metricName, dim1, value1, ..., {options}]` or `[{expression, label, id}]`. */
export type MetricRow = (string | MetricRowOptions)[];
export interface MetricRowOptions {
    stat?: string;
    label?: string;
    id?: string;
    visible?: boolean;
    expression?: string;
    yAxis?: "left" | "right";
}

export interface MetricWidgetProperties {
    title: string;
    region: string;
    metrics: MetricRow[];
    view: "timeSeries" | "singleValue";
    stacked: boolean;
    period: number;
    stat: string;
    yAxis?: { left?: { min?: number; max?: number; label?: string; showUnits?: boolean } };
    annotations?: { horizontal: { label: string; value: number; color?: string }[] };
}

export interface MetricWidget {
    type: "metric";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: MetricWidgetProperties;
}

export interface TextWidget {
    type: "text";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: { markdown: string };
}

export type Widget = MetricWidget | TextWidget;
type Unplaced<W extends Widget> = Omit<W, "x" | "y">;

export interface DashboardBody {
    start: string;
    periodOverride: "auto" | "inherit";
    widgets: Widget[];
}

/** A metric row; dimensions in a fixed order so the body is stable between runs. */
export function metricRow(namespace: string, metricName: string, dimensions: Record<string, string>, options: MetricRowOptions = {}): MetricRow {
    const row: MetricRow = [namespace, metricName, ...Object.entries(dimensions).flat()];
    return Object.keys(options).length > 0 ? [...row, options] : row;
}

export function expressionRow(id: string, expression: string, label: string): MetricRow {
    return [{ id, expression, label }];
}

interface MetricWidgetInput {
    title: string;
    region: string;
    metrics: MetricRow[];
    period: number;
    stat?: string;
    width?: number;
    threshold?: { label: string; value: number };
    yMin?: number;
    yLabel?: string;
}

export function metricWidget(w: MetricWidgetInput): Unplaced<MetricWidget> {
    return {
        type: "metric",
        width: w.width ?? 8,
        height: 6,
        properties: {
            title: w.title,
            region: w.region,
            metrics: w.metrics,
            view: "timeSeries",
            stacked: false,
            period: w.period,
            stat: w.stat ?? "Sum",
            ...(w.yMin !== undefined || w.yLabel ? { yAxis: { left: { ...(w.yMin !== undefined ? { min: w.yMin } : {}), ...(w.yLabel ? { label: w.yLabel } : {}) } } } : {}),
            ...(w.threshold ? { annotations: { horizontal: [{ label: w.threshold.label, value: w.threshold.value, color: "#d62728" }] } } : {}),
        },
    };
}

export function textWidget(markdown: string, height = 2): Unplaced<TextWidget> {
    return { type: "text", width: GRID_WIDTH, height, properties: { markdown } };
}

/** Places widgets left to right, starting a new row when one would cross the 24-unit grid. */
export function layout(widgets: Unplaced<Widget>[]): Widget[] {
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    return widgets.map((w) => {
        if (w.width > GRID_WIDTH || w.width < 1) {
            throw new Error(`dashboard widget ${JSON.stringify(w.properties).slice(0, 60)} is ${w.width} units wide; the grid is ${GRID_WIDTH}`);
        }
        if (x + w.width > GRID_WIDTH) {
            x = 0;
            y += rowHeight;
            rowHeight = 0;
        }
        const placed = { ...w, x, y } as Widget;
        x += w.width;
        rowHeight = Math.max(rowHeight, w.height);
        return placed;
    });
}

// ---- sections -----------------------------------------------------------------------------------------

/** What a section's widgets may set beyond title, width and metrics. */
type WidgetOptions = Pick<MetricWidgetInput, "stat" | "threshold">;

/** The widget maker of one section: every widget reads the section's region and period, its y axis from 0. */
function sectionWidget(region: string, period: number) {
    return (title: string, width: number, metrics: MetricRow[], options: WidgetOptions = {}) => metricWidget({ title, region, period, width, yMin: 0, metrics, ...options });
}

const error5xxThreshold = { label: `5xx alarm (${SEED_THRESHOLDS.error5xxPercent} %)`, value: SEED_THRESHOLDS.error5xxPercent };
const latencyThreshold = { label: `latency alarm (${SEED_THRESHOLDS.latencyMs} ms)`, value: SEED_THRESHOLDS.latencyMs };

export function cloudFrontWidgets(distributionId: string, period: number): Unplaced<Widget>[] {
    const dims = cloudFrontDimensions(distributionId) as Record<string, string>;
    const cf = (metric: string, options: MetricRowOptions) => metricRow("AWS/CloudFront", metric, dims, options);
    const region = CLOUDFRONT_METRICS_REGION;
    const w = sectionWidget(region, period);
    return [
        textWidget(`## CloudFront (distribution \`${distributionId}\`, metrics in ${region})`, 1),
        w("CloudFront error rates (%)", 6, [cf("5xxErrorRate", { stat: "Average", label: "5xx %" }), cf("4xxErrorRate", { stat: "Average", label: "4xx %" })], {
            stat: "Average",
            threshold: error5xxThreshold,
        }),
        w(
            "CloudFront origin latency (ms)",
            6,
            [cf("OriginLatency", { stat: "p50", label: "p50" }), cf("OriginLatency", { stat: "p90", label: "p90" }), cf("OriginLatency", { stat: "p99", label: "p99" })],
            { stat: "p90", threshold: latencyThreshold },
        ),
        w("CloudFront requests", 6, [cf("Requests", { stat: "Sum", label: "requests" })]),
        w("CloudFront bytes downloaded", 6, [cf("BytesDownloaded", { stat: "Sum", label: "bytes downloaded" }), cf("BytesUploaded", { stat: "Sum", label: "bytes uploaded" })]),
    ];
}

export function httpApiWidgets(apiId: string, stage: string, region: string, period: number): Unplaced<Widget>[] {
    const dims = apiStageDimensions(apiId, stage) as Record<string, string>;
    const api = (metric: string, options: MetricRowOptions) => metricRow("AWS/ApiGateway", metric, dims, options);
    const w = sectionWidget(region, period);
    const errorRates = [
        api("5xx", { id: "e5", stat: "Sum", visible: false }),
        api("4xx", { id: "e4", stat: "Sum", visible: false }),
        api("Count", { id: "n", stat: "Sum", visible: false }),
        expressionRow("r5", "100 * FILL(e5, 0) / n", "5xx %"),
        expressionRow("r4", "100 * FILL(e4, 0) / n", "4xx %"),
    ];
    return [
        textWidget(`## HTTP API (\`${apiId}\`, stage \`${stage}\`)`, 1),
        w("HTTP API error rates (%)", 6, errorRates, { threshold: error5xxThreshold }),
        w(
            "HTTP API latency (ms)",
            6,
            [api("Latency", { stat: "p90", label: "latency p90" }), api("Latency", { stat: "p99", label: "latency p99" }), api("IntegrationLatency", { stat: "p90", label: "integration p90" })],
            { stat: "p90", threshold: latencyThreshold },
        ),
        w("HTTP API requests", 6, [api("Count", { stat: "Sum", label: "requests" })]),
        w("HTTP API bytes processed", 6, [api("DataProcessed", { stat: "Sum", label: "bytes processed" })]),
    ];
}

export function websocketApiWidgets(apiId: string, stage: string, region: string, period: number): Unplaced<Widget>[] {
    const dims = apiStageDimensions(apiId, stage) as Record<string, string>;
    const ws = (metric: string, options: MetricRowOptions) => metricRow("AWS/ApiGateway", metric, dims, options);
    const w = sectionWidget(region, period);
    const errors = [
        ws("ClientError", { stat: "Sum", label: "client errors" }),
        ws("ExecutionError", { stat: "Sum", label: "execution errors" }),
        ws("IntegrationError", { stat: "Sum", label: "integration errors" }),
    ];
    return [
        textWidget(`## WebSocket API, Watch Party (\`${apiId}\`, stage \`${stage}\`)`, 1),
        w("WebSocket connections and messages", 8, [ws("ConnectCount", { stat: "Sum", label: "connections" }), ws("MessageCount", { stat: "Sum", label: "messages" })]),
        w("WebSocket errors", 8, errors),
        w("WebSocket integration latency (ms)", 8, [ws("IntegrationLatency", { stat: "p90", label: "p90" }), ws("IntegrationLatency", { stat: "p99", label: "p99" })], { stat: "p90" }),
    ];
}

/** The EKS control plane metrics CloudWatch vends for free (`AWS/EKS`, Kubernetes 1.28+); pods and nodes are in Grafana. */
export function clusterWidgets(clusterName: string, region: string, period: number): Unplaced<Widget>[] {
    const eks = (metric: string, options: MetricRowOptions) => metricRow("AWS/EKS", metric, { ClusterName: clusterName }, options);
    const w = sectionWidget(region, period);
    const requests = [
        eks("apiserver_request_total", { stat: "Sum", label: "all" }),
        eks("apiserver_request_total_4XX", { stat: "Sum", label: "4xx" }),
        eks("apiserver_request_total_5XX", { stat: "Sum", label: "5xx" }),
        eks("apiserver_request_total_429", { stat: "Sum", label: "429 (throttled)" }),
    ];
    // Pending pods is a gauge: summed over a period of several one-minute datapoints it would multiply the count.
    const pending = [eks("scheduler_pending_pods", { stat: "Maximum", label: "pending" }), eks("scheduler_pending_pods_UNSCHEDULABLE", { stat: "Maximum", label: "unschedulable" })];
    return [
        textWidget(`## EKS cluster \`${clusterName}\` (pods, nodes and services in Grafana: see docs/monitoring.md)`, 1),
        w("API server requests", 12, requests),
        w("Pending pods", 12, pending, { stat: "Maximum" }),
    ];
}

export interface ManagedDataIds {
    documentDbInstanceIds: string[];
    redisClusterIds: string[];
}

export function managedDataWidgets(ids: ManagedDataIds, region: string, period: number): Unplaced<Widget>[] {
    const doc = (metric: string, stat: string) => ids.documentDbInstanceIds.map((id) => metricRow("AWS/DocDB", metric, { DBInstanceIdentifier: id }, { stat, label: id }));
    const redis = (metric: string, stat: string) => ids.redisClusterIds.map((id) => metricRow("AWS/ElastiCache", metric, { CacheClusterId: id }, { stat, label: id }));
    const section = sectionWidget(region, period);
    const w = (title: string, stat: string, metrics: MetricRow[]) => section(title, 8, metrics, { stat });
    return [
        textWidget("## Data tier: DocumentDB and ElastiCache", 1),
        w("DocumentDB CPU (%)", "Average", doc("CPUUtilization", "Average")),
        w("DocumentDB freeable memory (bytes)", "Minimum", doc("FreeableMemory", "Minimum")),
        w("DocumentDB connections", "Maximum", doc("DatabaseConnections", "Maximum")),
        w("ElastiCache engine CPU (%)", "Average", redis("EngineCPUUtilization", "Average")),
        w("ElastiCache memory used (% of maxmemory)", "Average", redis("DatabaseMemoryUsagePercentage", "Average")),
        w("ElastiCache connections", "Maximum", redis("CurrConnections", "Maximum")),
    ];
}

export interface DashboardInput {
    stack: string;
    region: string;
    periodSeconds: number;
    distributionId: string;
    httpApiId: string;
    websocketApiId: string;
    /** Stage of the HTTP API (`$default`). */
    stageName: string;
    websocketStageName: string;
    clusterName: string;
    /** Present when the data tier is managed. */
    managedData?: ManagedDataIds;
    /** Shown in the header so operators find Grafana. */
    grafanaPortForward: string;
}

/** The whole dashboard. */
export function dashboardBody(d: DashboardInput): DashboardBody {
    const header = textWidget(
        [
            `# FloDrama, stack \`${d.stack}\``,
            `Error rates, latency, requests and bytes for the site and the APIs; alarms fire at 5xx > ${SEED_THRESHOLDS.error5xxPercent} %, 4xx > ${SEED_THRESHOLDS.error4xxPercent} %, latency > ${SEED_THRESHOLDS.latencyMs} ms. Grafana: \`${d.grafanaPortForward}\`.`,
        ].join("\n\n"),
        3,
    );
    return {
        start: "-PT6H",
        periodOverride: "auto",
        widgets: layout([
            header,
            ...cloudFrontWidgets(d.distributionId, d.periodSeconds),
            ...httpApiWidgets(d.httpApiId, d.stageName, d.region, d.periodSeconds),
            ...websocketApiWidgets(d.websocketApiId, d.websocketStageName, d.region, d.periodSeconds),
            ...clusterWidgets(d.clusterName, d.region, d.periodSeconds),
            ...(d.managedData ? managedDataWidgets(d.managedData, d.region, d.periodSeconds) : []),
        ]),
    };
}

/** Console URL of a dashboard. */
export function dashboardUrl(region: string, name: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`;
}
