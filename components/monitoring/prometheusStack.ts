/**
 * Prometheus, Grafana and Alertmanager in the cluster (docs/decisions.md#prometheus-grafana): kube-prometheus-stack through
 * `helm.v3.Release` in the monitoring namespace (its own, because node-exporter needs host access
 * that Pod Security `restricted` and `baseline` forbid), the Grafana admin password from
 * `@pulumi/random` in a Secret the chart reads, an IRSA role that lets Alertmanager publish to the
 * stack's SNS topic and nothing else, a PodMonitor per FloDrama service (management port),
 * PrometheusRules with the seed's thresholds, and Grafana dashboards as code. Nothing is exposed outside the cluster: operators use `kubectl port-forward`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { IrsaRole, PolicyDocument } from "../../lib/irsaRole";
import { MonitoringConfig } from "../../lib/contracts";
import { APP_NAMESPACE, ClusterInfo, DeployedService, MONITORING_NAMESPACE } from "../../lib/contracts";
import {
    ALERTMANAGER_SERVICE_ACCOUNT,
    GRAFANA_ADMIN_SECRET,
    GRAFANA_ADMIN_USER,
    GRAFANA_SECRET_KEYS,
    grafanaPortForwardCommand,
    KUBE_PROMETHEUS_STACK,
    kubePrometheusStackValues,
    RELEASE_NAME,
} from "../../k8s/monitoringValues";
import { CustomResourceSpec, dashboardConfigMapSpec, podMonitorSpec, prometheusRuleSpec } from "../../k8s/serviceMonitoring";

export interface MonitoringStackArgs {
    /** Stack name, for the IRSA role's physical name. */
    stack: string;
    /** The stack's region, where the alert topic lives (Alertmanager signs its SNS calls for it). */
    region: string;
    /** The cluster: Kubernetes provider, namespaces, storage class, OIDC provider for IRSA. */
    cluster: ClusterInfo;
    /** The deployed FloDrama services; one PodMonitor and one dashboard each. */
    services: DeployedService[];
    prometheus: MonitoringConfig["prometheus"];
    grafana: MonitoringConfig["grafana"];
    /** The SNS topic Alertmanager publishes to, and the KMS key that encrypts it. */
    alertTopicArn: pulumi.Input<string>;
    alertTopicKeyArn: pulumi.Input<string>;
    /** The program's one `random` provider (lib/providers.ts): the Grafana admin password. */
    randomProvider: random.Provider;
}

/** What Alertmanager may do in AWS: publish to the alert topic, encrypting with its key. */
export function alertmanagerPolicy(topicArn: pulumi.Input<string>, keyArn: pulumi.Input<string>): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: topicArn },
            { Sid: "UseTopicKey", Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: keyArn },
        ],
    };
}

