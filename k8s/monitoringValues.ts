/**
 * Values of the kube-prometheus-stack Helm chart, built in code: Prometheus with the stack's
 * retention on an encrypted gp3 volume, Grafana with persistence, an admin password read from an
 * existing Secret and dashboards from labelled ConfigMaps, Alertmanager publishing to the stack's SNS
 * topic through IRSA, requests and limits on every container, and no public endpoint anywhere.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * The chart, pinned. 88.5.3 (prometheus-operator v0.93.1, Grafana chart 12.11.1) was the newest
 * release when this was written; upgrade deliberately: Helm does not upgrade CRDs (docs/monitoring.md).
 */
export const KUBE_PROMETHEUS_STACK = {
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    repo: "https://prometheus-community.github.io/helm-charts",
} as const;

/** Helm release name; with `fullnameOverride` it gives short, predictable object names. */
export const RELEASE_NAME = "kps";
/** Grafana's Service (ClusterIP), for `kubectl port-forward`. */
export const GRAFANA_SERVICE = "grafana";
export const GRAFANA_SERVICE_PORT = 80;
/** The Secret with the Grafana admin credentials, and its keys (the chart's defaults). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const GRAFANA_ADMIN_USER = "admin";
export const GRAFANA_SECRET_KEYS = { user: "admin-user", password: "admin-password" } as const;
/** Alertmanager's ServiceAccount, named so that its IRSA role can trust exactly it. */
export const ALERTMANAGER_SERVICE_ACCOUNT = "alertmanager";
/** Label the Grafana sidecar watches for dashboards (in every namespace). */
export const GRAFANA_DASHBOARD_LABEL = { key: "grafana_dashboard", value: "1" } as const;
/** Alertmanager keeps silences and notification state here. */
export const ALERTMANAGER_STORAGE_GI = 2;

export interface ContainerResources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

const res = (cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string): ContainerResources => ({
    requests: { cpu: cpuRequest, memory: memoryRequest },
    limits: { cpu: cpuLimit, memory: memoryLimit },
});

/**
 * Requests and limits of every container the chart runs. Memory limits equal or exceed requests with
 * head-room for compaction (Prometheus) and dashboard rendering (Grafana).
 */
export const MONITORING_RESOURCES = {
    prometheus: res("500m", "2Gi", "2", "4Gi"),
    alertmanager: res("50m", "128Mi", "200m", "256Mi"),
    configReloader: res("10m", "32Mi", "100m", "64Mi"),
    operator: res("100m", "128Mi", "500m", "256Mi"),
    admissionPatch: res("10m", "32Mi", "100m", "64Mi"),
    grafana: res("100m", "256Mi", "500m", "512Mi"),
    grafanaSidecar: res("50m", "64Mi", "200m", "128Mi"),
    kubeStateMetrics: res("50m", "128Mi", "200m", "256Mi"),
    nodeExporter: res("50m", "32Mi", "200m", "64Mi"),
} as const;

/** An SNS-bound Alertmanager configuration. */
export interface AlertmanagerConfig {
    global: { resolve_timeout: string };
    route: AlertmanagerRoute;
    inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
    receivers: ({ name: string } & Partial<{ sns_configs: SnsConfig[] }>)[];
    templates: string[];
}

export interface AlertmanagerRoute {
    receiver: string;
    group_by?: string[];
    group_wait?: string;
    group_interval?: string;
    repeat_interval?: string;
    matchers?: string[];
    routes?: AlertmanagerRoute[];
}

export interface SnsConfig {
    topic_arn: pulumi.Input<string>;
    sigv4: { region: string };
    subject: string;
    send_resolved: boolean;
}

/** The receiver that publishes to the stack's topic (the same one CloudWatch alarms use). */
export const SNS_RECEIVER = "sns-alerts";

/**
 * Every alert goes to the SNS topic (its e-mail subscribers receive it), except the always-firing
 * `Watchdog` and `InfoInhibitor`, which exist to prove the pipeline and to inhibit info alerts.
 * Credentials come from IRSA: `sigv4` without keys uses the pod's web identity.
 */
export function alertmanagerConfig(topicArn: pulumi.Input<string>, region: string): AlertmanagerConfig {
    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: SNS_RECEIVER,
            group_by: ["alertname", "namespace", "job"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes: [
                { receiver: "null", matchers: ['alertname = "Watchdog"'] },
                { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
            ],
        },
        inhibit_rules: [
            { source_matchers: ["severity = critical"], target_matchers: ["severity =~ warning|info"], equal: ["namespace", "alertname"] },
            { source_matchers: ["severity = warning"], target_matchers: ["severity = info"], equal: ["namespace", "alertname"] },
        ],
        receivers: [
            { name: "null" },
            {
                name: SNS_RECEIVER,
                sns_configs: [
                    {
                        topic_arn: topicArn,
                        sigv4: { region },
                        // SNS e-mail subjects are plain ASCII of at most 100 characters; Alertmanager truncates longer ones.
                        subject: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.namespace }})',
                        send_resolved: true,
                    },
                ],
            },
        ],
        templates: ["/etc/alertmanager/config/*.tmpl"],
    };
}

