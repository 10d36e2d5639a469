/**
 * The platform on top of the network: cluster, cluster services, data tier, recommendations,
 * workloads, CDN site, identity, API and monitoring, in dependency order. index.ts declares it on
 * every `pulumi up` except the bootstrap one (`flodrama:bootstrap: true`, docs/first-deploy.md), which
 * creates only the network, the image repositories and the deploy runner. Returns the stack outputs
 * index.ts exports.
 */
import * as pulumi from "@pulumi/pulumi";
import { FlodramaConfig } from "./config";
import { ApiInfo, ClusterInfo, DataInfo, NetworkInfo } from "./lib/contracts";
import { AwsProviders, createDockerBuildProvider, RecommendationsProviders } from "./lib/providers";
import { EksCluster } from "./components/cluster/cluster";
import { ClusterServices } from "./components/cluster/clusterServices";
import { DataTier } from "./components/data/dataTier";
import { Recommendations } from "./components/recommendations/recommendations";
import { ImagesInfo } from "./components/workloads/imageRepositories";
import { Workloads } from "./components/workloads/workloads";
import { CdnSite } from "./components/cdn/cdnSite";
import { securityHeadersConfigFor } from "./edge/bundle";
import { Identity, managedLoginOrigins } from "./components/identity/identity";
import { ApiGateway } from "./components/api/apiGateway";
import { ApiSettings } from "./components/api/apiSpecs";
import { Monitoring } from "./components/monitoring/monitoring";

/** What the platform needs from index.ts: config, providers, the network, the image repositories and the deploy runner. */
export interface PlatformArgs {
    cfg: FlodramaConfig;
    providers: AwsProviders;
    /** aws and aws-native in the recommendations region (Personalize), and that region. */
    recommendationsProviders: RecommendationsProviders;
    /** The image repositories (created before the platform, in the bootstrap set). */
    images: ImagesInfo;
    network: NetworkInfo;
    /** The deploy runner's security group, when there is one: an endpoint source (its role creates the cluster, so needs no entry). */
    runner?: { securityGroupId: pulumi.Output<string> };
}

