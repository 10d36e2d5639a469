/**
 * What Prometheus and Grafana know about the FloDrama services, as pure spec builders: a PodMonitor
 * per service, the PrometheusRules that mirror the seed's thresholds, and one Grafana dashboard per
 * service. (Each service's own ingress NetworkPolicy admits the monitoring namespace on its
 * management port only: k8s/serviceSpecs.ts.)
 *
 * Why PodMonitors and no ServiceMonitor: metrics live on the management port (`mgmt`), which the
 * Kubernetes Service does not carry (the NLB's TargetGroupBinding can reach only ports of that
 * Service). A PodMonitor scrapes the pods' named container port directly, so no second Service exists
 * whose port something else could bind to.
 *
 * Metrics the services must expose on `MANAGEMENT_PORT_NAME` at `METRICS_PATH` (Prometheus client
 * conventions, e.g. prom-client's defaults plus an HTTP middleware):
 *   - `http_requests_total{method, route, status}`: counter of handled requests, `status` the HTTP code;
 *   - `http_request_duration_seconds_bucket{method, route, status, le}`: latency histogram in seconds.
 */
import { SEED_THRESHOLDS, serviceLabels } from "../lib/contracts";
import { MANAGEMENT_PORT_NAME, METRICS_PATH } from "../lib/serviceContract";
import { GRAFANA_DASHBOARD_LABEL } from "./monitoringValues";

/** Metric and label names the rules and dashboards read. */
export const HTTP_METRICS = {
    requests: "http_requests_total",
    durationBucket: "http_request_duration_seconds_bucket",
    statusLabel: "status",
} as const;

/** Pod label whose value becomes the `job` label: the service's name, for ServiceMonitors and PodMonitors alike. */
export const JOB_LABEL = "app.kubernetes.io/name";
export const SCRAPE_INTERVAL = "30s";
export const SCRAPE_TIMEOUT = "10s";
/** Below this request rate (per second, over 5 min) error shares are not judged: see MIN_REQUESTS_FOR_RATE. */
export const MIN_RATE_FOR_RATIO = 0.1;

export interface CustomResourceSpec {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels?: Record<string, string> };
    spec: Record<string, any>;
}

const monitorLabels = (service: string) => ({ ...serviceLabels(service), "app.kubernetes.io/component": "monitoring" });

/** Scrapes a service's pods on their management port, whether or not the service has a Kubernetes Service. */
export function podMonitorSpec(service: string, namespace: string): CustomResourceSpec {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: service, namespace, labels: monitorLabels(service) },
        spec: {
            jobLabel: JOB_LABEL,
            selector: { matchLabels: serviceLabels(service) },
            namespaceSelector: { matchNames: [namespace] },
            podMetricsEndpoints: [{ port: MANAGEMENT_PORT_NAME, path: METRICS_PATH, scheme: "http", interval: SCRAPE_INTERVAL, scrapeTimeout: SCRAPE_TIMEOUT }],
        },
    };
}

export interface PrometheusAlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning"; [k: string]: string };
    annotations: { summary: string; description: string; runbook_url?: string };
}

const sel = (namespace: string, job: string, extra = "") => `namespace="${namespace}", job="${job}"${extra}`;

/** Share of requests whose status matches `statusRegex`, over 5 minutes, only with enough traffic. */
export function errorRatioExpr(namespace: string, job: string, statusRegex: string, ratio: number): string {
    const all = `sum(rate(${HTTP_METRICS.requests}{${sel(namespace, job)}}[5m]))`;
    const errors = `sum(rate(${HTTP_METRICS.requests}{${sel(namespace, job, `, ${HTTP_METRICS.statusLabel}=~"${statusRegex}"`)}}[5m]))`;
    return `(${errors} / ${all}) > ${ratio} and ${all} > ${MIN_RATE_FOR_RATIO}`;
}

