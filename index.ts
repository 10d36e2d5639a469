/**
 * FloDrama on AWS: the composition root. It loads and validates the stack config (nothing is created
 * when it is wrong), builds the explicit providers, then the components in dependency order, and
 * exports the stack outputs. Components live in components/ (AWS) and k8s/ (Kubernetes).
 */
import { loadConfig } from "./lib/config";
import { createAwsProviders } from "./lib/providers";
import { Network } from "./components/network";
import { EksCluster } from "./components/cluster";
import { ClusterInfo, NetworkInfo } from "./lib/contracts";
import { ClusterServices } from "./k8s/clusterServices";

const cfg = loadConfig();
const providers = createAwsProviders(cfg);
void providers; // consumed by the components wired below

// ---- network and cluster (issue 4) -------------------------------------------------------------------
const network: NetworkInfo = new Network(
    "network",
    { stack: cfg.stack, region: cfg.region, ...cfg.network, logRetentionDays: cfg.logRetentionDays },
    { provider: providers.aws },
);
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
    },
    { provider: providers.aws },
);
export const appNamespace = clusterInfo.appNamespace;
export const infraNamespace = clusterInfo.infraNamespace;
export const monitoringNamespace = clusterInfo.monitoringNamespace;
export const storageClassName = clusterInfo.storageClassName;

// ---- data tier (issue 5) -------------------------------------------------------------------------------

// ---- workloads (issue 6) -------------------------------------------------------------------------------

// ---- CDN site (issue 3) -------------------------------------------------------------------------------

// ---- identity and recommendations (issue 7) -----------------------------------------------------------

// ---- API Gateway (issue 7) ------------------------------------------------------------------------------

// ---- monitoring (issue 8) -------------------------------------------------------------------------------

// ---- outputs --------------------------------------------------------------------------------------------
export const stack = cfg.stack;
export const region = cfg.region;
export const environment = cfg.environment;
