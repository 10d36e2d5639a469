/**
 * The EKS cluster's pure parts: control-plane log types, EKS add-on versions and settings, the
 * component's arguments, endpoint access, node launch template and tags, access entries, and the
 * secrets key and node role policies. EksCluster (cluster.ts) builds on them; tests read them without
 * mocks.
 */
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesVersion } from "../../lib/contracts";
import { NodeGroupConfig } from "./config";
import { accountKeyStatement, createClusterGrantStatement } from "../../lib/kms";

/** The five control-plane log types; `audit` is FSBP EKS.8, the others are what an incident review needs. */
export const CLUSTER_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export interface AddonVersions {
    vpcCni: string;
    coredns: string;
    kubeProxy: string;
    ebsCsi: string;
}

/**
 * EKS managed add-on versions per Kubernetes version, pinned so that an upgrade is a reviewed diff.
 * List what EKS offers with, e.g.:
 *   aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name vpc-cni \
 *     --query 'addons[].addonVersions[].addonVersion'
 * kube-proxy must match the cluster's minor version; the others support a range of versions.
 * These values could not be checked against the EKS API offline; confirm them with the command above
 * before the first deployment (docs/cluster.md).
 */
export const ADDON_VERSIONS: Record<KubernetesVersion, AddonVersions> = {
    "1.34": { vpcCni: "v1.20.4-eksbuild.2", coredns: "v1.12.3-eksbuild.1", kubeProxy: "v1.34.1-eksbuild.2", ebsCsi: "v1.51.1-eksbuild.1" },
    "1.35": { vpcCni: "v1.20.4-eksbuild.2", coredns: "v1.12.4-eksbuild.1", kubeProxy: "v1.35.0-eksbuild.2", ebsCsi: "v1.53.0-eksbuild.1" },
    "1.36": { vpcCni: "v1.21.1-eksbuild.1", coredns: "v1.13.1-eksbuild.1", kubeProxy: "v1.36.0-eksbuild.1", ebsCsi: "v1.53.0-eksbuild.1" },
};

/** VPC CNI settings: enforce Kubernetes NetworkPolicies (the namespaces' default-deny relies on it). */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" };

/** ServiceAccounts of the add-ons that call AWS, each with its own IRSA role. */
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "ebs-csi-controller-sa" } as const;
export const VPC_CNI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "aws-node" } as const;

/** AMI family of the nodes: Amazon Linux 2 reached end of support; AL2023 is the EKS default. */
export const NODE_AMI_TYPE = "AL2023_x86_64_STANDARD";

const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

export interface EksClusterArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** Kubernetes version, one EKS supports in standard support (e.g. `1.35`). */
    version: KubernetesVersion;
    vpcId: pulumi.Input<string>;
    /** Private subnets of every AZ: control-plane ENIs and nodes go there. */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** CIDRs allowed on the public API endpoint; empty keeps the endpoint private only. */
    publicAccessCidrs: string[];
    /** IAM role ARNs made cluster admins through access entries. Default none (the deploying identity is admin). */
    adminRoleArns: string[];
    /** One managed node group per entry. */
    nodeGroups: NodeGroupConfig[];
    /** Retention of the control-plane log group, in days. */
    logRetentionDays: number;
    /** Protect stateful resources: the KMS key (`protect`) and the cluster (EKS deletion protection). */
    protect: boolean;
    /**
     * The stack's tags (config `tags`, which the providers apply as default tags). Default tags reach
     * the launch template but not the instances and volumes launched from it: they are copied there,
     * so the nodes, the main cost of the cluster, carry Project, Stack, Environment and CostCenter.
     */
    tags: Record<string, string>;
}

/** Public endpoint settings: on only when CIDRs are listed; the private endpoint is always on. */
export function endpointAccess(publicAccessCidrs: string[]): { endpointPrivateAccess: true; endpointPublicAccess: boolean; publicAccessCidrs?: string[] } {
    return publicAccessCidrs.length > 0
        ? { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [...publicAccessCidrs] }
        : { endpointPrivateAccess: true, endpointPublicAccess: false };
}

/** The log group EKS writes control-plane logs to; created here first so its retention applies. */
export function clusterLogGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

/** Tags cluster-autoscaler's auto-discovery looks for. */
export function autoscalerTags(clusterName: string): Record<string, string> {
    return { "k8s.io/cluster-autoscaler/enabled": "true", [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned" };
}

/** The launch template of a node group: IMDSv2 only and node-local, encrypted gp3 root, no instance type and no public IP. */
export function launchTemplateSpec(diskSizeGiB: number) {
    return {
        metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            // 1 hop (AL2023's own default): only the node itself (and hostNetwork pods such as aws-node)
            // gets an IMDSv2 token, so no pod can take the node role's credentials. Every pod that calls
            // AWS has IRSA, and the add-ons get region and VPC from their values, not from IMDS.
            httpPutResponseHopLimit: 1,
        },
        blockDeviceMappings: [
            {
                deviceName: "/dev/xvda",
                ebs: { volumeSize: diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            },
        ],
    };
}

/** What the node groups' launch template tags on launch: the stack's tags and a Name, on instances, root volumes and ENIs. */
export function nodeTagSpecifications(stackTags: Record<string, string>, name: string): { resourceType: string; tags: Record<string, string> }[] {
    return ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: { ...stackTags, Name: name } }));
}

/** Access entries for the configured admins, keyed by position (the key names the entry inside the eks component). */
export function adminAccessEntries(adminRoleArns: string[]): Record<string, eks.types.input.AccessEntryArgs> {
    return Object.fromEntries(
        adminRoleArns.map((principalArn, i) => [
            `admin-${i}`,
            {
                principalArn,
                type: eks.AccessEntryType.Standard,
                accessPolicies: { "cluster-admin": { policyArn: CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } } },
            },
        ]),
    );
}

/**
 * Key policy of the Secrets key: the account administers and uses it through IAM; the identity that
 * creates the cluster (`deployerArn`) may create the grant EKS needs, the one plain `kms:CreateGrant`
 * of the program (see `createClusterGrantStatement`); no public or cross-account principal.
 */
export function secretsKeyPolicy(partition: string, accountId: string, deployerArn: string): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [accountKeyStatement(partition, accountId), createClusterGrantStatement(deployerArn)] });
}

/** The trust policy of the node role: EC2 instances only. */
export const NODE_TRUST_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/**
 * Managed policies of the node role. The CNI policy is not here: the VPC CNI gets it through IRSA,
 * so pods that reach the node's credentials cannot manage ENIs.
 */
export const NODE_MANAGED_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"] as const;
