/**
 * EKS controls (FSBP EKS.1-3, EKS.8), on the eks.Cluster component's inputs and on the aws.eks.Cluster
 * it creates, and the program's deploy-path rule: a private-only cluster must be reachable and
 * administrable by a configured deployer (docs/deploy-access.md).
 */
import { asArray, resourcePolicy, Res, stackPolicy } from "../framework";

/** Kubernetes versions in EKS standard support at the last review; tests keep it equal to SUPPORTED_KUBERNETES_VERSIONS (lib/contracts.ts). */
export const EKS_SUPPORTED_VERSIONS = ["1.34", "1.35", "1.36"];

const CLUSTERS = ["eks:index:Cluster", "aws:eks/cluster:Cluster"];

/** The cluster's settings, whichever of the two resource shapes carries them. */
function clusterSettings(r: Res) {
    const p = r.props;
    if (r.type === "eks:index:Cluster") {
        return {
            publicAccess: p.endpointPublicAccess !== false,
            privateAccess: p.endpointPrivateAccess === true,
            secretsKey: p.encryptionConfigKeyArn,
            logTypes: asArray(p.enabledClusterLogTypes),
            version: p.version,
        };
    }
    const enc = asArray(p.encryptionConfig).find((e: any) => asArray(e.resources).includes("secrets")) ?? (asArray(p.encryptionConfig?.resources).includes("secrets") ? p.encryptionConfig : undefined);
    return {
        publicAccess: p.vpcConfig?.endpointPublicAccess !== false,
        privateAccess: p.vpcConfig?.endpointPrivateAccess === true,
        secretsKey: enc?.provider?.keyArn,
        logTypes: asArray(p.enabledClusterLogTypes),
        version: p.version,
    };
}

const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const CODEBUILD = "aws:codebuild/project:Project";

/** The EKS-managed cluster security group, when the run knows it (state of the component or of the cluster). */
function clusterSecurityGroupOf(r: Res): string | undefined {
    return r.type === "eks:index:Cluster" ? (r.props.eksCluster?.vpcConfig?.clusterSecurityGroupId ?? r.props.clusterSecurityGroupId) : r.props.vpcConfig?.clusterSecurityGroupId;
}

/** A rule that admits TCP 443 into the cluster's security group: matched by id, or (unknown in preview) by depending on the cluster. */
function opens443Into(rule: Res, cluster: Res): boolean {
    const sg = clusterSecurityGroupOf(cluster);
    const targets = (sg !== undefined && rule.props.securityGroupId === sg) || (rule.dependencies ?? []).includes(cluster.urn);
    const protocol = String(rule.props.ipProtocol);
    const covers = protocol === "-1" || (protocol === "tcp" && Number(rule.props.fromPort) <= 443 && Number(rule.props.toPort) >= 443);
    return targets && covers;
}

/** Cluster-admin entries: the component's `accessEntries` input, or the association resources a real run shows. */
function clusterAdminEntries(cluster: Res, resources: Res[]): number {
    const own = Object.values(cluster.props.accessEntries ?? {}).filter((e: any) => Object.values(e?.accessPolicies ?? {}).some((p: any) => p?.policyArn === CLUSTER_ADMIN_POLICY));
    const associations = resources.filter((r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation" && r.props.policyArn === CLUSTER_ADMIN_POLICY);
    return own.length + associations.length;
}

export const eksPolicies = [
    stackPolicy(
        {
            name: "program-eks-deploy-path",
            description: "A private-only EKS endpoint has a network path and an access entry for its deployer",
            severity: "high",
            judge: "program",
            appliesTo: ["eks:index:Cluster"],
            remediation:
                "enable flodrama:deployRunner (its security group reaches the cluster through EksCluster's extraEndpointSourceSecurityGroupIds), or list the deployers' networks in cluster.access.endpointSources and their roles in cluster.access.deployers (docs/deploy-access.md).",
        },
        (resources) => {
            // The deploy runner: a CodeBuild project in the VPC, whose role creates the cluster (cluster-admin without an entry).
            const runner = resources.some((r) => r.type === CODEBUILD && r.props.vpcConfig !== undefined);
            return resources
                .filter((r) => r.type === "eks:index:Cluster" && r.props.endpointPublicAccess === false)
                .flatMap((c) => {
                    const out: { message: string; urn: string }[] = [];
                    if (!resources.some((r) => r.type === INGRESS_RULE && opens443Into(r, c))) {
                        out.push({ message: `Cluster ${c.name} has a private-only endpoint and no ingress rule opens 443 on its security group: no deployer can reach it.`, urn: c.urn });
                    }
                    if (!runner && clusterAdminEntries(c, resources) === 0) {
                        out.push({ message: `Cluster ${c.name} has a private-only endpoint, no deploy runner and no cluster-admin access entry: only whoever created it may deploy.`, urn: c.urn });
                    }
                    return out;
                });
        },
    ),
    resourcePolicy(
        {
            name: "eks-1-private-endpoint",
            control: "EKS.1",
            description: "EKS cluster endpoints should not be publicly accessible",
            severity: "high",
            judge: "S",
            appliesTo: CLUSTERS,
            remediation: "leave cluster.publicAccessCidrs empty so the endpoint is private only; deploy from inside the VPC.",
        },
        (r) => {
            const s = clusterSettings(r);
            return s.publicAccess || !s.privateAccess ? `Cluster ${r.name} has a public API endpoint.` : undefined;
        },
    ),
    resourcePolicy(
        {
            name: "eks-2-supported-version",
            control: "EKS.2",
            description: "EKS clusters should run on a supported Kubernetes version",
            severity: "high",
            judge: "P",
            appliesTo: CLUSTERS,
            remediation: `set cluster.version to one of ${EKS_SUPPORTED_VERSIONS.join(", ")}.`,
        },
        (r) => {
            const v = clusterSettings(r).version;
            return EKS_SUPPORTED_VERSIONS.includes(String(v)) ? undefined : `Cluster ${r.name} runs Kubernetes ${v ?? "(unpinned)"}.`;
        },
    ),
    resourcePolicy(
        {
            name: "eks-3-secrets-encryption",
            control: "EKS.3",
            description: "EKS clusters should use encrypted Kubernetes secrets",
            severity: "medium",
            judge: "S",
            appliesTo: CLUSTERS,
            remediation: "encrypt secrets with a customer-managed KMS key (encryptionConfigKeyArn).",
        },
        (r) => (clusterSettings(r).secretsKey ? undefined : `Cluster ${r.name} does not envelope-encrypt Secrets with KMS.`),
    ),
    resourcePolicy(
        {
            name: "eks-8-audit-logging",
            control: "EKS.8",
            description: "EKS clusters should have audit logging enabled",
            severity: "medium",
            judge: "S",
            appliesTo: CLUSTERS,
            remediation: "include audit in enabledClusterLogTypes.",
        },
        (r) => (clusterSettings(r).logTypes.includes("audit") ? undefined : `Cluster ${r.name} does not export audit logs.`),
    ),
    resourcePolicy(
        {
            name: "eks-9-node-group-version",
            control: "EKS.9",
            description: "EKS node groups should run on a supported Kubernetes version",
            severity: "high",
            judge: "P",
            appliesTo: ["aws:eks/nodeGroup:NodeGroup"],
            remediation: "leave the node group version unset (it follows the cluster) or pin a supported one.",
        },
        ({ props, name }) => (props.version === undefined || EKS_SUPPORTED_VERSIONS.includes(String(props.version)) ? undefined : `Node group ${name} runs ${props.version}.`),
    ),
];