export function latencyP99Expr(namespace: string, job: string, seconds: number): string {
    return `histogram_quantile(0.99, sum by (le) (rate(${HTTP_METRICS.durationBucket}{${sel(namespace, job)}}[5m]))) > ${seconds}`;
}

/** Rules for one HTTP service: the seed's 5xx, 4xx and latency thresholds. */
export function httpRules(service: string, namespace: string): PrometheusAlertRule[] {
    const t = SEED_THRESHOLDS;
    const labels = { service };
    return [
        {
            alert: "FlodramaHigh5xxRate",
            expr: errorRatioExpr(namespace, service, "5..", t.error5xxPercent / 100),
            for: "5m",
            labels: { severity: "critical", ...labels },
            annotations: {
                summary: `${service}: more than ${t.error5xxPercent} % of requests fail with 5xx`,
                description: `{{ $value | humanizePercentage }} of ${service} requests answered 5xx over 5 minutes.`,
            },
        },
        {
            alert: "FlodramaHigh4xxRate",
            expr: errorRatioExpr(namespace, service, "4..", t.error4xxPercent / 100),
            for: "10m",
            labels: { severity: "warning", ...labels },
            annotations: {
                summary: `${service}: more than ${t.error4xxPercent} % of requests answered 4xx`,
                description: `{{ $value | humanizePercentage }} of ${service} requests answered 4xx over 5 minutes.`,
            },
        },
        {
            alert: "FlodramaHighLatencyP99",
            expr: latencyP99Expr(namespace, service, t.latencyMs / 1000),
            for: "10m",
            labels: { severity: "warning", ...labels },
            annotations: {
                summary: `${service}: p99 latency above ${t.latencyMs} ms`,
                description: `p99 latency of ${service} is {{ $value | humanizeDuration }}.`,
            },
        },
    ];
}

/** Rules for every workload of the namespace: restarts and an HPA pinned at its maximum. */
export function workloadRules(namespace: string): PrometheusAlertRule[] {
    return [
        {
            alert: "FlodramaPodRestarting",
            expr: `increase(kube_pod_container_status_restarts_total{namespace="${namespace}"}[15m]) > 2`,
            for: "0m",
            labels: { severity: "warning" },
            annotations: {
                summary: "A FloDrama container restarts repeatedly",
                description: "{{ $labels.pod }}/{{ $labels.container }} restarted {{ $value }} times in 15 minutes.",
            },
        },
        {
            alert: "FlodramaHpaAtMaximum",
            expr:
                `kube_horizontalpodautoscaler_status_current_replicas{namespace="${namespace}"}` +
                ` >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{namespace="${namespace}"}`,
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: "A FloDrama service runs at its maximum replica count",
                description: "HPA {{ $labels.horizontalpodautoscaler }} has run at its maximum for 15 minutes: raise services[].replicas.max or find the load.",
            },
        },
    ];
}

/** The PrometheusRule for the application: HTTP rules per service that serves HTTP, workload rules for all. */
export function prometheusRuleSpec(name: string, ruleNamespace: string, appNamespace: string, httpServices: string[]): CustomResourceSpec {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name, namespace: ruleNamespace, labels: { "app.kubernetes.io/part-of": "flodrama", "app.kubernetes.io/component": "monitoring" } },
        spec: {
            groups: [
                { name: "flodrama.http", rules: httpServices.flatMap((s) => httpRules(s, appNamespace)) },
                { name: "flodrama.workloads", rules: workloadRules(appNamespace) },
            ],
        },
    };
}

// ---- Grafana dashboards ---------------------------------------------------------------------------------

export interface GrafanaPanel {
    id: number;
    type: "timeseries";
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource: { type: "prometheus"; uid: string };
    fieldConfig: { defaults: { unit: string; min?: number }; overrides: [] };
    targets: { refId: string; expr: string; legendFormat: string }[];
}

/** The Prometheus data source the chart provisions. */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

