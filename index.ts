/**
 * FloDrama on AWS: the composition root. It loads and validates the stack config (nothing is created
 * when it is wrong), builds the explicit providers, the network, the optional deploy runner and the
 * image repositories, then the platform (platform.ts: cluster to monitoring, in dependency order), and
 * exports the stack outputs. With `flodrama:bootstrap: true` it stops before the platform: the first
 * step of a deploy from an empty account (docs/first-deploy.md). Components live in components/.
 */
import { loadConfig } from "./config";
import { NetworkInfo } from "./lib/contracts";
import { createAwsProviders, createRecommendationsProviders } from "./lib/providers";
import { Network } from "./components/network/network";
import { DeployRunner } from "./components/runner/deployRunner";
import { ImageRepositories } from "./components/workloads/imageRepositories";
import { createPlatform } from "./platform";
import { usesSecretsManager } from "./components/workloads/config";

const cfg = loadConfig();
// Every provider is built once here and passed explicitly: aws (stack region), usEast1 (CloudFront,
// ACM for CloudFront, WAF, Lambda@Edge), random, and for recommendations aws + aws-native in the
// recommendations region (Personalize is not offered everywhere). Kubernetes comes from the cluster and
// docker-build (only where a service builds its image) from platform.ts.
const providers = createAwsProviders(cfg);
const recommendationsProviders = createRecommendationsProviders(cfg, cfg.recommendations.region, providers);

// ---- network and deploy runner: the bootstrap set -----------------------------------------------------
const network: NetworkInfo = new Network(
    "network",
    {
        stack: cfg.stack,
        region: cfg.region,
        ...cfg.network,
        logRetentionDays: cfg.logRetentionDays,
        // Pods that read Secrets Manager reach it through an endpoint where nodes have no NAT route to AWS APIs.
        extraInterfaceEndpoints: usesSecretsManager(cfg.services) ? ["secretsmanager"] : [],
    },
    { provider: providers.aws },
);
// The runner runs `pulumi up` from inside the VPC, where a private-only cluster endpoint answers.
const runner = cfg.deployRunner.enabled
    ? new DeployRunner(
          "deploy-runner",
          {
              stack: cfg.stack,
              region: cfg.region,
              runner: cfg.deployRunner,
              vpcId: network.vpcId,
              privateSubnetIds: network.privateSubnetIds,
              logRetentionDays: cfg.logRetentionDays,
          },
          { provider: providers.aws },
      )
    : undefined;
// Image repositories belong to the bootstrap set: the services workflow can push a release before the
// first full deploy.
const images = new ImageRepositories("images", { stack: cfg.stack, region: cfg.region, services: cfg.services, protect: cfg.protect }, { provider: providers.aws });
export const vpcId = network.vpcId;
export const repositoryUrls = images.repositoryUrls;
export const deployRunnerProject = runner?.projectName;
export const deployRunnerRoleArn = runner?.roleArn;
export const deployRunnerLogGroup = runner?.logGroupName;
export const deployRunnerStartCommand = runner?.startBuildCommand;
export const bootstrap = cfg.bootstrap;

// ---- the platform: everything else, except on the bootstrap run ----------------------------------------
const platform = cfg.bootstrap ? undefined : createPlatform({ cfg, providers, recommendationsProviders, network, runner, images });
export const clusterName = platform?.clusterName;
export const kubeconfig = platform?.kubeconfig;
export const appNamespace = platform?.appNamespace;
export const infraNamespace = platform?.infraNamespace;
export const monitoringNamespace = platform?.monitoringNamespace;
export const storageClassName = platform?.storageClassName;
export const dataMode = platform?.dataMode;
export const dataSecretName = platform?.dataSecretName;
export const documentDbClusterId = platform?.documentDbClusterId;
export const documentDbEndpoint = platform?.documentDbEndpoint;
export const documentDbReaderEndpoint = platform?.documentDbReaderEndpoint;
export const redisReplicationGroupId = platform?.redisReplicationGroupId;
export const redisPrimaryEndpoint = platform?.redisPrimaryEndpoint;
export const redisReaderEndpoint = platform?.redisReaderEndpoint;
export const datasetGroupArn = platform?.datasetGroupArn;
export const trainingBucketName = platform?.trainingBucketName;
export const personalizeRoleArn = platform?.personalizeRoleArn;
export const personalizeTrackingId = platform?.personalizeTrackingId;
export const recommendationsRegion = recommendationsProviders.region;
export const deployedImages = platform?.deployedImages;
export const scraperBucket = platform?.scraperBucket;
export const siteUrl = platform?.siteUrl;
export const distributionId = platform?.distributionId;
export const distributionDomainName = platform?.distributionDomainName;
export const siteBucketName = platform?.siteBucketName;
export const viewerUserPoolId = platform?.viewerUserPoolId;
export const spaClientId = platform?.spaClientId;
export const hostedUiUrl = platform?.hostedUiUrl;
export const viewerIssuerUrl = platform?.viewerIssuerUrl;
export const adminUserPoolId = platform?.adminUserPoolId;
export const adminClientId = platform?.adminClientId;
export const adminHostedUiUrl = platform?.adminHostedUiUrl;
export const httpApiUrl = platform?.httpApiUrl;
export const websocketUrl = platform?.websocketUrl;
export const httpApiId = platform?.httpApiId;
export const websocketApiId = platform?.websocketApiId;
export const websocketManagementEndpoint = platform?.websocketManagementEndpoint;
export const apiLoadBalancerArn = platform?.apiLoadBalancerArn;
export const alarmTopicArn = platform?.alarmTopicArn;
export const dashboardName = platform?.dashboardName;
export const dashboardUrl = platform?.dashboardUrl;
export const grafanaPortForward = platform?.grafanaPortForward;

// ---- outputs --------------------------------------------------------------------------------------------
export const stack = cfg.stack;
export const region = cfg.region;
export const environment = cfg.environment;
