/**
 * One compliant and one violating input for every policy, so that a policy that can never fail (or
 * never pass) is caught. Stack policies get a list of resources; resource policies get one.
 */
import { Res } from "../../policy/framework";

const PROD_TAGS = { tags: { Project: "flodrama", Stack: "prod", Environment: "prod", Owner: "o", CostCenter: "c", ManagedBy: "pulumi" } };

export function res(type: string, props: Record<string, any>, extra: Partial<Res> = {}): Res {
    const name = extra.name ?? type.split(":").pop()!.toLowerCase();
    return {
        type,
        name,
        urn: `urn:pulumi:prod::flodrama::${type}::${name}`,
        props,
        protect: false,
        providerProps: { region: "eu-west-3", defaultTags: JSON.stringify(PROD_TAGS) },
        dependencies: [],
        ...extra,
    };
}

const DIST = "aws:cloudfront/distribution:Distribution";
const s3Origin = { originId: "s3", domainName: "site.s3.eu-west-3.amazonaws.com", originAccessControlId: "oac" };
const goodDistribution = {
    defaultRootObject: "index.html",
    origins: [s3Origin],
    originGroups: [{ originId: "g", members: [{ originId: "a" }, { originId: "b" }], failoverCriteria: { statusCodes: [500] } }],
    defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https" },
    orderedCacheBehaviors: [{ pathPattern: "/assets/*", viewerProtocolPolicy: "https-only" }],
    loggingConfig: { bucket: "logs.s3.amazonaws.com" },
    webAclId: "arn:aws:wafv2:us-east-1:1:global/webacl/x",
    viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
};
const dist = (over: Record<string, any>) => res(DIST, { ...goodDistribution, ...over });

const BUCKET = "aws:s3/bucket:Bucket";
const bucketSet = (over: { bpa?: any; policy?: any; ownership?: any; lifecycle?: any; logging?: boolean; account?: boolean } = {}): Res[] => {
    const out = [
        res(BUCKET, { bucket: "b" }),
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
            bucket: "b",
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
            ...(over.bpa ?? {}),
        }),
        res("aws:s3/bucketPolicy:BucketPolicy", {
            bucket: "b",
            policy: JSON.stringify(
                over.policy ?? {
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
                        { Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "AWS:SourceArn": "arn:x" } } },
                    ],
                },
            ),
        }),
        res("aws:s3/bucketOwnershipControls:BucketOwnershipControls", { bucket: "b", rule: { objectOwnership: over.ownership ?? "BucketOwnerEnforced" } }),
        res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", { bucket: "b", rules: over.lifecycle ?? [{ id: "r", status: "Enabled" }] }),
    ];
    if (over.logging !== false) {
        out.push(res("aws:s3/bucketLogging:BucketLogging", { bucket: "b", targetBucket: "logs", targetPrefix: "b/" }));
    }
    if (over.account !== false) {
        out.push(res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }));
    }
    return out;
};
const publicRead = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] };
const publicWrite = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: ["s3:PutObject"], Resource: "arn:aws:s3:::b/*" }] };

