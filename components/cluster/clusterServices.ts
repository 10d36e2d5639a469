/**
 * The cluster's Kubernetes side: the three namespaces with Pod Security labels, quotas, default
 * limits and default-deny NetworkPolicies; the default encrypted gp3 StorageClass; and the add-ons
 * every workload relies on (metrics-server, cluster-autoscaler, AWS Load Balancer Controller), each
 * a pinned Helm release with typed values and, where it calls AWS, its own IRSA role. It implements
 * `ClusterInfo`, the shape the data tier, workloads, API and monitoring consume.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesVersion, NamespaceQuota } from "../../lib/contracts";
import { APP_NAMESPACE, ClusterInfo, INFRA_NAMESPACE, MONITORING_NAMESPACE } from "../../lib/contracts";
import { IrsaRole, PolicyDocument } from "../../lib/irsaRole";
import { requireAwsProvider } from "../../lib/providers";
import {
    ADDON_NAMESPACE,
    CHART_VERSIONS,
    CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
    clusterAutoscalerValues,
    LB_CONTROLLER_SERVICE_ACCOUNT,
    lbControllerValues,
    metricsServerValues,
    PinnedChart,
} from "../../k8s/addonValues";
import { clusterAutoscalerPolicy } from "./addons";
import { LB_CONTROLLER_IAM_POLICY } from "./lbControllerPolicy";
import {
    allowDnsEgressSpec,
    CONTAINER_DEFAULTS,
    ContainerDefaults,
    defaultDenySpec,
    limitRangeSpec,
    monitoringEgressSpec,
    monitoringIngressSpec,
    namespaceMetadata,
    POD_SECURITY,
    PodSecurityModes,
    podSecurityVersion,
    READINESS_GATE_LABEL,
    resourceQuotaSpec,
    storageClassSpec,
} from "../../k8s/namespaces";
import { stateful } from "../../lib/stateful";

// ---- the component ------------------------------------------------------------------------------

/** What ClusterServices reads of the EKS cluster; ClusterInfo passes these on unchanged. */
export type ClusterCore = Pick<ClusterInfo, "name" | "provider" | "nodeSecurityGroupId" | "clusterSecurityGroupId" | "oidc">;

export interface ClusterServicesArgs {
    /** Stack name, for the physical names of the IRSA roles. */
    stack: string;
    /** The stack's AWS region (`aws:region`): the autoscaler and LB controller call AWS there. */
    region: string;
    /** The cluster's Kubernetes version: pins Pod Security labels and the autoscaler image. */
    kubernetesVersion: KubernetesVersion;
    /**
     * The EKS cluster (EksCluster): its Kubernetes provider, which every object here uses; its name
     * (autoscaler discovery tags, LB controller ownership tags); its OIDC provider, for the IRSA roles.
     */
    cluster: ClusterCore;
    /** VPC of the cluster: the LB controller is told it rather than reading instance metadata. */
    vpcId: pulumi.Input<string>;
    /** VPC CIDR, e.g. `10.20.0.0/16`: the control plane's webhook calls come from it. */
    vpcCidr: string;
    /** ResourceQuotas of `flodrama` (app) and `flodrama-infra` (infra). */
    quotas: { app: NamespaceQuota; infra: NamespaceQuota };
    /** Keep EBS volumes when claims are deleted (`Retain`); `protectStatefulResources`. */
    protect: boolean;
    /** The stack's tags (config `tags`), put on every EBS volume the default StorageClass provisions. */
    volumeTags: Record<string, string>;
}

export class ClusterServices extends pulumi.ComponentResource implements ClusterInfo {
    static readonly __pulumiType = "flodrama:k8s:ClusterServices";

    readonly name: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly nodeSecurityGroupId: pulumi.Output<string>;
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    readonly oidc: ClusterInfo["oidc"];
    readonly appNamespace: pulumi.Output<string>;
    readonly infraNamespace: pulumi.Output<string>;
    readonly monitoringNamespace: pulumi.Output<string>;
    readonly storageClassName: pulumi.Output<string>;
    /** The LB controller release: TargetGroupBindings wait for its CRDs and webhooks. */
    readonly lbController: pulumi.Resource[];
    /** The metrics-server release (HPAs read its API at run time; creating them does not wait for it). */
    readonly metricsServer: pulumi.Resource[];
    /** IRSA role ARNs of the add-ons that call AWS. */
    readonly clusterAutoscalerRoleArn: pulumi.Output<string>;
    readonly lbControllerRoleArn: pulumi.Output<string>;

