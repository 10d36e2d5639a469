/**
 * FloDrama on AWS: the composition root. It loads and validates the stack config (nothing is created
 * when it is wrong), builds the explicit providers, then the components in dependency order, and
 * exports the stack outputs. Components live in components/ (AWS) and k8s/ (Kubernetes).
 */
import { loadConfig } from "./config";
import { ApiInfo, ClusterInfo, DataInfo, NetworkInfo } from "./lib/contracts";
import { createAwsProviders, createDockerBuildProvider, createRecommendationsProviders } from "./lib/providers";
import { Network } from "./components/network/network";
import { EksCluster } from "./components/cluster/cluster";
import { ClusterServices } from "./components/cluster/clusterServices";
import { DataTier } from "./components/data/dataTier";
import { Recommendations } from "./components/recommendations/recommendations";
import { ImageRepositories } from "./components/workloads/imageRepositories";
import { Workloads } from "./components/workloads/workloads";
import { CdnSite } from "./components/cdn/cdnSite";
import { securityHeadersConfigFor } from "./edge/bundle";
import { Identity, managedLoginOrigins } from "./components/identity/identity";
import { ApiGateway } from "./components/api/apiGateway";
import { Monitoring } from "./components/monitoring/monitoring";

const cfg = loadConfig();
// Every provider is built once here and passed explicitly: aws (stack region), usEast1 (CloudFront,
// ACM for CloudFront, WAF, Lambda@Edge), random, and for recommendations aws + aws-native in the
// recommendations region (Personalize is not offered everywhere); Kubernetes comes from the cluster.
const providers = createAwsProviders(cfg);
const recommendationsProviders = createRecommendationsProviders(cfg, cfg.recommendations.region, providers);

// ---- network (issue 4) -------------------------------------------------------------------------------
const network: NetworkInfo = new Network(
    "network",
    { stack: cfg.stack, region: cfg.region, ...cfg.network, logRetentionDays: cfg.logRetentionDays },
    { provider: providers.aws },
);

// ---- image repositories (issue 15) ---------------------------------------------------------------------
// Before the cluster: a bootstrap run creates them, so the services workflow can push a release before
// the first full deploy.
const images = new ImageRepositories("images", { stack: cfg.stack, services: cfg.services, protect: cfg.protect }, { provider: providers.aws });
export const repositoryUrls = images.repositoryUrls;

// ---- cluster (issue 4) ------------------------------------------------------------------------------------
const cluster = new EksCluster(
    "cluster",
    {
        stack: cfg.stack,
        version: cfg.cluster.version,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        publicAccessCidrs: cfg.cluster.publicAccessCidrs,
        adminRoleArns: cfg.cluster.adminRoleArns,
        nodeGroups: cfg.cluster.nodeGroups,
        logRetentionDays: cfg.logRetentionDays,
        protect: cfg.protect,
        tags: cfg.tags,
    },
    { provider: providers.aws },
);
export const vpcId = network.vpcId;
export const clusterName = cluster.name;
export const kubeconfig = cluster.kubeconfig;

// ---- cluster services: namespaces, storage, add-ons (issue 4) ----------------------------------------
const clusterInfo: ClusterInfo = new ClusterServices(
    "cluster-services",
    {
        stack: cfg.stack,
        region: cfg.region,
        kubernetesVersion: cfg.cluster.version,
        provider: cluster.provider,
        clusterName: cluster.name,
        nodeSecurityGroupId: cluster.nodeSecurityGroupId,
        clusterSecurityGroupId: cluster.clusterSecurityGroupId,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcIssuer: cluster.oidcIssuer,
        vpcId: network.vpcId,
        vpcCidr: network.vpcCidr,
        quotas: cfg.cluster.quotas,
        protect: cfg.protect,
        volumeTags: cfg.tags,
    },
    { provider: providers.aws },
);
export const appNamespace = clusterInfo.appNamespace;
export const infraNamespace = clusterInfo.infraNamespace;
export const monitoringNamespace = clusterInfo.monitoringNamespace;
export const storageClassName = clusterInfo.storageClassName;

// ---- data tier (issue 5) -------------------------------------------------------------------------------
// DataTier implements DataInfo (what workloads and monitoring consume) and adds the endpoints exported below.
const data = new DataTier(
    "data",
    {
        stack: cfg.stack,
        data: cfg.data,
        network,
        cluster: clusterInfo,
        protect: cfg.protect,
        logRetentionDays: cfg.logRetentionDays,
        randomProvider: providers.random,
    },
    { provider: providers.aws },
) satisfies DataInfo;
export const dataMode = data.mode;
export const dataSecretName = data.secretName;
export const documentDbClusterId = data.documentDbClusterId;
export const documentDbEndpoint = data.documentDbEndpoint;
export const documentDbReaderEndpoint = data.documentDbReaderEndpoint;
export const redisReplicationGroupId = data.redisReplicationGroupId;
export const redisPrimaryEndpoint = data.redisPrimaryEndpoint;
export const redisReaderEndpoint = data.redisReaderEndpoint;

