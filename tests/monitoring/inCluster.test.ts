/**
 * The in-cluster monitoring specs (pure): kube-prometheus-stack values (retention, storage,
 * requests and limits, the Grafana password from an existing Secret, no public Service, Alertmanager
 * routed to SNS), ServiceMonitor and PodMonitor shapes, PrometheusRule expressions with the seed's
 * thresholds, Grafana dashboards (their ConfigMap against the Kubernetes schema), and
 * Alertmanager's IAM policy.
 */
import { strict as assert } from "assert";
import { alertmanagerPolicy } from "../../components/monitoring/prometheusStack";
import {
    ALERTMANAGER_SERVICE_ACCOUNT,
    GRAFANA_ADMIN_SECRET,
    grafanaPortForwardCommand,
    KUBE_PROMETHEUS_STACK,
    kubePrometheusStackValues,
    MONITORING_RESOURCES,
    retentionSize,
    SNS_RECEIVER,
} from "../../k8s/monitoringValues";
import {
    dashboardConfigMapSpec,
    HTTP_METRICS,
    podMonitorSpec,
    prometheusRuleSpec,
    serviceDashboard,
} from "../../k8s/serviceMonitoring";
import { validateManifest } from "../../offline/kubeSchema";
import { APP_PORT_NAME, MANAGEMENT_PORT_NAME, METRICS_PATH } from "../../lib/serviceContract";

const TOPIC = "arn:aws:sns:eu-west-3:123456789012:flodrama-prod-alerts";
const VALUES = kubePrometheusStackValues({
    retention: "15d",
    prometheusStorageGi: 100,
    grafanaStorageGi: 10,
    storageClass: "gp3-encrypted",
    alertmanagerRoleArn: "arn:aws:iam::123456789012:role/am",
    alertTopicArn: TOPIC,
    region: "eu-west-3",
});

/** Every object in the values tree, with its path. */
function walk(v: any, path = "", out: [string, any][] = []): [string, any][] {
    if (v && typeof v === "object") {
        out.push([path, v]);
        for (const [k, x] of Object.entries(v)) {
            walk(x, path ? `${path}.${k}` : k, out);
        }
    }
    return out;
}