    private readonly awsProvider: pulumi.ProviderResource;

    constructor(name: string, args: ClusterServicesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(ClusterServices.__pulumiType, name, {}, opts);
        this.awsProvider = requireAwsProvider(this, "ClusterServices");
        this.provider = args.cluster.provider;
        this.name = args.cluster.name;
        this.nodeSecurityGroupId = args.cluster.nodeSecurityGroupId;
        this.clusterSecurityGroupId = args.cluster.clusterSecurityGroupId;
        this.oidc = args.cluster.oidc;

        const version = podSecurityVersion(args.kubernetesVersion);
        this.appNamespace = this.createTenantNamespace(name, "app", APP_NAMESPACE, POD_SECURITY.app, version, args.quotas.app, CONTAINER_DEFAULTS.app, READINESS_GATE_LABEL);
        this.infraNamespace = this.createTenantNamespace(name, "infra", INFRA_NAMESPACE, POD_SECURITY.infra, version, args.quotas.infra, CONTAINER_DEFAULTS.infra);
        this.monitoringNamespace = this.createMonitoringNamespace(name, version, args.vpcCidr);
        this.storageClassName = this.createStorageClass(name, args.protect, args.volumeTags);

        const metricsServer = this.createMetricsServer(name);
        const autoscaler = this.createClusterAutoscaler(name, args);
        const lbController = this.createLbController(name, args);
        this.clusterAutoscalerRoleArn = autoscaler.roleArn;
        this.lbControllerRoleArn = lbController.roleArn;
        this.lbController = [lbController.release];
        this.metricsServer = [metricsServer];

        this.registerOutputs({
            name: this.name,
            appNamespace: this.appNamespace,
            infraNamespace: this.infraNamespace,
            monitoringNamespace: this.monitoringNamespace,
            storageClassName: this.storageClassName,
            clusterAutoscalerRoleArn: this.clusterAutoscalerRoleArn,
            lbControllerRoleArn: this.lbControllerRoleArn,
        });
    }

    private k8sOpts(extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
        return { parent: this, provider: this.provider, ...extra };
    }

    /** A namespace for FloDrama pods: Pod Security labels, quota, default limits, default deny plus DNS. */
    private createTenantNamespace(
        name: string,
        key: "app" | "infra",
        nsName: string,
        modes: PodSecurityModes,
        version: string,
        quota: NamespaceQuota,
        defaults: ContainerDefaults,
        extraLabels: Record<string, string> = {},
    ): pulumi.Output<string> {
        const ns = new k8s.core.v1.Namespace(`${name}-ns-${key}`, { metadata: namespaceMetadata(nsName, modes, version, extraLabels) }, this.k8sOpts());
        const namespace = ns.metadata.name;
        new k8s.core.v1.ResourceQuota(`${name}-${key}-quota`, { metadata: { name: "flodrama-quota", namespace }, spec: resourceQuotaSpec(quota) }, this.k8sOpts());
        new k8s.core.v1.LimitRange(`${name}-${key}-limits`, { metadata: { name: "container-defaults", namespace }, spec: limitRangeSpec(defaults) }, this.k8sOpts());
        this.createBaselinePolicies(name, key, namespace);
        return namespace;
    }

    private createBaselinePolicies(name: string, key: string, namespace: pulumi.Output<string>): void {
        new k8s.networking.v1.NetworkPolicy(`${name}-${key}-default-deny`, { metadata: { name: "default-deny", namespace }, spec: defaultDenySpec() }, this.k8sOpts());
        new k8s.networking.v1.NetworkPolicy(`${name}-${key}-allow-dns`, { metadata: { name: "allow-dns-egress", namespace }, spec: allowDnsEgressSpec() }, this.k8sOpts());
    }

    /** Prometheus, Grafana, Alertmanager, node-exporter: privileged Pod Security, workable NetworkPolicies. */
    private createMonitoringNamespace(name: string, version: string, vpcCidr: string): pulumi.Output<string> {
        const ns = new k8s.core.v1.Namespace(`${name}-ns-monitoring`, { metadata: namespaceMetadata(MONITORING_NAMESPACE, POD_SECURITY.monitoring, version) }, this.k8sOpts());
        const namespace = ns.metadata.name;
        this.createBaselinePolicies(name, "monitoring", namespace);
        new k8s.networking.v1.NetworkPolicy(`${name}-monitoring-allow-ingress`, { metadata: { name: "allow-in-namespace-and-webhook", namespace }, spec: monitoringIngressSpec(vpcCidr) }, this.k8sOpts());
        new k8s.networking.v1.NetworkPolicy(`${name}-monitoring-allow-egress`, { metadata: { name: "allow-scrape-and-alert-egress", namespace }, spec: monitoringEgressSpec() }, this.k8sOpts());
        return namespace;
    }