export function createPlatform({ cfg, providers, recommendationsProviders, network, runner, images }: PlatformArgs) {
    // What most features read of the stack: its name (physical names), protectStatefulResources, log retention.
    const stackWide = { stack: cfg.stack, protect: cfg.protect, logRetentionDays: cfg.logRetentionDays };
    const cluster = new EksCluster(
        "cluster",
        {
            ...stackWide,
            version: cfg.cluster.version,
            addonVersions: cfg.cluster.addonVersions,
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
            publicAccessCidrs: cfg.cluster.publicAccessCidrs,
            access: cfg.cluster.access,
            // The runner deploys from inside the VPC: allowed on 443 into the cluster. It creates the cluster on
            // the first full run, so EKS makes its role cluster-admin (an explicit entry would collide).
            extraEndpointSourceSecurityGroupIds: runner ? [runner.securityGroupId] : [],
            nodeGroups: cfg.cluster.nodeGroups,
            tags: cfg.tags,
        },
        { provider: providers.aws },
    );

    // ---- cluster services: namespaces, storage, add-ons -----------------------------------------------------
    const clusterInfo: ClusterInfo = new ClusterServices(
        "cluster-services",
        {
            stack: cfg.stack,
            region: cfg.region,
            kubernetesVersion: cfg.cluster.version,
            cluster,
            vpcId: network.vpcId,
            vpcCidr: network.vpcCidr,
            quotas: cfg.cluster.quotas,
            protect: cfg.protect,
            volumeTags: cfg.tags,
        },
        { provider: providers.aws },
    );

    // ---- data tier ------------------------------------------------------------------------------------------
    // DataTier implements DataInfo (what workloads and monitoring consume) and adds the endpoints exported below.
    const data = new DataTier(
        "data",
        {
            ...stackWide,
            data: cfg.data,
            network,
            cluster: clusterInfo,
            randomProvider: providers.random,
        },
        { provider: providers.aws },
    ) satisfies DataInfo;

    // ---- recommendations ------------------------------------------------------------------------------------
    // Before the workloads: the REST API's pods get the tracker id and its IRSA role the access (`apiGrant`).
    const recommendations = new Recommendations(
        "recommendations",
        {
            ...stackWide,
            region: recommendationsProviders.region,
            awsNativeProvider: recommendationsProviders.awsNative,
            iamProvider: providers.aws,
        },
        // In the recommendations region: Personalize and the bucket and key it reads; the IAM role on the stack's provider.
        { provider: recommendationsProviders.aws },
    );

    // ---- workloads ------------------------------------------------------------------------------------------
    // Images and the three services (Deployment, Service, HPA, PDB, IRSA, NetworkPolicies); `workloads.services`
    // goes to the API (target group bindings, Watch Party's role) and to monitoring.
    const workloads = new Workloads(
        "workloads",
        {
            ...stackWide,
            region: cfg.region,
            services: cfg.services,
            images,
            // Only a stack that builds images (dev) declares the docker-build provider, and so needs Docker.
            dockerBuildProvider: cfg.services.some((s) => s.image.kind === "build") ? createDockerBuildProvider() : undefined,
            network,
            cluster: clusterInfo,
            data,
            grants: [recommendations.apiGrant],
        },
        { provider: providers.aws },
    );

    // ---- CDN site -------------------------------------------------------------------------------------------
    const site = new CdnSite(
        "site",
        {
            ...stackWide,
            priceClass: cfg.cdn.priceClass,
            domain: cfg.cdn.domain,
            waf: cfg.cdn.waf,
            buildDir: cfg.frontend.buildDir,
            securityHeaders: securityHeadersConfigFor(cfg, managedLoginOrigins(cfg.identity.domainPrefix, cfg.region)),
            usEast1: providers.usEast1,
        },
        { provider: providers.aws },
    );

    // ---- identity -------------------------------------------------------------------------------------------
    const identity = new Identity(
        "identity",
        { ...stackWide, region: cfg.region, siteUrl: site.url, ...cfg.identity },
        { provider: providers.aws },
    );

    // ---- API Gateway ----------------------------------------------------------------------------------------
    // ApiGateway implements ApiInfo (what monitoring consumes) and adds the management endpoint and NLB.
    const api = new ApiGateway(
        "api",
        {
            ...stackWide,
            region: cfg.region,
            network,
            cluster: clusterInfo,
            services: workloads.services,
            identity,
            site,
            // `flodrama:api` maps one to one onto the component's settings.
            ...(cfg.api satisfies ApiSettings),
        },
        { provider: providers.aws },
    ) satisfies ApiInfo;

    // ---- monitoring -----------------------------------------------------------------------------------------
    const monitoring = new Monitoring(
        "monitoring",
        {
            stack: cfg.stack,
            region: cfg.region,
            monitoring: cfg.monitoring,
            site,
            api,
            data,
            services: workloads.services,
            cluster: clusterInfo,
            usEast1Provider: providers.usEast1,
            randomProvider: providers.random,
            protect: cfg.protect,
        },
        { provider: providers.aws },
    );

    return {
        clusterName: cluster.name,
        kubeconfig: cluster.kubeconfig,
        appNamespace: clusterInfo.appNamespace,
        infraNamespace: clusterInfo.infraNamespace,
        monitoringNamespace: clusterInfo.monitoringNamespace,
        storageClassName: clusterInfo.storageClassName,
        dataMode: data.mode,
        dataSecretName: data.secretName,
        documentDbClusterId: data.documentDbClusterId,
        documentDbEndpoint: data.documentDbEndpoint,
        documentDbReaderEndpoint: data.documentDbReaderEndpoint,
        redisReplicationGroupId: data.redisReplicationGroupId,
        redisPrimaryEndpoint: data.redisPrimaryEndpoint,
        redisReaderEndpoint: data.redisReaderEndpoint,
        datasetGroupArn: recommendations.datasetGroupArn,
        trainingBucketName: recommendations.trainingBucketName,
        personalizeRoleArn: recommendations.roleArn,
        personalizeTrackingId: recommendations.trackingId,
        deployedImages: workloads.deployedImages,
        scraperBucket: workloads.scraperBucketName,
        siteUrl: site.url,
        distributionId: site.distributionId,
        distributionDomainName: site.distribution.domainName,
        siteBucketName: site.bucket.bucket,
        viewerUserPoolId: identity.viewer.userPoolId,
        spaClientId: identity.viewer.clientId,
        hostedUiUrl: identity.viewer.hostedUiUrl,
        viewerIssuerUrl: identity.viewer.issuerUrl,
        adminUserPoolId: identity.admin.userPoolId,
        adminClientId: identity.admin.clientId,
        adminHostedUiUrl: identity.admin.hostedUiUrl,
        httpApiUrl: api.http.url,
        websocketUrl: api.websocket.url,
        httpApiId: api.http.apiId,
        websocketApiId: api.websocket.apiId,
        websocketManagementEndpoint: api.websocket.managementEndpoint,
        apiLoadBalancerArn: api.loadBalancerArn,
        alarmTopicArn: monitoring.alarmTopicArn,
        dashboardName: monitoring.dashboardName,
        dashboardUrl: monitoring.dashboardUrl,
        grafanaPortForward: monitoring.grafanaPortForward,
    };
}