export class MonitoringStack extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:monitoring:MonitoringStack";

    /** The Helm release of kube-prometheus-stack. */
    readonly release: k8s.helm.v3.Release;
    /** Grafana's admin password (secret); also in the `grafana-admin` Secret. */
    readonly grafanaAdminPassword: pulumi.Output<string>;
    readonly alertmanagerRoleArn: pulumi.Output<string>;
    /** `kubectl port-forward` command that opens Grafana on localhost:3000. */
    readonly grafanaPortForward: string;

    constructor(name: string, args: MonitoringStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(MonitoringStack.__pulumiType, name, {}, opts);
        const k8sOpts = { parent: this, provider: args.cluster.provider };

        const { secret: adminSecret, password } = this.createGrafanaAdminSecret(name, args, k8sOpts);
        this.grafanaAdminPassword = password;
        const alertmanagerRole = new IrsaRole(
            `${name}-alertmanager-irsa`,
            {
                stack: args.stack,
                oidc: args.cluster.oidc,
                namespace: MONITORING_NAMESPACE,
                serviceAccount: ALERTMANAGER_SERVICE_ACCOUNT,
                policy: alertmanagerPolicy(args.alertTopicArn, args.alertTopicKeyArn),
            },
            { parent: this },
        );
        this.alertmanagerRoleArn = alertmanagerRole.roleArn;

        this.release = new k8s.helm.v3.Release(
            `${name}-kube-prometheus-stack`,
            {
                name: RELEASE_NAME,
                chart: KUBE_PROMETHEUS_STACK.chart,
                version: KUBE_PROMETHEUS_STACK.version,
                repositoryOpts: { repo: KUBE_PROMETHEUS_STACK.repo },
                namespace: args.cluster.monitoringNamespace,
                createNamespace: false,
                values: kubePrometheusStackValues({
                    retention: args.prometheus.retention,
                    prometheusStorageGi: args.prometheus.storageGi,
                    grafanaStorageGi: args.grafana.storageGi,
                    storageClass: args.cluster.storageClassName,
                    alertmanagerRoleArn: alertmanagerRole.roleArn,
                    alertTopicArn: args.alertTopicArn,
                    region: args.region,
                }),
                // A failed install or upgrade rolls back instead of leaving a half-applied stack.
                atomic: true,
                cleanupOnFail: true,
                timeout: 900,
                maxHistory: 10,
            },
            // Only its namespace, StorageClass (both inputs) and the EBS CSI add-on (through the provider): no other chart.
            { ...k8sOpts, dependsOn: [adminSecret] },
        );

        this.createServiceMonitors(name, args, k8sOpts);
        this.createRulesAndDashboards(name, args, k8sOpts);
        this.grafanaPortForward = grafanaPortForwardCommand(MONITORING_NAMESPACE);

        this.registerOutputs({
            releaseName: this.release.name,
            alertmanagerRoleArn: this.alertmanagerRoleArn,
            grafanaAdminPassword: this.grafanaAdminPassword,
            grafanaPortForward: this.grafanaPortForward,
        });
    }

    private createGrafanaAdminSecret(
        name: string,
        args: MonitoringStackArgs,
        k8sOpts: pulumi.CustomResourceOptions,
    ): { secret: k8s.core.v1.Secret; password: pulumi.Output<string> } {
        const password = new random.RandomPassword(
            `${name}-grafana-admin-password`,
            { length: 32, special: false, minLower: 4, minUpper: 4, minNumeric: 4 },
            { parent: this, provider: args.randomProvider },
        );
        const secretPassword = pulumi.secret(password.result);
        const secret = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            {
                metadata: {
                    name: GRAFANA_ADMIN_SECRET,
                    namespace: args.cluster.monitoringNamespace,
                    labels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/part-of": "flodrama", "app.kubernetes.io/managed-by": "pulumi" },
                },
                type: "Opaque",
                stringData: { [GRAFANA_SECRET_KEYS.user]: GRAFANA_ADMIN_USER, [GRAFANA_SECRET_KEYS.password]: secretPassword },
            },
            k8sOpts,
        );
        return { secret, password: secretPassword };
    }

    /** The monitoring.coreos.com custom resources need the chart's CRDs: they wait for the release. */
    private customResource(logicalName: string, spec: CustomResourceSpec, namespace: pulumi.Input<string>, k8sOpts: pulumi.CustomResourceOptions) {
        return new k8s.apiextensions.CustomResource(
            logicalName,
            { apiVersion: spec.apiVersion, kind: spec.kind, metadata: { ...spec.metadata, namespace }, spec: spec.spec },
            { ...k8sOpts, dependsOn: [this.release] },
        );
    }

    private createServiceMonitors(name: string, args: MonitoringStackArgs, k8sOpts: pulumi.CustomResourceOptions): void {
        for (const s of args.services) {
            const service = s.config.name;
            // Pod by pod on the management port, which no Service carries (k8s/serviceMonitoring.ts).
            const spec = podMonitorSpec(service, APP_NAMESPACE);
            this.customResource(`${name}-${spec.kind.toLowerCase()}-${service}`, spec, args.cluster.appNamespace, k8sOpts);
        }
    }

    private createRulesAndDashboards(name: string, args: MonitoringStackArgs, k8sOpts: pulumi.CustomResourceOptions): void {
        const httpServices = args.services.filter((s) => s.serviceName).map((s) => s.config.name);
        this.customResource(
            `${name}-rules`,
            prometheusRuleSpec("flodrama-services", MONITORING_NAMESPACE, APP_NAMESPACE, httpServices),
            args.cluster.monitoringNamespace,
            k8sOpts,
        );
        for (const s of args.services) {
            const cm = dashboardConfigMapSpec(s.config.name, MONITORING_NAMESPACE, APP_NAMESPACE);
            new k8s.core.v1.ConfigMap(`${name}-dashboard-${s.config.name}`, { metadata: { ...cm.metadata, namespace: args.cluster.monitoringNamespace }, data: cm.data }, k8sOpts);
        }
    }
}