describe("monitoring: kube-prometheus-stack values", () => {
    it("pins a real chart version from the prometheus-community repository", () => {
        assert.equal(KUBE_PROMETHEUS_STACK.chart, "kube-prometheus-stack");
        assert.match(KUBE_PROMETHEUS_STACK.version, /^\d+\.\d+\.\d+$/);
        assert.equal(KUBE_PROMETHEUS_STACK.repo, "https://prometheus-community.github.io/helm-charts");
    });

    it("keeps Prometheus data for the configured retention on an encrypted gp3 volume, capped below its size", () => {
        const spec = VALUES.prometheus.prometheusSpec;
        assert.equal(spec.retention, "15d");
        assert.equal(spec.retentionSize, "85GB");
        assert.equal(retentionSize(20), "17GB");
        // Never 0 (which Prometheus reads as "no size limit"), however small the volume.
        assert.equal(retentionSize(1), "870MB");
        assert.equal(retentionSize(5), "4352MB");
        assert.deepEqual(spec.storageSpec.volumeClaimTemplate.spec, {
            storageClassName: "gp3-encrypted",
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "100Gi" } },
        });
    });

    it("selects ServiceMonitors, PodMonitors and rules from every namespace", () => {
        const spec = VALUES.prometheus.prometheusSpec;
        assert.equal(spec.serviceMonitorSelectorNilUsesHelmValues, false);
        assert.equal(spec.podMonitorSelectorNilUsesHelmValues, false);
        assert.equal(spec.ruleSelectorNilUsesHelmValues, false);
        assert.deepEqual(spec.serviceMonitorNamespaceSelector, {});
    });

    it("sets requests and limits on every component", () => {
        const paths = [
            VALUES.prometheus.prometheusSpec.resources,
            VALUES.alertmanager.alertmanagerSpec.resources,
            VALUES.prometheusOperator.resources,
            VALUES.prometheusOperator.prometheusConfigReloader.resources,
            VALUES.prometheusOperator.admissionWebhooks.patch.resources,
            VALUES.grafana.resources,
            VALUES.grafana.sidecar.resources,
            VALUES["kube-state-metrics"].resources,
            VALUES["prometheus-node-exporter"].resources,
        ];
        assert.equal(paths.length, Object.keys(MONITORING_RESOURCES).length);
        for (const r of paths) {
            assert.ok(r.requests.cpu && r.requests.memory && r.limits.cpu && r.limits.memory, JSON.stringify(r));
        }
    });

    it("reads the Grafana admin password from an existing Secret, never from values", () => {
        assert.deepEqual(VALUES.grafana.admin, { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" });
        assert.equal(VALUES.grafana.adminPassword, undefined);
        assert.ok(!JSON.stringify(VALUES).includes("offline-test-secret"));
    });

    it("persists Grafana on the encrypted class, recreating the pod on upgrade (ReadWriteOnce)", () => {
        assert.deepEqual(VALUES.grafana.persistence, { enabled: true, type: "pvc", storageClassName: "gp3-encrypted", accessModes: ["ReadWriteOnce"], size: "10Gi" });
        assert.deepEqual(VALUES.grafana.deploymentStrategy, { type: "Recreate" });
        assert.equal(VALUES.grafana.initChownData.enabled, false);
        assert.deepEqual(VALUES.grafana.sidecar.dashboards, { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" });
    });

    it("exposes nothing outside the cluster: no LoadBalancer or NodePort, no Ingress", () => {
        for (const [path, v] of walk(VALUES)) {
            if (path.endsWith("service") || path === "service") {
                assert.equal(v.type, "ClusterIP", path);
            }
            if (path.endsWith("ingress")) {
                assert.equal(v.enabled, false, path);
            }
        }
        assert.ok(!JSON.stringify(VALUES).includes("LoadBalancer"));
        assert.equal(grafanaPortForwardCommand("monitoring"), "kubectl -n monitoring port-forward svc/grafana 3000:80");
    });

    it("turns off what EKS does not let Prometheus scrape", () => {
        for (const k of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) {
            assert.equal(VALUES[k].enabled, false, k);
        }
    });

    it("routes Alertmanager to the SNS topic through its IRSA ServiceAccount", () => {
        assert.equal(VALUES.alertmanager.serviceAccount.name, ALERTMANAGER_SERVICE_ACCOUNT);
        assert.equal(VALUES.alertmanager.serviceAccount.annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::123456789012:role/am");
        const cfg: any = VALUES.alertmanager.config;
        assert.equal(cfg.route.receiver, SNS_RECEIVER);
        const sns = cfg.receivers.find((r: any) => r.name === SNS_RECEIVER).sns_configs[0];
        assert.equal(sns.topic_arn, TOPIC);
        assert.deepEqual(sns.sigv4, { region: "eu-west-3" });
        assert.equal(sns.send_resolved, true);
        // Only the always-firing heartbeat alerts are silenced.
        assert.deepEqual(cfg.route.routes.map((r: any) => [r.receiver, r.matchers]), [
            ["null", ['alertname = "Watchdog"']],
            ["null", ['alertname = "InfoInhibitor"']],
        ]);
    });

    it("lets Alertmanager publish to the alert topic only, with its key", () => {
        const doc = alertmanagerPolicy(TOPIC, "arn:aws:kms:eu-west-3:123456789012:key/k");
        assert.deepEqual(
            doc.Statement.map((s) => [s.Action, s.Resource]),
            [
                ["sns:Publish", TOPIC],
                [["kms:GenerateDataKey*", "kms:Decrypt"], "arn:aws:kms:eu-west-3:123456789012:key/k"],
            ],
        );
        assert.ok(doc.Statement.every((s) => s.Effect === "Allow" && s.Resource !== "*"));
    });
});

describe("monitoring: PodMonitors, rules and dashboards", () => {
    it("scrapes every service pod by pod on the management port and the contract's metrics path, never the app port", () => {
        for (const service of ["api", "scraper", "watch-party"]) {
            const pm = podMonitorSpec(service, "flodrama");
            assert.equal(pm.apiVersion, "monitoring.coreos.com/v1");
            assert.equal(pm.kind, "PodMonitor");
            assert.equal(pm.metadata.namespace, "flodrama");
            assert.deepEqual(pm.spec.selector, { matchLabels: { "app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "flodrama" } });
            assert.deepEqual(pm.spec.namespaceSelector, { matchNames: ["flodrama"] });
            assert.deepEqual(pm.spec.podMetricsEndpoints.map((e: any) => [e.port, e.path]), [[MANAGEMENT_PORT_NAME, METRICS_PATH]]);
            assert.notEqual(pm.spec.podMetricsEndpoints[0].port, APP_PORT_NAME);
            assert.equal(pm.spec.jobLabel, "app.kubernetes.io/name");
        }
    });

    it("mirrors the seed's thresholds in PrometheusRules: 5xx > 5 %, 4xx > 10 %, p99 > 1 s, per HTTP service", () => {
        const rule = prometheusRuleSpec("flodrama-services", "monitoring", "flodrama", ["api", "watch-party"]);
        assert.equal(rule.kind, "PrometheusRule");
        const http = rule.spec.groups.find((g: any) => g.name === "flodrama.http").rules;
        assert.equal(http.length, 6);
        for (const svc of ["api", "watch-party"]) {
            const of = (alert: string) => http.find((r: any) => r.alert === alert && r.labels.service === svc);
            const five = of("FlodramaHigh5xxRate");
            assert.match(five.expr, new RegExp(`${HTTP_METRICS.requests}\\{namespace="flodrama", job="${svc}", status=~"5.."\\}`));
            assert.match(five.expr, /> 0\.05 and /);
            assert.equal(five.labels.severity, "critical");
            assert.match(of("FlodramaHigh4xxRate").expr, /status=~"4.."\}\[5m\]\)\) \/ sum\(rate\(http_requests_total\{namespace="flodrama", job="[a-z-]+"\}\[5m\]\)\)\) > 0\.1 and/);
            assert.match(of("FlodramaHighLatencyP99").expr, /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{namespace="flodrama", job="[a-z-]+"\}\[5m\]\)\)\) > 1$/);
        }
        const workloads = rule.spec.groups.find((g: any) => g.name === "flodrama.workloads").rules;
        assert.match(workloads.find((r: any) => r.alert === "FlodramaPodRestarting").expr, /kube_pod_container_status_restarts_total\{namespace="flodrama"\}/);
        assert.match(workloads.find((r: any) => r.alert === "FlodramaHpaAtMaximum").expr, /status_current_replicas.* >= .*spec_max_replicas/);
    });

    it("builds one Grafana dashboard per service: request rate, errors, latency, pods, CPU, memory", () => {
        const d = serviceDashboard("watch-party", "flodrama");
        assert.equal(d.uid, "flodrama-watch-party");
        assert.deepEqual(
            d.panels.map((p: any) => p.title),
            ["Request rate by status", "Error share (5xx and 4xx)", "Latency", "Pods", "CPU per pod", "Memory per pod (working set)"],
        );
        for (const p of d.panels) {
            assert.equal(p.datasource.uid, "prometheus");
            assert.ok(p.targets.length > 0 && p.targets.every((t: any) => t.expr.includes('namespace="flodrama"')));
            assert.ok(p.gridPos.x + p.gridPos.w <= 24);
        }
        assert.equal(new Set(d.panels.map((p: any) => p.id)).size, d.panels.length);
        const cm = dashboardConfigMapSpec("watch-party", "monitoring", "flodrama");
        assert.equal(cm.metadata.labels.grafana_dashboard, "1");
        assert.equal(cm.metadata.namespace, "monitoring");
        assert.deepEqual(JSON.parse(cm.data["flodrama-watch-party.json"]), d);
        assert.deepEqual(validateManifest({ apiVersion: "v1", kind: "ConfigMap", ...cm }), []);
    });
});
