/**
 * The EKS cluster's pure parts: control-plane log types, EKS add-on version sources and settings, the
 * component's arguments, endpoint access, node launch template and tags, access entries, and the
 * secrets key and node role policies. EksCluster (cluster.ts) builds on them; tests read them without
 * mocks.
 */
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesVersion } from "../../lib/contracts";
import { ClusterAccessConfig, NodeGroupConfig } from "./config";
import { accountKeyStatement, createClusterGrantStatement } from "../../lib/kms";

/** The five control-plane log types; `audit` is FSBP EKS.8, the others are what an incident review needs. */
export const CLUSTER_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export interface AddonVersions {
    vpcCni: string;
    coredns: string;
    kubeProxy: string;
    ebsCsi: string;
}

/** The EKS add-on name of each `cluster.addonVersions` key. */
export const ADDON_NAMES: Record<keyof AddonVersions, string> = {
    vpcCni: "vpc-cni",
    coredns: "coredns",
    kubeProxy: "kube-proxy",
    ebsCsi: "aws-ebs-csi-driver",
};

/** What version an add-on gets and why: pinned in `cluster.addonVersions`, or EKS's default for the cluster's version. */
export interface AddonVersionChoice {
    key: keyof AddonVersions;
    addonName: string;
    /** The pinned version; undefined when EKS's default is resolved at preview time. */
    pinned?: string;
    reason: string;
}

/**
 * Each add-on's version source. Unpinned add-ons are resolved with `aws.eks.getAddonVersion`
 * (`mostRecent: false`): EKS's *default* version for the cluster's Kubernetes version, which moves only
 * when AWS moves it; a move is an in-place UpdateAddon that the preview shows. A pin in config wins
 * (e.g. to hold a version, or to refuse a default that would downgrade an installed add-on).
 */
export function addonVersionChoices(kubernetesVersion: string, pins: Partial<AddonVersions>): AddonVersionChoice[] {
    return (Object.keys(ADDON_NAMES) as (keyof AddonVersions)[]).map((key) => {
        const pinned = pins[key];
        return pinned !== undefined
            ? { key, addonName: ADDON_NAMES[key], pinned, reason: `pinned in config (flodrama:cluster.addonVersions.${key})` }
            : { key, addonName: ADDON_NAMES[key], reason: `resolved: EKS default for Kubernetes ${kubernetesVersion} (aws.eks.getAddonVersion at preview)` };
    });
}

/** The plan's lines: one per add-on, its version (or "EKS default") and why. */
export function renderAddonVersions(kubernetesVersion: string, pins: Partial<AddonVersions>): string {
    return addonVersionChoices(kubernetesVersion, pins)
        .map((c) => `  ${c.addonName.padEnd(20)} ${(c.pinned ?? "EKS default").padEnd(22)} ${c.reason}`)
        .join("\n");
}

/** VPC CNI settings: enforce Kubernetes NetworkPolicies (the namespaces' default-deny relies on it). */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" };

/** ServiceAccounts of the add-ons that call AWS, each with its own IRSA role. */
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "ebs-csi-controller-sa" } as const;
export const VPC_CNI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "aws-node" } as const;

/** AMI family of the nodes: Amazon Linux 2 reached end of support; AL2023 is the EKS default. */
export const NODE_AMI_TYPE = "AL2023_x86_64_STANDARD";

/** EKS access policies have this fixed ARN form: no region or account. */
export const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
/** get/list/watch on everything, Secrets included: what refresh and the drift check read (docs/deploy-access.md). */
export const ADMIN_VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy";

export interface EksClusterArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** Kubernetes version, one EKS supports in standard support (e.g. `1.35`). */
    version: KubernetesVersion;
    /** Add-on versions pinned in config; the others get EKS's default for `version` (`addonVersionChoices`). */
    addonVersions: Partial<AddonVersions>;
    vpcId: pulumi.Input<string>;
    /** Private subnets of every AZ: control-plane ENIs and nodes go there. */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** CIDRs allowed on the public API endpoint; empty keeps the endpoint private only. */
    publicAccessCidrs: string[];
    /**
     * `cluster.access`: deployer roles (cluster-admin access entries), previewer roles (admin-view
     * access entries) and the networks allowed on 443 into the cluster security group.
     */
    access: ClusterAccessConfig;
    /** Security groups the program itself creates (the deploy runner's): each gets a 443 rule into the cluster security group. */
    extraEndpointSourceSecurityGroupIds?: pulumi.Input<string>[];
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

type AccessEntries = Record<string, eks.types.input.AccessEntryArgs>;

function accessEntry(principalArn: pulumi.Input<string>, policy: string, policyKey: string): eks.types.input.AccessEntryArgs {
    return { principalArn, type: eks.AccessEntryType.Standard, accessPolicies: { [policyKey]: { policyArn: policy, accessScope: { type: "cluster" } } } };
}

/** A stable map key from a role ARN: its name (the part after the last `/`), so reordering the list replaces nothing. */
function entryKey(prefix: string, arn: string, taken: Set<string>): string {
    const base = `${prefix}-${arn.slice(arn.lastIndexOf("/") + 1).toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
    let key = base;
    for (let n = 2; taken.has(key); n++) {
        key = `${base}-${n}`;
    }
    taken.add(key);
    return key;
}

/**
 * The cluster's access entries: cluster-admin for each deployer, admin-view for each previewer. Keys
 * name the child resources inside the eks component, by role name. The identity that creates the
 * cluster (the deploy runner's role in prod) gets none: EKS makes it admin and refuses a second entry.
 */
export function accessEntries(access: Pick<ClusterAccessConfig, "deployers" | "previewers">): AccessEntries {
    const taken = new Set<string>();
    const out: AccessEntries = {};
    for (const arn of access.deployers) {
        out[entryKey("deployer", arn, taken)] = accessEntry(arn, CLUSTER_ADMIN_POLICY, "cluster-admin");
    }
    for (const arn of access.previewers) {
        out[entryKey("previewer", arn, taken)] = accessEntry(arn, ADMIN_VIEW_POLICY, "admin-view");
    }
    return out;
}

/** One 443 ingress rule into the cluster security group: its logical-name suffix, its source and a description naming it. */
export interface EndpointSourceRule {
    suffix: string;
    cidrIpv4?: string;
    referencedSecurityGroupId?: pulumi.Input<string>;
    description: pulumi.Input<string>;
}

/** The Kubernetes API port of the EKS control-plane ENIs. */
export const API_PORT = 443;

/** The 443 rules for the endpoint sources: config CIDRs and security groups by value, program security groups by position. */
export function endpointSourceRules(sources: ClusterAccessConfig["endpointSources"], extraSecurityGroupIds: pulumi.Input<string>[] = []): EndpointSourceRule[] {
    return [
        ...sources.cidrs.map((c) => ({ suffix: `cidr-${c.replace(/[./]/g, "-")}`, cidrIpv4: c, description: `Kubernetes API from the deployer network ${c}` })),
        ...sources.securityGroupIds.map((sg) => ({ suffix: sg, referencedSecurityGroupId: sg, description: `Kubernetes API from security group ${sg}` })),
        ...extraSecurityGroupIds.map((sg, i) => ({
            suffix: `program-sg-${i}`,
            referencedSecurityGroupId: sg,
            description: pulumi.interpolate`Kubernetes API from security group ${sg} (created by this stack)`,
        })),
    ];
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