/** One service's Grafana dashboard: request rate, errors, latency, pods, CPU and memory. */
export function serviceDashboard(service: string, namespace: string): Record<string, any> {
    const s = sel(namespace, service);
    const pods = `namespace="${namespace}", pod=~"${service}-.*", container!="", container!="POD"`;
    const panels: Omit<GrafanaPanel, "id" | "gridPos" | "datasource" | "type">[] = [
        {
            title: "Request rate by status",
            fieldConfig: { defaults: { unit: "reqps", min: 0 }, overrides: [] },
            targets: [{ refId: "A", expr: `sum by (${HTTP_METRICS.statusLabel}) (rate(${HTTP_METRICS.requests}{${s}}[5m]))`, legendFormat: `{{${HTTP_METRICS.statusLabel}}}` }],
        },
        {
            title: "Error share (5xx and 4xx)",
            fieldConfig: { defaults: { unit: "percentunit", min: 0 }, overrides: [] },
            targets: ["5", "4"].map((c, i) => ({
                refId: String.fromCharCode(65 + i),
                expr: `sum(rate(${HTTP_METRICS.requests}{${s}, ${HTTP_METRICS.statusLabel}=~"${c}.."}[5m])) / sum(rate(${HTTP_METRICS.requests}{${s}}[5m]))`,
                legendFormat: `${c}xx`,
            })),
        },
        {
            title: "Latency",
            fieldConfig: { defaults: { unit: "s", min: 0 }, overrides: [] },
            targets: [0.5, 0.9, 0.99].map((q, i) => ({
                refId: String.fromCharCode(65 + i),
                expr: `histogram_quantile(${q}, sum by (le) (rate(${HTTP_METRICS.durationBucket}{${s}}[5m])))`,
                legendFormat: `p${Math.round(q * 100)}`,
            })),
        },
        {
            title: "Pods",
            fieldConfig: { defaults: { unit: "short", min: 0 }, overrides: [] },
            targets: [
                { refId: "A", expr: `kube_deployment_status_replicas_available{namespace="${namespace}", deployment="${service}"}`, legendFormat: "available" },
                { refId: "B", expr: `kube_deployment_spec_replicas{namespace="${namespace}", deployment="${service}"}`, legendFormat: "desired" },
                { refId: "C", expr: `kube_horizontalpodautoscaler_spec_max_replicas{namespace="${namespace}", horizontalpodautoscaler="${service}"}`, legendFormat: "HPA max" },
            ],
        },
        {
            title: "CPU per pod",
            fieldConfig: { defaults: { unit: "cores", min: 0 }, overrides: [] },
            targets: [{ refId: "A", expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${pods}}[5m]))`, legendFormat: "{{pod}}" }],
        },
        {
            title: "Memory per pod (working set)",
            fieldConfig: { defaults: { unit: "bytes", min: 0 }, overrides: [] },
            targets: [{ refId: "A", expr: `sum by (pod) (container_memory_working_set_bytes{${pods}})`, legendFormat: "{{pod}}" }],
        },
    ];
    return {
        uid: `flodrama-${service}`.slice(0, 40),
        title: `FloDrama / ${service}`,
        tags: ["flodrama", service],
        timezone: "utc",
        schemaVersion: 39,
        version: 1,
        editable: false,
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        panels: panels.map((p, i) => ({
            ...p,
            id: i + 1,
            type: "timeseries",
            datasource: { type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID },
            gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
        })),
    };
}

/** The ConfigMap (in the monitoring namespace) that the Grafana sidecar loads: the dashboard of a service in `appNamespace`. */
export function dashboardConfigMapSpec(service: string, configMapNamespace: string, appNamespace: string) {
    return {
        metadata: {
            name: `grafana-dashboard-${service}`,
            namespace: configMapNamespace,
            labels: { [GRAFANA_DASHBOARD_LABEL.key]: GRAFANA_DASHBOARD_LABEL.value, ...monitorLabels(service) },
        },
        data: { [`flodrama-${service}.json`]: JSON.stringify(serviceDashboard(service, appNamespace)) },
    };
}