const VPC = res("awsx:ec2:Vpc", { publicSubnetIds: ["subnet-pub"], vpcEndpointSpecs: [] });
const endpoint = (svc: string) => res("aws:ec2/vpcEndpoint:VpcEndpoint", { serviceName: `com.amazonaws.eu-west-3.${svc}`, vpcEndpointType: "Interface" }, { name: `ep-${svc}` });
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const goodLt = { id: "lt-1", metadataOptions: { httpTokens: "required" }, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }] };
const NG = "aws:eks/nodeGroup:NodeGroup";
const goodNg = { subnetIds: ["subnet-a", "subnet-b"], instanceTypes: ["m6i.large", "m6a.large"], launchTemplate: { id: "lt-1", version: "1" } };
const SG = "aws:ec2/securityGroup:SecurityGroup";
const openIngress = (port: number) => res(SG, { ingress: [{ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"] }] });

const EKS = "eks:index:Cluster";
const goodEks = { endpointPublicAccess: false, endpointPrivateAccess: true, encryptionConfigKeyArn: "arn:aws:kms:x", enabledClusterLogTypes: ["api", "audit"], version: "1.35" };

const privateEks = (accessEntries: Record<string, any>) =>
    res(EKS, { ...goodEks, accessEntries, eksCluster: { vpcConfig: { clusterSecurityGroupId: "sg-eks" } } }, { name: "cluster-eks" });
const apiRule = (over: Record<string, any> = {}) =>
    res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { securityGroupId: "sg-eks", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.8.0.0/16", ...over });
const deployerEntry = {
    "deployer-ci": {
        principalArn: "arn:aws:iam::123456789012:role/flodrama-deploy",
        accessPolicies: { "cluster-admin": { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } } },
    },
};
const previewerEntry = {
    "previewer-ci": {
        principalArn: "arn:aws:iam::123456789012:role/flodrama-preview",
        accessPolicies: { "admin-view": { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy", accessScope: { type: "cluster" } } },
    },
};

const DOCDB = "aws:docdb/cluster:Cluster";
const goodDocdb = { storageEncrypted: true, backupRetentionPeriod: 7, enabledCloudwatchLogsExports: ["audit", "profiler"], deletionProtection: true, dbClusterParameterGroupName: "pg" };
const pg = (tls: string) => res("aws:docdb/clusterParameterGroup:ClusterParameterGroup", { name: "pg", parameters: [{ name: "tls", value: tls }] });
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const goodRg = {
    snapshotRetentionLimit: 7,
    autoMinorVersionUpgrade: true,
    automaticFailoverEnabled: true,
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    engineVersion: "7.1",
    subnetGroupName: "sg",
};
const doc = (statements: any[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (Action: any, Resource: any = "arn:aws:s3:::b/*") => ({ Effect: "Allow", Action, Resource });

const ROUTE = "aws:apigatewayv2/route:Route";
const STAGE = "aws:apigatewayv2/stage:Stage";
const wsApi = res("aws:apigatewayv2/api:Api", { protocolType: "WEBSOCKET" }, { name: "ws" });
const wsStage = (level?: string) => res(STAGE, { defaultRouteSettings: { loggingLevel: level } }, { dependencies: [wsApi.urn] });

const deployment = (over: Record<string, any> = {}) =>
    res("kubernetes:apps/v1:Deployment", {
        metadata: { name: "api", namespace: "flodrama" },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
            template: {
                metadata: { labels: { "app.kubernetes.io/name": "api" } },
                spec: {
                    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "api",
                            image: "registry.example.com/flodrama/api:1.0.0",
                            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                            livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
                            readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
                            ...over,
                        },
                    ],
                },
            },
        },
    });
const hpa = res("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", { metadata: { name: "api", namespace: "flodrama" }, spec: { scaleTargetRef: { kind: "Deployment", name: "api" } } });
const pdb = res("kubernetes:policy/v1:PodDisruptionBudget", { metadata: { name: "api", namespace: "flodrama" }, spec: { selector: { matchLabels: { "app.kubernetes.io/name": "api" } } } });

const FN = "aws:lambda/function:Function";
const edgeArn = "arn:aws:lambda:us-east-1:123456789012:function:flodrama-prod-headers:1";
const edgeFn = (over: Partial<Res> = {}, props: Record<string, any> = {}) =>
    res(FN, { name: "flodrama-prod-headers", publish: true, runtime: "nodejs22.x", ...props }, { providerProps: { region: "us-east-1" }, ...over });
const distWithEdge = (arn: string) => dist({ defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https", lambdaFunctionAssociations: [{ eventType: "origin-response", lambdaArn: arn }] } });

export interface PolicyCase {
    good: Res | Res[];
    bad: Res | Res[];
}

const TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding";
const appService = res("kubernetes:core/v1:Service", { metadata: { name: "api", namespace: "flodrama" }, spec: { ports: [{ name: "http", port: 8080, targetPort: "http" }] } });
const binding = (port: string | number, podPort = 8080) =>
    res(TGB, { metadata: { name: "api", namespace: "flodrama" }, spec: { serviceRef: { name: "api", port }, networking: { ingress: [{ ports: [{ protocol: "TCP", port: podPort }] }] } } });
const httpApi = res("aws:apigatewayv2/api:Api", { protocolType: "HTTP" }, { name: "http" });
const httpRoute = (routeKey: string) => res(ROUTE, { routeKey, authorizationType: "JWT" }, { name: `r-${routeKey}`, dependencies: [httpApi.urn] });

export const CASES: Record<string, PolicyCase> = {
    "cloudfront-1-default-root-object": { good: dist({}), bad: dist({ defaultRootObject: "" }) },
    "cloudfront-3-encryption-in-transit": { good: dist({}), bad: dist({ orderedCacheBehaviors: [{ pathPattern: "/x", viewerProtocolPolicy: "allow-all" }] }) },
    "cloudfront-4-origin-failover": { good: dist({}), bad: dist({ originGroups: [] }) },
    "cloudfront-5-logging": { good: dist({}), bad: dist({ loggingConfig: undefined }) },
    "cloudfront-6-waf": { good: dist({}), bad: dist({ webAclId: undefined }) },
    "cloudfront-7-custom-certificate": { good: dist({}), bad: dist({ viewerCertificate: { cloudfrontDefaultCertificate: true } }) },
    "cloudfront-8-sni": { good: dist({}), bad: dist({ viewerCertificate: { acmCertificateArn: "a", sslSupportMethod: "vip", minimumProtocolVersion: "TLSv1.2_2021" } }) },
    "cloudfront-9-custom-origin-encryption": {
        good: dist({ origins: [s3Origin, { originId: "api", domainName: "api.x", customOriginConfig: { originProtocolPolicy: "https-only" } }] }),
        bad: dist({ origins: [{ originId: "api", domainName: "api.x", customOriginConfig: { originProtocolPolicy: "http-only" } }] }),
    },
    "cloudfront-10-origin-ssl-protocols": {
        good: dist({ origins: [{ originId: "api", domainName: "api.x", customOriginConfig: { originSslProtocols: ["TLSv1.2"] } }] }),
        bad: dist({ origins: [{ originId: "api", domainName: "api.x", customOriginConfig: { originSslProtocols: ["SSLv3", "TLSv1.2"] } }] }),
    },
    "cloudfront-12-existing-s3-origin": { good: dist({}), bad: dist({ origins: [{ originId: "s3", domainName: "other.s3-website.example.com", originAccessControlId: "oac" }] }) },
    "cloudfront-13-origin-access-control": { good: dist({}), bad: dist({ origins: [{ originId: "s3", domainName: "site.s3.eu-west-3.amazonaws.com", s3OriginConfig: { originAccessIdentity: "oai" } }] }) },
    "cloudfront-15-tls-policy": { good: dist({}), bad: dist({ viewerCertificate: { acmCertificateArn: "a", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1" } }) },
    "cloudfront-16-function-url-oac": {
        good: dist({ origins: [{ originId: "fn", domainName: "abc.lambda-url.eu-west-3.on.aws", originAccessControlId: "oac" }] }),
        bad: dist({ origins: [{ originId: "fn", domainName: "abc.lambda-url.eu-west-3.on.aws" }] }),
    },
    "acm-1-dns-validated-renewal": { good: res("aws:acm/certificate:Certificate", { validationMethod: "DNS" }), bad: res("aws:acm/certificate:Certificate", { validationMethod: "EMAIL" }) },
    "acm-2-rsa-key-length": { good: res("aws:acm/certificate:Certificate", { keyAlgorithm: "RSA_2048" }), bad: res("aws:acm/certificate:Certificate", { keyAlgorithm: "RSA_1024" }) },
    "s3-1-account-public-access-block": { good: bucketSet(), bad: bucketSet({ account: false }) },
    "s3-2-block-public-read": { good: bucketSet(), bad: bucketSet({ policy: publicRead }) },
    "s3-3-block-public-write": { good: bucketSet(), bad: bucketSet({ policy: publicWrite }) },
    "s3-5-require-ssl": { good: bucketSet(), bad: bucketSet({ policy: publicRead }) },
    "s3-6-no-cross-account-admin": {
        good: bucketSet(),
        bad: bucketSet({ policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::b" }] } }),
    },
    "s3-8-block-public-access": { good: bucketSet(), bad: bucketSet({ bpa: { restrictPublicBuckets: false } }) },
    "s3-9-server-access-logging": { good: bucketSet(), bad: bucketSet({ logging: false }) },
    "s3-12-no-acls": { good: bucketSet(), bad: bucketSet({ ownership: "ObjectWriter" }) },
    "s3-13-lifecycle": { good: bucketSet(), bad: bucketSet({ lifecycle: [] }) },
    "ec2-2-default-security-group-closed": { good: [VPC, res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {})], bad: [VPC, res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", { ingress: [{ protocol: "-1" }] })] },
    "ec2-6-vpc-flow-logs": { good: [VPC, res("aws:ec2/flowLog:FlowLog", { trafficType: "ALL" })], bad: [VPC] },
    "ec2-10-ec2-endpoint": { good: [VPC, endpoint("ec2")], bad: [VPC] },
    "ec2-55-ecr-api-endpoint": { good: [VPC, endpoint("ecr.api")], bad: [VPC, endpoint("ecr.dkr")] },
    "ec2-56-ecr-dkr-endpoint": { good: [VPC, endpoint("ecr.dkr")], bad: [VPC, endpoint("ecr.api")] },
    "ec2-57-ssm-endpoint": { good: [VPC, endpoint("ssm")], bad: [VPC] },
    "ec2-58-ssm-contacts-endpoint": { good: [VPC, endpoint("ssm-contacts")], bad: [VPC] },
    "ec2-60-ssm-incidents-endpoint": { good: [VPC, endpoint("ssm-incidents")], bad: [VPC] },
    "ec2-15-no-auto-public-ip": { good: res("aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: false }), bad: res("aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: true }) },
    "ec2-16-unused-network-acls": { good: res("aws:ec2/networkAcl:NetworkAcl", { subnetIds: ["s"] }), bad: res("aws:ec2/networkAcl:NetworkAcl", {}) },
    "ec2-18-unrestricted-ingress-ports": { good: openIngress(443), bad: openIngress(6379) },
    "ec2-19-high-risk-ports": {
        good: openIngress(443),
        bad: res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }),
    },
    "ec2-21-nacl-admin-ports": {
        good: res("aws:ec2/networkAclRule:NetworkAclRule", { ruleAction: "allow", cidrBlock: "0.0.0.0/0", protocol: "tcp", fromPort: 443, toPort: 443 }),
        bad: res("aws:ec2/networkAclRule:NetworkAclRule", { ruleAction: "allow", cidrBlock: "0.0.0.0/0", protocol: "tcp", fromPort: 0, toPort: 65535 }),
    },
    "ec2-25-launch-template-no-public-ip": { good: res(LT, goodLt), bad: res(LT, { ...goodLt, networkInterfaces: [{ associatePublicIpAddress: "true" }] }) },
    "ec2-170-launch-template-imdsv2": { good: res(LT, goodLt), bad: res(LT, { ...goodLt, metadataOptions: { httpTokens: "optional" } }) },
    "ec2-181-launch-template-ebs-encryption": { good: res(LT, goodLt), bad: res(LT, { ...goodLt, blockDeviceMappings: [{ ebs: { encrypted: "false" } }] }) },
    "ec2-8-node-imdsv2": { good: [res(NG, goodNg), res(LT, goodLt)], bad: [res(NG, goodNg), res(LT, { ...goodLt, metadataOptions: {} })] },
    "ec2-3-node-volume-encryption": { good: [res(NG, goodNg), res(LT, goodLt)], bad: [res(NG, goodNg), res(LT, { ...goodLt, blockDeviceMappings: [] })] },
    "ec2-9-node-no-public-ip": { good: [VPC, res(NG, goodNg)], bad: [VPC, res(NG, { ...goodNg, subnetIds: ["subnet-pub", "subnet-a"] })] },
    "ec2-24-no-paravirtual": { good: res(NG, goodNg), bad: res(NG, { ...goodNg, instanceTypes: ["m1.large"] }) },
    "ec2-180-source-dest-check": { good: res("aws:ec2/networkInterface:NetworkInterface", {}), bad: res("aws:ec2/networkInterface:NetworkInterface", { sourceDestCheck: false }) },
    "autoscaling-2-multi-az": { good: res(NG, goodNg), bad: res(NG, { ...goodNg, subnetIds: ["subnet-a"] }) },
    "autoscaling-6-multiple-instance-types": { good: res(NG, goodNg), bad: res(NG, { ...goodNg, instanceTypes: ["m6i.large"] }) },
    "autoscaling-9-launch-template": { good: res(NG, goodNg), bad: res(NG, { ...goodNg, launchTemplate: undefined }) },
    "eks-1-private-endpoint": { good: res(EKS, goodEks), bad: res("aws:eks/cluster:Cluster", { vpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true } }) },
    "eks-2-supported-version": { good: res(EKS, goodEks), bad: res(EKS, { ...goodEks, version: "1.29" }) },
    "eks-3-secrets-encryption": {
        good: res("aws:eks/cluster:Cluster", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:x" } } }),
        bad: res(EKS, { ...goodEks, encryptionConfigKeyArn: undefined }),
    },
    "eks-8-audit-logging": { good: res(EKS, goodEks), bad: res(EKS, { ...goodEks, enabledClusterLogTypes: ["api"] }) },
    // Bad: the rule opens 443 on another group, and the only entry is a previewer's (read-only).
    "program-eks-deploy-path": {
        good: [privateEks(deployerEntry), apiRule()],
        bad: [privateEks(previewerEntry), apiRule({ securityGroupId: "sg-other" })],
    },
    "eks-9-node-group-version": { good: res(NG, goodNg), bad: res(NG, { ...goodNg, version: "1.28" }) },
    "documentdb-1-encrypted-at-rest": { good: res(DOCDB, goodDocdb), bad: res(DOCDB, { ...goodDocdb, storageEncrypted: false }) },
    "documentdb-2-backup-retention": { good: res(DOCDB, goodDocdb), bad: res(DOCDB, { ...goodDocdb, backupRetentionPeriod: 1 }) },
    "documentdb-4-audit-logs": { good: res(DOCDB, goodDocdb), bad: res(DOCDB, { ...goodDocdb, enabledCloudwatchLogsExports: ["profiler"] }) },
    "documentdb-5-deletion-protection": { good: res(DOCDB, goodDocdb), bad: res(DOCDB, { ...goodDocdb, deletionProtection: false }) },
    "documentdb-6-tls": { good: [res(DOCDB, goodDocdb), pg("tls1.2+")], bad: [res(DOCDB, goodDocdb), pg("enabled")] },
    "elasticache-1-backups": { good: res(RG, goodRg), bad: res(RG, { ...goodRg, snapshotRetentionLimit: 0 }) },
    "elasticache-2-minor-upgrades": { good: res(RG, goodRg), bad: res(RG, { ...goodRg, autoMinorVersionUpgrade: false }) },
    "elasticache-3-automatic-failover": { good: res(RG, goodRg), bad: res(RG, { ...goodRg, automaticFailoverEnabled: false }) },
    "elasticache-4-encrypted-at-rest": { good: res(RG, goodRg), bad: res(RG, { ...goodRg, atRestEncryptionEnabled: false }) },
    "elasticache-5-encrypted-in-transit": { good: res(RG, goodRg), bad: res(RG, { ...goodRg, transitEncryptionEnabled: false }) },
    "elasticache-6-auth": { good: res(RG, { ...goodRg, engineVersion: "5.0", authToken: "t" }), bad: res(RG, { ...goodRg, engineVersion: "5.0" }) },
    "elasticache-7-custom-subnet-group": { good: res(RG, goodRg), bad: res(RG, { ...goodRg, subnetGroupName: "default" }) },
    "iam-1-no-full-admin": { good: res("aws:iam/policy:Policy", { policy: doc([allow("s3:GetObject")]) }), bad: res("aws:iam/policy:Policy", { policy: doc([allow("*", "*")]) }) },
    "iam-21-no-service-wildcards": { good: res("aws:iam/policy:Policy", { policy: doc([allow("ec2:Describe*", "*")]) }), bad: res("aws:iam/policy:Policy", { policy: doc([allow("s3:*")]) }) },
    "kms-1-no-decrypt-all-managed": {
        good: res("aws:iam/policy:Policy", { policy: doc([allow("kms:Decrypt", "arn:aws:kms:eu-west-3:1:key/k")]) }),
        bad: res("aws:iam/policy:Policy", { policy: doc([allow(["kms:Decrypt"], "*")]) }),
    },
    "kms-2-no-decrypt-all-inline": {
        good: res("aws:iam/rolePolicy:RolePolicy", { policy: doc([allow("kms:Decrypt", "arn:aws:kms:eu-west-3:1:key/k")]) }),
        bad: res("aws:iam/role:Role", { inlinePolicies: [{ name: "x", policy: doc([allow("kms:ReEncryptFrom", "*")]) }] }),
    },
    "program-kms-grants-for-aws-resources-only": {
        good: res("aws:kms/key:Key", {
            policy: doc([
                { Sid: "Admin", Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: ["kms:DescribeKey", "kms:RevokeGrant"], Resource: "*" },
                { Sid: "Grants", Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: ["kms:CreateGrant"], Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
            ]),
        }),
        // The console's default administrators statement: kms:Create* includes CreateGrant.
        bad: res("aws:kms/key:Key", { policy: doc([{ Sid: "Admin", Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: ["kms:Create*", "kms:Describe*"], Resource: "*" }]) }),
    },
    "kms-4-key-rotation": { good: res("aws:kms/key:Key", { enableKeyRotation: true }), bad: res("aws:kms/key:Key", {}) },
    "kms-5-no-public-key-policy": {
        good: res("aws:kms/key:Key", { policy: doc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "kms:*", Resource: "*" }]) }),
        bad: res("aws:kms/key:Key", { policy: doc([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }]) }),
    },
    "program-no-wildcard-iam-actions": {
        good: res("aws:iam/rolePolicy:RolePolicy", { policy: doc([allow(["s3:PutObject", "s3:GetObject"])]) }),
        bad: res("aws:iam/rolePolicy:RolePolicy", { policy: doc([allow("personalize:*", "arn:aws:personalize:x")]) }),
    },
    "cognito-3-password-policy": {
        good: res("aws:cognito/userPool:UserPool", { passwordPolicy: { minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 7 } }),
        bad: res("aws:cognito/userPool:UserPool", { passwordPolicy: { minimumLength: 6 } }),
    },
    "cognito-2-no-unauthenticated-identities": {
        good: res("aws:cognito/identityPool:IdentityPool", { allowUnauthenticatedIdentities: false }),
        bad: res("aws:cognito/identityPool:IdentityPool", { allowUnauthenticatedIdentities: true }),
    },
    "ecr-1-scan-on-push": { good: res("aws:ecr/repository:Repository", { imageScanningConfiguration: { scanOnPush: true } }), bad: res("aws:ecr/repository:Repository", {}) },
    "ecr-2-immutable-tags": { good: res("aws:ecr/repository:Repository", { imageTagMutability: "IMMUTABLE" }), bad: res("aws:ecr/repository:Repository", { imageTagMutability: "MUTABLE" }) },
    "ecr-3-lifecycle-policy": {
        good: [res("aws:ecr/repository:Repository", { name: "r" }), res("aws:ecr/lifecyclePolicy:LifecyclePolicy", { repository: "r" })],
        bad: [res("aws:ecr/repository:Repository", { name: "r" })],
    },
    "sns-4-no-public-topic-policy": {
        good: res("aws:sns/topicPolicy:TopicPolicy", { policy: doc([{ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "arn:t" }]) }),
        bad: res("aws:sns/topicPolicy:TopicPolicy", { policy: doc([{ Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: "arn:t" }]) }),
    },
    "lambda-1-no-public-invoke": {
        good: res("aws:lambda/permission:Permission", { principal: "apigateway.amazonaws.com", sourceArn: "arn:aws:execute-api:x" }),
        bad: res("aws:lambda/permission:Permission", { principal: "*" }),
    },
    "lambda-2-supported-runtime": { good: res(FN, { runtime: "nodejs22.x" }), bad: res(FN, { runtime: "nodejs20.x" }) },
    "lambda-5-multi-az-vpc": { good: res(FN, { vpcConfig: { subnetIds: ["a", "b"] } }), bad: res(FN, { vpcConfig: { subnetIds: ["a"] } }) },
    "secretsmanager-1-rotation": {
        good: [
            res("aws:secretsmanager/secret:Secret", {}, { name: "s" }),
            res("aws:secretsmanager/secretRotation:SecretRotation", {}, { dependencies: ["urn:pulumi:prod::flodrama::aws:secretsmanager/secret:Secret::s"] }),
        ],
        bad: [res("aws:secretsmanager/secret:Secret", {}, { name: "s" })],
    },
    "secretsmanager-4-rotation-period": {
        good: res("aws:secretsmanager/secretRotation:SecretRotation", { rotationRules: { automaticallyAfterDays: 30 } }),
        bad: res("aws:secretsmanager/secretRotation:SecretRotation", { rotationRules: { automaticallyAfterDays: 365 } }),
    },
    "apigateway-1-execution-logging": { good: [wsApi, wsStage("INFO")], bad: [wsApi, wsStage(undefined)] },
    "apigateway-8-route-authorization": { good: res(ROUTE, { routeKey: "ANY /{proxy+}", authorizationType: "JWT" }), bad: res(ROUTE, { routeKey: "POST /watchlist", authorizationType: "NONE" }) },
    "apigateway-9-access-logging": { good: res(STAGE, { accessLogSettings: { destinationArn: "arn:logs", format: "{}" } }), bad: res(STAGE, {}) },
    "kubernetes-pod-security-restricted": {
        good: [deployment()],
        bad: [deployment({ securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ["ALL"] } } })],
    },
    "kubernetes-deployment-hygiene": { good: deployment(), bad: deployment({ image: "registry.example.com/flodrama/api:latest", livenessProbe: undefined }) },
    "kubernetes-no-plaintext-secret-env": {
        good: deployment({ env: [{ name: "LOG_LEVEL", value: "info" }, { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "api-secrets-1a2b", key: "DB_PASSWORD" } } }, { name: "PARTNER_TOKEN_SECRET_ARN", value: "arn:aws:secretsmanager:eu-west-3:1:secret:p-AbCdEf" }] }),
        bad: deployment({ env: [{ name: "DB_PASSWORD", value: "hunter2" }] }),
    },
    "kubernetes-deployment-autoscaled-and-protected": { good: [deployment(), hpa, pdb], bad: [deployment(), pdb] },
    "program-lambda-edge": { good: [distWithEdge(edgeArn), edgeFn()], bad: [distWithEdge(edgeArn), edgeFn({ providerProps: { region: "eu-west-3" } }, { publish: false })] },
    "program-stack-tags": {
        good: res("aws:sns/topic:Topic", {}),
        bad: res("aws:sns/topic:Topic", {}, { providerProps: { region: "eu-west-3", defaultTags: JSON.stringify({ tags: { Project: "flodrama" } }) } }),
    },
    "program-stateful-protected-in-prod": { good: res(DOCDB, goodDocdb, { protect: true }), bad: res(DOCDB, goodDocdb, { protect: false }) },
    "program-management-port-internal": {
        good: [appService, binding("http"), res("aws:lb/targetGroup:TargetGroup", { port: 8080, healthCheck: { protocol: "TCP", port: "traffic-port" } })],
        bad: [appService, binding("mgmt", 9090)],
    },
    "program-http-api-no-catch-all": { good: [httpApi, httpRoute("GET /catalog"), httpRoute("GET /catalog/{proxy+}")], bad: [httpApi, httpRoute("GET /{proxy+}")] },
};