    /**
     * The default class. EKS's own `gp2` class is left alone: clusters created on Kubernetes 1.30 or
     * later (every version this program accepts) no longer mark it as default, and a patch would fail
     * on clusters where it does not exist. Were it still default, Kubernetes (1.26+) picks the most
     * recently created default class, which is this one.
     */
    private createStorageClass(name: string, protect: boolean, volumeTags: Record<string, string>): pulumi.Output<string> {
        const sc = new k8s.storage.v1.StorageClass(`${name}-storage-class`, storageClassSpec(stateful(protect).retainVolumes, volumeTags), this.k8sOpts());
        return sc.metadata.name;
    }

    private release(name: string, pin: PinnedChart, values: pulumi.Input<{ [key: string]: unknown }>, dependsOn: pulumi.Resource[] = []): k8s.helm.v3.Release {
        return new k8s.helm.v3.Release(
            `${name}-${pin.releaseName}`,
            {
                name: pin.releaseName,
                chart: pin.chart,
                version: pin.version,
                repositoryOpts: { repo: pin.repo },
                namespace: ADDON_NAMESPACE,
                values,
                // A failed install or upgrade rolls back instead of leaving half-applied objects.
                atomic: true,
                cleanupOnFail: true,
                timeout: 600,
                maxHistory: 10,
            },
            this.k8sOpts({ dependsOn }),
        );
    }

    private createMetricsServer(name: string): k8s.helm.v3.Release {
        return this.release(name, CHART_VERSIONS.metricsServer, metricsServerValues());
    }

    /** The IRSA role of an add-on's ServiceAccount, on the cluster's OIDC provider. */
    private addonRole(name: string, args: ClusterServicesArgs, account: { namespace: string; name: string }, policy?: PolicyDocument): IrsaRole {
        const roleArgs = { oidc: args.cluster.oidc, namespace: account.namespace, serviceAccount: account.name, policy, stack: args.stack };
        return new IrsaRole(name, roleArgs, { parent: this, provider: this.awsProvider });
    }

    private createClusterAutoscaler(name: string, args: ClusterServicesArgs): { release: k8s.helm.v3.Release; roleArn: pulumi.Output<string> } {
        const role = this.addonRole(`${name}-cluster-autoscaler-irsa`, args, CLUSTER_AUTOSCALER_SERVICE_ACCOUNT);
        // The policy's condition key names the cluster, known only as an Output: attached here rather
        // than through IrsaRole's `policy`, whose keys must be plain strings.
        const partition = aws.getPartitionOutput({}, { parent: this, provider: this.awsProvider });
        const account = aws.getCallerIdentityOutput({}, { parent: this, provider: this.awsProvider });
        const policy = new aws.iam.RolePolicy(
            `${name}-cluster-autoscaler-policy`,
            {
                role: role.roleName,
                policy: pulumi
                    .all([args.cluster.name, partition.partition, account.accountId])
                    .apply(([cluster, p, accountId]) => JSON.stringify(clusterAutoscalerPolicy(cluster, `arn:${p}:eks:${args.region}:${accountId}:nodegroup`))),
            },
            { parent: this, provider: this.awsProvider },
        );
        const values = clusterAutoscalerValues({ clusterName: args.cluster.name, region: args.region, kubernetesVersion: args.kubernetesVersion, roleArn: role.roleArn });
        const release = this.release(name, CHART_VERSIONS.clusterAutoscaler, values, [role, policy]);
        return { release, roleArn: role.roleArn };
    }

    private createLbController(name: string, args: ClusterServicesArgs): { release: k8s.helm.v3.Release; roleArn: pulumi.Output<string> } {
        const role = this.addonRole(`${name}-lb-controller-irsa`, args, LB_CONTROLLER_SERVICE_ACCOUNT, LB_CONTROLLER_IAM_POLICY);
        const values = lbControllerValues({ clusterName: args.cluster.name, region: args.region, vpcId: args.vpcId, roleArn: role.roleArn });
        // Waiting for the role's component waits for its inline policy too: the controller starts with its permissions.
        const release = this.release(name, CHART_VERSIONS.lbController, values, [role]);
        return { release, roleArn: role.roleArn };
    }
}