// ---- recommendations (issue 7) ------------------------------------------------------------------------
// Before the workloads: the REST API's pods get the tracker id and region, and its IRSA role the access (`apiGrant`).
// In the recommendations region: Personalize and the bucket and key it reads; the IAM role on the stack's provider.
const recommendations = new Recommendations(
    "recommendations",
    {
        stack: cfg.stack,
        region: recommendationsProviders.region,
        awsNativeProvider: recommendationsProviders.awsNative,
        iamProvider: providers.aws,
        protect: cfg.protect,
        logRetentionDays: cfg.logRetentionDays,
    },
    { provider: recommendationsProviders.aws },
);
export const datasetGroupArn = recommendations.datasetGroupArn;
export const trainingBucketName = recommendations.trainingBucketName;
export const personalizeRoleArn = recommendations.roleArn;
export const personalizeTrackingId = recommendations.trackingId;
export const recommendationsRegion = recommendationsProviders.region;

// ---- workloads (issue 6) -------------------------------------------------------------------------------
// Images and the three services (Deployment, Service, HPA, PDB, IRSA, NetworkPolicies); `workloads.services`
// goes to the API (target group bindings, Watch Party's role) and to monitoring.
const workloads = new Workloads(
    "workloads",
    {
        stack: cfg.stack,
        region: cfg.region,
        services: cfg.services,
        images,
        // Only a stack that builds images (dev) declares the docker-build provider, and so needs Docker.
        dockerBuildProvider: cfg.services.some((s) => s.image.kind === "build") ? createDockerBuildProvider() : undefined,
        network,
        cluster: clusterInfo,
        data,
        protect: cfg.protect,
        logRetentionDays: cfg.logRetentionDays,
        grants: [recommendations.apiGrant],
    },
    { provider: providers.aws },
);
export const deployedImages = workloads.deployedImages;
export const scraperBucket = workloads.scraperBucketName;

// ---- CDN site (issue 3) -------------------------------------------------------------------------------
const site = new CdnSite(
    "site",
    {
        stack: cfg.stack,
        priceClass: cfg.cdn.priceClass,
        domain: cfg.cdn.domain,
        waf: cfg.cdn.waf,
        buildDir: cfg.frontend.buildDir,
        securityHeaders: securityHeadersConfigFor(cfg, managedLoginOrigins(cfg.identity.domainPrefix, cfg.region)),
        logRetentionDays: cfg.logRetentionDays,
        protect: cfg.protect,
        usEast1: providers.usEast1,
    },
    { provider: providers.aws },
);
export const siteUrl = site.url;
export const distributionId = site.distributionId;
export const distributionDomainName = site.distributionDomainName;
export const siteBucketName = site.bucketName;

// ---- identity (issue 7) ---------------------------------------------------------------------------------
const identity = new Identity(
    "identity",
    { stack: cfg.stack, region: cfg.region, siteUrl: site.url, ...cfg.identity, protect: cfg.protect, logRetentionDays: cfg.logRetentionDays },
    { provider: providers.aws },
);
export const viewerUserPoolId = identity.viewerUserPoolId;
export const spaClientId = identity.spaClientId;
export const hostedUiUrl = identity.hostedUiUrl;
export const viewerIssuerUrl = identity.viewerIssuerUrl;
export const adminUserPoolId = identity.adminUserPoolId;
export const adminClientId = identity.adminClientId;
export const adminHostedUiUrl = identity.adminHostedUiUrl;

// ---- API Gateway (issue 7) ------------------------------------------------------------------------------
// ApiGateway implements ApiInfo (what monitoring consumes) and adds the management endpoint and NLB.
const api = new ApiGateway(
    "api",
    {
        stack: cfg.stack,
        region: cfg.region,
        network,
        cluster: clusterInfo,
        services: workloads.services,
        identity,
        site,
        throttling: cfg.api.throttling,
        publicRoutes: cfg.api.publicRoutes,
        routePrefixes: cfg.api.routePrefixes,
        extraCorsOrigins: cfg.api.extraCorsOrigins,
        domain: cfg.api.domain,
        websocketDomain: cfg.api.websocketDomain,
        logRetentionDays: cfg.logRetentionDays,
        protect: cfg.protect,
    },
    { provider: providers.aws },
) satisfies ApiInfo;
export const httpApiUrl = api.httpApiUrl;
export const websocketUrl = api.websocketUrl;
export const httpApiId = api.httpApiId;
export const websocketApiId = api.websocketApiId;
export const websocketManagementEndpoint = api.websocketManagementEndpoint;
export const apiLoadBalancerArn = api.loadBalancerArn;

// ---- monitoring (issue 8) -------------------------------------------------------------------------------
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
export const alarmTopicArn = monitoring.alarmTopicArn;
export const dashboardName = monitoring.dashboardName;
export const dashboardUrl = monitoring.dashboardUrl;
export const grafanaPortForward = monitoring.grafanaPortForward;

// ---- outputs --------------------------------------------------------------------------------------------
export const stack = cfg.stack;
export const region = cfg.region;
export const environment = cfg.environment;
