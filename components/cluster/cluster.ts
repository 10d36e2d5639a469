/**
 * The EKS cluster, AWS side: a private control plane whose Secrets are envelope-encrypted with a
 * customer-managed KMS key, all control-plane logs kept for the stack's retention, access entries for
 * the deployers and previewers, 443 rules for the networks allowed on the endpoint, the OIDC provider
 * for IRSA, managed node groups in the private subnets of every AZ, the core EKS add-ons (EKS's default
 * version for the cluster's Kubernetes version, or a version pinned in config), and the Kubernetes
 * provider every Kubernetes object uses.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NodeGroupConfig } from "./config";
import { customerManagedKey } from "../../lib/kms";
import { physicalName } from "../../lib/naming";
import { createKubernetesProvider, requireAwsProvider } from "../../lib/providers";
import { IrsaRole } from "../../lib/irsaRole";
import { EndpointAccess } from "./endpointAccess";
import {
    accessEntries,
    AddonVersionChoice,
    addonVersionChoices,
    AddonVersions,
    autoscalerTags,
    CLUSTER_LOG_TYPES,
    clusterLogGroupName,
    EBS_CSI_SERVICE_ACCOUNT,
    EksClusterArgs,
    endpointAccess,
    endpointSourceRules,
    launchTemplateSpec,
    NODE_AMI_TYPE,
    NODE_MANAGED_POLICIES,
    NODE_TRUST_POLICY,
    nodeTagSpecifications,
    secretsKeyPolicy,
    VPC_CNI_CONFIGURATION,
    VPC_CNI_SERVICE_ACCOUNT,
} from "./clusterSpecs";
import { stateful } from "../../lib/stateful";

export class EksCluster extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:cluster:EksCluster";

    /** The cluster's name. */
    readonly name: pulumi.Output<string>;
    /** The cluster's ARN. */
    readonly arn: pulumi.Output<string>;
    /** The Kubernetes provider: waits for the core add-ons (and so for the nodes) before any object is applied. */
    readonly provider: k8s.Provider;
    /** kubeconfig (JSON) that authenticates with `aws eks get-token`; secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** The IAM OIDC provider (issuer without `https://`), which the IRSA roles trust. */
    readonly oidc: { providerArn: pulumi.Output<string>; issuer: pulumi.Output<string> };
    /**
     * The EKS-managed cluster security group. Managed node groups attach it to every node (and so to
     * every pod), so it is also the nodes' security group.
     */
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    readonly nodeSecurityGroupId: pulumi.Output<string>;
    /** ARN of the KMS key that encrypts Secrets. */
    readonly secretsKeyArn: pulumi.Output<string>;
    readonly nodeRoleArn: pulumi.Output<string>;
    /** The managed add-ons, which every Kubernetes object implicitly waits for through the provider. */
    readonly addons: aws.eks.Addon[];

    constructor(name: string, args: EksClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(EksCluster.__pulumiType, name, {}, opts);
        const clusterName = physicalName(args.stack, "eks", "eksCluster");
        const awsProvider = requireAwsProvider(this, "EksCluster");

        const key = this.createSecretsKey(name, args);
        const logGroup = this.createLogGroup(name, args, clusterName);
        const cluster = this.createCluster(name, args, clusterName, key, logGroup, awsProvider);
        this.name = cluster.eksCluster.name;
        this.arn = cluster.eksCluster.arn;
        this.oidc = { providerArn: cluster.oidcProviderArn, issuer: cluster.oidcIssuer };
        this.clusterSecurityGroupId = cluster.eksCluster.vpcConfig.clusterSecurityGroupId;
        const rules = endpointSourceRules(args.access.endpointSources, args.extraEndpointSourceSecurityGroupIds);
        const endpointRules =
            rules.length > 0 ? new EndpointAccess(`${name}-endpoint-access`, { clusterSecurityGroupId: this.clusterSecurityGroupId, rules }, { parent: this }).rules : [];
        this.nodeSecurityGroupId = this.clusterSecurityGroupId;
        this.secretsKeyArn = key.arn;

        const networkAddons = this.createNetworkAddons(name, args);
        const nodeRole = this.createNodeRole(name, args);
        this.nodeRoleArn = nodeRole.role.arn;
        const nodeGroups = args.nodeGroups.map((g) => this.createNodeGroup(name, args, clusterName, g, nodeRole, networkAddons));
        const nodeAddons = this.createNodeAddons(name, args, nodeGroups);
        this.addons = [...networkAddons, ...nodeAddons];

        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
        this.provider = createKubernetesProvider(
            `${name}-k8s`,
            // It also waits for the 443 rules: from the deploy runner, the endpoint answers only once they exist.
            pulumi.all([cluster.kubeconfigJson, ...this.addons.map((a) => a.arn), ...endpointRules.map((r) => r.id)]).apply(([kubeconfig]) => kubeconfig),
            { parent: this },
        );

        this.registerOutputs({
            name: this.name,
            arn: this.arn,
            kubeconfig: this.kubeconfig,
            oidcProviderArn: this.oidc.providerArn,
            oidcIssuer: this.oidc.issuer,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
            secretsKeyArn: this.secretsKeyArn,
            nodeRoleArn: this.nodeRoleArn,
        });
    }

    private createSecretsKey(name: string, args: EksClusterArgs): aws.kms.Key {
        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        // The IAM role (not the STS session) or user running `pulumi up`: it calls CreateCluster.
        const deployer = aws.iam.getSessionContextOutput({ arn: account.arn }, { parent: this });
        // Only the identity of the `up` that creates the cluster needs the grant. The stash keeps that
        // first identity in state: a preview or drift check run by another role (the read-only
        // previewer) would otherwise rewrite the key policy and never show "no changes".
        const creator = new pulumi.Stash(`${name}-secrets-key-creator`, { input: deployer.issuerArn }, { parent: this, ignoreChanges: ["input"] });
        return customerManagedKey(
            `${name}-secrets-key`,
            {
                description: `Envelope encryption of Kubernetes Secrets in ${physicalName(args.stack, "eks", "eksCluster")}`,
                policy: pulumi.all([partition.partition, account.accountId, creator.output]).apply(([p, a, d]) => secretsKeyPolicy(p, a, String(d))),
                aliasName: physicalName(args.stack, "eks-secrets", "kmsAlias"),
                deletionWindowInDays: stateful(args.protect).kmsDeletionWindowInDays,
            },
            // Deleting the key makes every Secret in etcd unreadable: protect it where data matters.
            { key: { ...stateful(args.protect).retainOptions, parent: this }, alias: { parent: this } },
        );
    }

    /** eks.Cluster has no retention input: EKS would create this group with infinite retention. */
    private createLogGroup(name: string, args: EksClusterArgs, clusterName: string): aws.cloudwatch.LogGroup {
        return new aws.cloudwatch.LogGroup(
            `${name}-control-plane-logs`,
            { name: clusterLogGroupName(clusterName), retentionInDays: args.logRetentionDays },
            { parent: this },
        );
    }

    private createCluster(
        name: string,
        args: EksClusterArgs,
        clusterName: string,
        key: aws.kms.Key,
        logGroup: aws.cloudwatch.LogGroup,
        awsProvider: pulumi.ProviderResource,
    ): eks.Cluster {
        return new eks.Cluster(
            `${name}-eks`,
            {
                name: clusterName,
                version: args.version,
                // Standard support only: extended support costs six times as much per hour (docs/decisions.md#kubernetes-version).
                upgradePolicy: { supportType: "STANDARD" },
                vpcId: args.vpcId,
                // Only private subnets: nothing in this platform needs an internet-facing load balancer
                // (CloudFront fronts S3, API Gateway reaches an internal NLB through a VPC link).
                privateSubnetIds: args.privateSubnetIds,
                ...endpointAccess(args.publicAccessCidrs),
                encryptionConfigKeyArn: key.arn,
                enabledClusterLogTypes: [...CLUSTER_LOG_TYPES],
                authenticationMode: eks.AuthenticationMode.Api,
                // The identity that creates the cluster is cluster-admin outside these entries (EKS
                // bootstraps it); listing it again fails with ResourceInUseException (docs/deploy-access.md).
                accessEntries: accessEntries(args.access),
                createOidcProvider: true,
                skipDefaultNodeGroup: true,
                // Nodes and control plane share the EKS-managed cluster security group; the extra groups
                // eks.Cluster would create serve only its own default node group.
                skipDefaultSecurityGroups: true,
                // CNI, kube-proxy and CoreDNS come only as managed add-ons below, at the versions chosen below.
                bootstrapSelfManagedAddons: false,
                corednsAddonOptions: { enabled: false },
                kubeProxyAddonOptions: { enabled: false },
                useDefaultVpcCni: true,
                deletionProtection: stateful(args.protect).deletionProtection,
            },
            { parent: this, dependsOn: [logGroup], providers: { aws: awsProvider } },
        );
    }

    /** The version of one add-on: the config pin, else EKS's default for the cluster's version, resolved through the stack's provider. */
    private addonVersion(args: EksClusterArgs, key: keyof AddonVersions): pulumi.Input<string> {
        const choice: AddonVersionChoice = addonVersionChoices(args.version, args.addonVersions).find((c) => c.key === key)!;
        return (
            choice.pinned ??
            // `parent: this` makes the invoke use the component's AWS provider, never a default one.
            aws.eks.getAddonVersionOutput({ addonName: choice.addonName, kubernetesVersion: args.version, mostRecent: false }, { parent: this }).version
        );
    }

    private addon(name: string, suffix: string, addonName: string, addonVersion: pulumi.Input<string>, extra: Partial<aws.eks.AddonArgs>, dependsOn: pulumi.Resource[]): aws.eks.Addon {
        return new aws.eks.Addon(
            `${name}-addon-${suffix}`,
            {
                clusterName: this.name,
                addonName,
                addonVersion,
                // The add-on's settings live in this code: OVERWRITE reverts hand edits instead of
                // keeping drift that the next version bump would have to reconcile.
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                ...extra,
            },
            { parent: this, dependsOn },
        );
    }

    /** vpc-cni and kube-proxy: nodes only become Ready with them, so they come before the node groups. */
    private createNetworkAddons(name: string, args: EksClusterArgs): aws.eks.Addon[] {
        const cniRole = new IrsaRole(
            `${name}-vpc-cni-irsa`,
            {
                oidc: this.oidc,
                namespace: VPC_CNI_SERVICE_ACCOUNT.namespace,
                serviceAccount: VPC_CNI_SERVICE_ACCOUNT.name,
                managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
                stack: args.stack,
            },
            { parent: this },
        );
        return [
            this.addon(name, "vpc-cni", "vpc-cni", this.addonVersion(args, "vpcCni"), { serviceAccountRoleArn: cniRole.roleArn, configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION) }, [cniRole]),
            this.addon(name, "kube-proxy", "kube-proxy", this.addonVersion(args, "kubeProxy"), {}, []),
        ];
    }

    /** CoreDNS and the EBS CSI driver run as pods: EKS reports them healthy only once nodes exist. */
    private createNodeAddons(name: string, args: EksClusterArgs, nodeGroups: aws.eks.NodeGroup[]): aws.eks.Addon[] {
        const ebsRole = new IrsaRole(
            `${name}-ebs-csi-irsa`,
            {
                oidc: this.oidc,
                namespace: EBS_CSI_SERVICE_ACCOUNT.namespace,
                serviceAccount: EBS_CSI_SERVICE_ACCOUNT.name,
                // AWS's managed policy: scoped by tags the driver sets on its own volumes and snapshots.
                managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
                stack: args.stack,
            },
            { parent: this },
        );
        return [
            this.addon(name, "coredns", "coredns", this.addonVersion(args, "coredns"), {}, nodeGroups),
            this.addon(name, "ebs-csi", "aws-ebs-csi-driver", this.addonVersion(args, "ebsCsi"), { serviceAccountRoleArn: ebsRole.roleArn }, [...nodeGroups, ebsRole]),
        ];
    }

    private createNodeRole(name: string, args: EksClusterArgs): { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] } {
        const role = new aws.iam.Role(
            `${name}-node-role`,
            { name: physicalName(args.stack, "eks-node", "iamRole"), description: "Role of the EKS managed node group instances", assumeRolePolicy: NODE_TRUST_POLICY },
            { parent: this },
        );
        const attachments = NODE_MANAGED_POLICIES.map(
            (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: role.name, policyArn: `arn:aws:iam::aws:policy/${policy}` }, { parent: this }),
        );
        return { role, attachments };
    }

    /**
     * One managed node group over the private subnets of every AZ. With authentication mode API, EKS
     * creates the node role's access entry itself. The logical name uses the group's configured name:
     * it is the group's identity (EKS node group names are immutable too).
     */
    private createNodeGroup(
        name: string,
        args: EksClusterArgs,
        clusterName: string,
        group: NodeGroupConfig,
        nodeRole: { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] },
        networkAddons: aws.eks.Addon[],
    ): aws.eks.NodeGroup {
        const groupName = physicalName(args.stack, group.name, "eksNodeGroup");
        const template = new aws.ec2.LaunchTemplate(
            `${name}-ng-${group.name}-lt`,
            {
                name: physicalName(args.stack, `ng-${group.name}`),
                description: `Nodes of ${groupName}: IMDSv2 only, encrypted gp3 root volume`,
                updateDefaultVersion: true,
                ...launchTemplateSpec(group.diskSizeGiB),
                tagSpecifications: nodeTagSpecifications(args.tags, groupName),
            },
            { parent: this },
        );
        return new aws.eks.NodeGroup(
            `${name}-ng-${group.name}`,
            {
                clusterName: this.name,
                nodeGroupName: groupName,
                nodeRoleArn: nodeRole.role.arn,
                subnetIds: args.privateSubnetIds,
                amiType: NODE_AMI_TYPE,
                instanceTypes: group.instanceTypes,
                capacityType: group.capacityType,
                scalingConfig: { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize },
                updateConfig: { maxUnavailable: 1 },
                labels: { ...group.labels, "flodrama.com/node-group": group.name },
                launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => `${v}`) },
                tags: autoscalerTags(clusterName),
            },
            {
                parent: this,
                dependsOn: [...nodeRole.attachments, ...networkAddons],
                // cluster-autoscaler owns the desired size once nodes run; reapplying config would undo its scaling.
                ignoreChanges: ["scalingConfig.desiredSize"],
            },
        );
    }
}