export interface MonitoringValuesInput {
    /** Prometheus retention, e.g. `15d` (`monitoring.prometheus.retention`). */
    retention: string;
    prometheusStorageGi: number;
    grafanaStorageGi: number;
    storageClass: pulumi.Input<string>;
    /** IRSA role of Alertmanager's ServiceAccount. */
    alertmanagerRoleArn: pulumi.Input<string>;
    alertTopicArn: pulumi.Input<string>;
    /** The stack's region, where the topic lives. */
    region: string;
}

/** A PVC template on the encrypted gp3 class. */
function volumeClaim(storageClass: pulumi.Input<string>, gi: number) {
    return {
        spec: { storageClassName: storageClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gi}Gi` } } },
    };
}

/**
 * Prometheus stops growing at 85 % of its volume (`retentionSize`), whichever of time and size comes
 * first: a full volume would stop ingestion altogether.
 */
export function retentionSize(storageGi: number): string {
    // In MB below 10 Gi: a floor in GB would round a small volume's cap down to 0, which disables the cap.
    return storageGi >= 10 ? `${Math.floor(storageGi * 0.85)}GB` : `${Math.floor(storageGi * 1024 * 0.85)}MB`;
}

export function kubePrometheusStackValues(v: MonitoringValuesInput): Record<string, any> {
    const r = MONITORING_RESOURCES;
    return {
        fullnameOverride: RELEASE_NAME,
        crds: { enabled: true },
        // EKS runs the control plane: its scheduler, controller manager, etcd and (loopback-bound)
        // kube-proxy metrics are not scrapeable, so their monitors and rules would only raise TargetDown.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        defaultRules: {
            create: true,
            rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false },
        },
        prometheusOperator: {
            resources: r.operator,
            admissionWebhooks: { patch: { resources: r.admissionPatch } },
            prometheusConfigReloader: { resources: r.configReloader },
        },
        prometheus: {
            service: { type: "ClusterIP" },
            ingress: { enabled: false },
            prometheusSpec: {
                retention: v.retention,
                retentionSize: retentionSize(v.prometheusStorageGi),
                walCompression: true,
                storageSpec: { volumeClaimTemplate: volumeClaim(v.storageClass, v.prometheusStorageGi) },
                resources: r.prometheus,
                // Select ServiceMonitors, PodMonitors and rules in every namespace, not only those labelled for this release.
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                serviceMonitorNamespaceSelector: {},
                podMonitorNamespaceSelector: {},
                ruleNamespaceSelector: {},
            },
        },
        alertmanager: {
            service: { type: "ClusterIP" },
            ingress: { enabled: false },
            serviceAccount: {
                create: true,
                name: ALERTMANAGER_SERVICE_ACCOUNT,
                annotations: { "eks.amazonaws.com/role-arn": v.alertmanagerRoleArn },
            },
            config: alertmanagerConfig(v.alertTopicArn, v.region),
            alertmanagerSpec: {
                resources: r.alertmanager,
                storage: { volumeClaimTemplate: volumeClaim(v.storageClass, ALERTMANAGER_STORAGE_GI) },
            },
        },
        grafana: {
            fullnameOverride: GRAFANA_SERVICE,
            adminUser: GRAFANA_ADMIN_USER,
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: GRAFANA_SECRET_KEYS.user, passwordKey: GRAFANA_SECRET_KEYS.password },
            service: { type: "ClusterIP", port: GRAFANA_SERVICE_PORT },
            ingress: { enabled: false },
            persistence: {
                enabled: true,
                type: "pvc",
                storageClassName: v.storageClass,
                accessModes: ["ReadWriteOnce"],
                size: `${v.grafanaStorageGi}Gi`,
            },
            // A ReadWriteOnce volume cannot attach to a second pod during a rolling update.
            deploymentStrategy: { type: "Recreate" },
            // The pod's fsGroup (472) already owns the volume; the chown init container would run as root.
            initChownData: { enabled: false },
            resources: r.grafana,
            sidecar: {
                resources: r.grafanaSidecar,
                dashboards: { enabled: true, label: GRAFANA_DASHBOARD_LABEL.key, labelValue: GRAFANA_DASHBOARD_LABEL.value, searchNamespace: "ALL" },
            },
            "grafana.ini": {
                analytics: { reporting_enabled: false, check_for_updates: false },
                users: { allow_sign_up: false },
                auth: { disable_login_form: false },
                "auth.anonymous": { enabled: false },
            },
        },
        "kube-state-metrics": { resources: r.kubeStateMetrics },
        "prometheus-node-exporter": { resources: r.nodeExporter },
    };
}

/** The command operators run to open Grafana on http://localhost:3000. */
export function grafanaPortForwardCommand(namespace: string): string {
    return `kubectl -n ${namespace} port-forward svc/${GRAFANA_SERVICE} 3000:${GRAFANA_SERVICE_PORT}`;
}
