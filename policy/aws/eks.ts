/** EKS controls (FSBP EKS.1-3, EKS.8), on the eks.Cluster component's inputs and on the aws.eks.Cluster it creates. */
import { asArray, resourcePolicy, Res } from "../framework";

/** Kubernetes versions in EKS standard support at the last review; tests keep it equal to lib/config.ts. */
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

export const eksPolicies = [
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
