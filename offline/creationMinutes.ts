/**
 * Typical creation minutes per resource type, for the critical-path estimate of a first `pulumi up`
 * (offline/criticalPath.ts). First match wins; `*` at the end of a pattern matches a prefix. Each row
 * says where its figure comes from: "reference chain" rows are the chain of a first deploy the plan targets (VPC 3 → EKS 11 →
 * node group 4 → one chart 2.5 → workloads 1.5 = 22 min); the others are typical figures the AWS
 * documentation states or that provider runs commonly show, rounded, and are estimates.
 */
export interface CreationTime {
    pattern: string;
    minutes: number;
    source: string;
}

export const CREATION_MINUTES: CreationTime[] = [
    { pattern: "pulumi:providers:*", minutes: 0, source: "providers are configured in-process" },
    { pattern: "random:*", minutes: 0, source: "computed locally" },
    { pattern: "awsx:ec2:Vpc", minutes: 3, source: "reference chain (VPC, subnets, route tables, NAT gateways: NAT gateways dominate)" },
    { pattern: "aws:ec2/natGateway:NatGateway", minutes: 2, source: "NAT gateways take 1-2 min to become available (VPC user guide)" },
    { pattern: "eks:index:Cluster", minutes: 11, source: "reference chain (EKS control plane; AWS quotes about 10 min)" },
    { pattern: "aws:eks/cluster:Cluster", minutes: 11, source: "reference chain (EKS control plane)" },
    { pattern: "aws:eks/nodeGroup:NodeGroup", minutes: 4, source: "reference chain (managed node group: instances launch and join)" },
    { pattern: "aws:eks/addon:Addon", minutes: 1, source: "EKS add-on becomes ACTIVE in about a minute once nodes run it" },
    { pattern: "kubernetes:helm.sh/*", minutes: 2.5, source: "reference chain (one Helm chart, waiting for its pods)" },
    { pattern: "kubernetes:apps/v1:Deployment", minutes: 1.5, source: "reference chain (workload rollout: image pull, probes)" },
    { pattern: "kubernetes:apps/v1:StatefulSet", minutes: 1.5, source: "reference chain (workload rollout)" },
    { pattern: "kubernetes:apps/v1:DaemonSet", minutes: 1.5, source: "reference chain (workload rollout)" },
    { pattern: "kubernetes:*", minutes: 0.1, source: "API object, no rollout to wait for" },
    { pattern: "aws:docdb/cluster:Cluster", minutes: 3, source: "DocumentDB cluster volume; instances take the bulk (10-15 min in all)" },
    { pattern: "aws:docdb/clusterInstance:ClusterInstance", minutes: 10, source: "DocumentDB instance creation, typically about 10 min" },
    { pattern: "aws:elasticache/replicationGroup:ReplicationGroup", minutes: 12, source: "ElastiCache replication group with replicas, typically 10-15 min" },
    { pattern: "aws:elasticache/cluster:Cluster", minutes: 8, source: "single ElastiCache node, typically 5-10 min" },
    { pattern: "aws:cloudfront/distribution:Distribution", minutes: 5, source: "CloudFront deployment to edge locations, typically about 5 min" },
    { pattern: "aws:acm/certificateValidation:CertificateValidation", minutes: 3, source: "ACM DNS validation once the record exists, typically a few minutes" },
    { pattern: "aws:lb/loadBalancer:LoadBalancer", minutes: 3, source: "NLB provisioning, typically 2-3 min" },
    { pattern: "aws:ec2/vpcEndpoint:VpcEndpoint", minutes: 2, source: "interface endpoint ENIs in each AZ, typically 1-2 min" },
    { pattern: "aws:apigateway/vpcLink:VpcLink", minutes: 5, source: "REST (v1) VPC link to an NLB, typically 5-10 min" },
    { pattern: "aws:apigatewayv2/vpcLink:VpcLink", minutes: 2, source: "HTTP API VPC link, typically 1-2 min" },
    { pattern: "aws:lambda/function:Function", minutes: 0.5, source: "function creation and its published version" },
    { pattern: "aws:cognito/userPoolDomain:UserPoolDomain", minutes: 1, source: "Cognito prefix domain" },
    { pattern: "docker-build:*", minutes: 3, source: "image build and push (cached layers)" },
    { pattern: "docker:*", minutes: 3, source: "image build and push (cached layers)" },
    { pattern: "aws-native:personalize:*", minutes: 0.5, source: "Personalize resources become ACTIVE within a minute" },
    { pattern: "*", minutes: 0.1, source: "default: one AWS API call and IAM propagation, a few seconds" },
];

/** Minutes a resource of `type` typically takes to create, with the table row that says so. */
export function creationTime(type: string, table: CreationTime[] = CREATION_MINUTES): CreationTime {
    return table.find((t) => (t.pattern.endsWith("*") ? type.startsWith(t.pattern.slice(0, -1)) : t.pattern === type))!;
}
