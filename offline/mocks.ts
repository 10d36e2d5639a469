/**
 * Pulumi mocks for running the real program offline (tests and `npm run plan`).
 *
 * Every resource echoes its inputs as its state, plus the outputs that AWS or a remote component
 * would compute and that the program reads (ARNs, endpoints, subnet ids, kubeconfig, ...). Remote
 * components (awsx VPC, eks Cluster) reach the mocks once, without children, so their outputs are
 * faked here as plain objects. Unknown invokes fail loudly instead of answering `{}`.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export const ACCOUNT_ID = "123456789012";
/** Canonical user id of CloudFront's log delivery (awslogsdelivery) in the aws partition. */
export const CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0";
export const TEST_SECRET = "offline-test-secret";
/** A service release no image carries: `aws:ecr/getImage` fails for it as ECR does for a missing tag. */
export const MISSING_RELEASE = "0.0.0-unpublished";

/** What the mocks know about the stack being simulated. */
export interface MockContext {
    region: string;
    /** AZ count of the VPC, for the subnet ids the fake VPC returns. */
    azCount: number;
}

type StateFn = (args: pulumi.runtime.MockResourceArgs, ctx: MockContext, physical: string) => Record<string, unknown>;

function arn(service: string, ctx: MockContext, resource: string, region = ctx.region): string {
    return `arn:aws:${service}:${region}:${ACCOUNT_ID}:${resource}`;
}

/** Regions that a provider reference pins, so us-east-1 resources get us-east-1 ARNs. */
export function providerRegion(provider: string | undefined, regions: Map<string, string>): string | undefined {
    if (!provider) {
        return undefined;
    }
    const urn = provider.split("::").slice(0, -1).join("::");
    return regions.get(urn) ?? regions.get(provider);
}

const fakeKubeconfig = (name: string) => ({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: `https://${name}.gr7.eu-west-3.eks.amazonaws.com`, "certificate-authority-data": "LS0tLS1CRUdJTg==" } }],
    contexts: [{ name: "aws", context: { cluster: name, user: "aws" } }],
    "current-context": "aws",
    users: [{ name: "aws", user: { token: "offline" } }],
});

/** Type-specific outputs, keyed by Pulumi type token. Add an entry when the program reads a new computed output. */
export const STATE: Record<string, StateFn> = {
    // The engine's built-in Stash: `output` is the value stored when it was created (here, the input).
    "pulumi:index:Stash": (a) => ({ output: a.inputs.input }),
    // ---- remote components --------------------------------------------------------------------
    "awsx:ec2:Vpc": (a, ctx) => {
        const azs = Array.from({ length: ctx.azCount }, (_, i) => i);
        return {
            vpcId: `vpc-${a.name}`,
            publicSubnetIds: azs.map((i) => `subnet-public-${i}`),
            privateSubnetIds: azs.map((i) => `subnet-private-${i}`),
            isolatedSubnetIds: [],
            vpc: { id: `vpc-${a.name}`, cidrBlock: a.inputs.cidrBlock ?? "10.0.0.0/16", arn: arn("ec2", ctx, `vpc/vpc-${a.name}`) },
        };
    },
    "eks:index:Cluster": (a, ctx, physical) => {
        const name = a.inputs.name ?? physical;
        const issuer = `oidc.eks.${ctx.region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
        const kubeconfig = fakeKubeconfig(name);
        return {
            kubeconfig,
            kubeconfigJson: JSON.stringify(kubeconfig),
            clusterSecurityGroupId: "sg-cluster",
            nodeSecurityGroupId: "sg-node",
            oidcProviderArn: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${issuer}`,
            oidcProviderUrl: `https://${issuer}`,
            oidcIssuer: issuer,
            eksCluster: {
                name,
                arn: arn("eks", ctx, `cluster/${name}`),
                endpoint: `https://${name}.gr7.${ctx.region}.eks.amazonaws.com`,
                version: a.inputs.version,
                certificateAuthority: { data: "LS0tLS1CRUdJTg==" },
                vpcConfig: { clusterSecurityGroupId: "sg-eks-managed", vpcId: a.inputs.vpcId },
                identities: [{ oidcs: [{ issuer: `https://${issuer}` }] }],
            },
            core: {
                cluster: { name },
                oidcProvider: { arn: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${issuer}`, url: issuer },
                vpcId: a.inputs.vpcId,
                subnetIds: a.inputs.privateSubnetIds ?? [],
            },
        };
    },

    // ---- AWS ----------------------------------------------------------------------------------
    "aws:kms/key:Key": (a, ctx) => ({ arn: arn("kms", ctx, `key/${a.name}`), keyId: `key-${a.name}` }),
    "aws:kms/alias:Alias": (a, ctx) => ({ arn: arn("kms", ctx, `${a.inputs.name ?? a.name}`) }),
    "aws:iam/role:Role": (a, _ctx, physical) => ({
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/${a.inputs.name ?? physical}`,
        name: a.inputs.name ?? physical,
        uniqueId: `AROA${a.name.toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 16)}`,
    }),
    "aws:iam/policy:Policy": (a, _ctx, physical) => ({ arn: `arn:aws:iam::${ACCOUNT_ID}:policy/${a.inputs.name ?? physical}`, name: a.inputs.name ?? physical }),
    "aws:s3/bucket:Bucket": (a, ctx, physical) => {
        const bucket = a.inputs.bucket ?? physical;
        return {
            bucket,
            arn: `arn:aws:s3:::${bucket}`,
            bucketDomainName: `${bucket}.s3.amazonaws.com`,
            bucketRegionalDomainName: `${bucket}.s3.${ctx.region}.amazonaws.com`,
            region: ctx.region,
        };
    },
    "aws:s3/bucketV2:BucketV2": (a, ctx, physical) => STATE["aws:s3/bucket:Bucket"](a, ctx, physical),
    "aws:cloudfront/distribution:Distribution": (a) => ({
        arn: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/E${a.name.toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 12)}`,
        domainName: `d111111abcdef8.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
        status: "Deployed",
    }),
    "aws:cloudfront/originAccessControl:OriginAccessControl": () => ({ etag: "E1" }),
    "aws:lambda/function:Function": (a, ctx, physical) => {
        const name = a.inputs.name ?? physical;
        const fnArn = arn("lambda", ctx, `function:${name}`);
        return { arn: fnArn, version: a.inputs.publish ? "1" : "$LATEST", qualifiedArn: a.inputs.publish ? `${fnArn}:1` : `${fnArn}:$LATEST`, invokeArn: `arn:aws:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${fnArn}/invocations` };
    },
    "aws:acm/certificate:Certificate": (a, ctx) => ({
        arn: arn("acm", ctx, `certificate/${a.name}`),
        domainValidationOptions: [a.inputs.domainName, ...(a.inputs.subjectAlternativeNames ?? [])].map((d: string) => ({
            domainName: d,
            resourceRecordName: `_x1.${d}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_x2.acm-validations.aws.`,
        })),
    }),
    "aws:acm/certificateValidation:CertificateValidation": (a) => ({ certificateArn: a.inputs.certificateArn }),
    "aws:wafv2/webAcl:WebAcl": (a, ctx) => ({ arn: arn("wafv2", ctx, `global/webacl/${a.name}/0000`) }),
    "aws:sns/topic:Topic": (a, ctx, physical) => ({ arn: arn("sns", ctx, a.inputs.name ?? physical) }),
    "aws:cloudwatch/logGroup:LogGroup": (a, ctx, physical) => ({ arn: arn("logs", ctx, `log-group:${a.inputs.name ?? physical}`) }),
    "aws:ecr/repository:Repository": (a, ctx, physical) => ({
        arn: arn("ecr", ctx, `repository/${a.inputs.name ?? physical}`),
        repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${ctx.region}.amazonaws.com/${a.inputs.name ?? physical}`,
        registryId: ACCOUNT_ID,
    }),
    // A pushed build: its digest follows from its tags (the content hash), as a registry's would from the content.
    "docker-build:index:Image": (a) => {
        const digest = `sha256:${sha256(JSON.stringify(a.inputs.tags ?? []))}`;
        const tag = String((a.inputs.tags ?? [])[0] ?? "");
        return { digest, ref: `${tag}@${digest}`, contextHash: sha256(JSON.stringify(a.inputs.context ?? {})) };
    },
    "aws:docdb/cluster:Cluster": (a, ctx, physical) => ({
        arn: arn("rds", ctx, `cluster:${a.inputs.clusterIdentifier ?? physical}`),
        endpoint: `${a.inputs.clusterIdentifier ?? physical}.cluster-abc.${ctx.region}.docdb.amazonaws.com`,
        readerEndpoint: `${a.inputs.clusterIdentifier ?? physical}.cluster-ro-abc.${ctx.region}.docdb.amazonaws.com`,
        port: a.inputs.port ?? 27017,
        clusterResourceId: "cluster-ABCDEF",
    }),
    "aws:docdb/clusterInstance:ClusterInstance": (a, ctx, physical) => ({ arn: arn("rds", ctx, `db:${a.inputs.identifier ?? physical}`) }),
    "aws:elasticache/replicationGroup:ReplicationGroup": (a, ctx, physical) => ({
        arn: arn("elasticache", ctx, `replicationgroup:${a.inputs.replicationGroupId ?? physical}`),
        primaryEndpointAddress: `master.${a.inputs.replicationGroupId ?? physical}.abc.euw3.cache.amazonaws.com`,
        readerEndpointAddress: `replica.${a.inputs.replicationGroupId ?? physical}.abc.euw3.cache.amazonaws.com`,
        port: a.inputs.port ?? 6379,
        memberClusters: [`${a.inputs.replicationGroupId ?? physical}-001`],
    }),
    "aws:ec2/securityGroup:SecurityGroup": (a, ctx) => ({ arn: arn("ec2", ctx, `security-group/sg-${a.name}`) }),
    "aws:lb/loadBalancer:LoadBalancer": (a, ctx, physical) => ({
        arn: arn("elasticloadbalancing", ctx, `loadbalancer/net/${a.inputs.name ?? physical}/0123456789abcdef`),
        arnSuffix: `net/${a.inputs.name ?? physical}/0123456789abcdef`,
        dnsName: `${a.inputs.name ?? physical}-0123456789abcdef.elb.${ctx.region}.amazonaws.com`,
        zoneId: "Z1CMS0P5QUZ6D5",
    }),
    "aws:lb/targetGroup:TargetGroup": (a, ctx, physical) => ({
        arn: arn("elasticloadbalancing", ctx, `targetgroup/${a.inputs.name ?? physical}/0123456789abcdef`),
        arnSuffix: `targetgroup/${a.inputs.name ?? physical}/0123456789abcdef`,
    }),
    "aws:lb/listener:Listener": (a, ctx) => ({ arn: arn("elasticloadbalancing", ctx, `listener/net/${a.name}/0123456789abcdef/0123456789abcdef`) }),
    "aws:apigatewayv2/api:Api": (a, ctx) => ({
        apiEndpoint:
            a.inputs.protocolType === "WEBSOCKET"
                ? `wss://${a.name.slice(0, 10)}.execute-api.${ctx.region}.amazonaws.com`
                : `https://${a.name.slice(0, 10)}.execute-api.${ctx.region}.amazonaws.com`,
        executionArn: arn("execute-api", ctx, `api-${a.name}`),
        arn: `arn:aws:apigateway:${ctx.region}::/apis/api-${a.name}`,
    }),
    "aws:apigatewayv2/stage:Stage": (a, ctx) => ({
        invokeUrl: `https://api-${a.name}.execute-api.${ctx.region}.amazonaws.com/${a.inputs.name}`,
        executionArn: arn("execute-api", ctx, `api-${a.name}/${a.inputs.name}`),
        arn: `arn:aws:apigateway:${ctx.region}::/apis/api-${a.name}/stages/${a.inputs.name}`,
    }),
    "aws:apigatewayv2/domainName:DomainName": (a) => ({
        domainNameConfiguration: { ...(a.inputs.domainNameConfiguration ?? {}), targetDomainName: `d-abc.execute-api.eu-west-3.amazonaws.com`, hostedZoneId: "ZLY8HYME6SFDD" },
    }),
    "aws:apigatewayv2/vpcLink:VpcLink": (a, ctx) => ({ arn: `arn:aws:apigateway:${ctx.region}::/vpclinks/${a.name}-id` }),
    "aws:apigateway/vpcLink:VpcLink": (a, ctx) => ({ arn: `arn:aws:apigateway:${ctx.region}::/vpclinks/${a.name}-id` }),
    "aws:apigatewayv2/authorizer:Authorizer": (a, ctx) => ({ arn: `arn:aws:apigateway:${ctx.region}::/apis/${a.inputs.apiId}/authorizers/${a.name}-id` }),
    "aws:apigateway/account:Account": () => ({ throttleSettings: [{ burstLimit: 5000, rateLimit: 10000 }] }),
    "aws:cognito/userPool:UserPool": (a, ctx) => ({
        arn: arn("cognito-idp", ctx, `userpool/${ctx.region}_${a.name.replace(/[^A-Za-z0-9]/g, "").slice(0, 9)}`),
        endpoint: `cognito-idp.${ctx.region}.amazonaws.com/${ctx.region}_${a.name.replace(/[^A-Za-z0-9]/g, "").slice(0, 9)}`,
    }),
    "aws:cognito/userPoolClient:UserPoolClient": (a) => ({ clientSecret: undefined, id: `client-${a.name}` }),
    "aws:cognito/userPoolDomain:UserPoolDomain": (a) => ({ cloudfrontDistribution: "d222222abcdef8.cloudfront.net", cloudfrontDistributionArn: "d222222abcdef8.cloudfront.net", domain: a.inputs.domain }),
    "aws:route53/record:Record": (a) => ({ fqdn: a.inputs.name }),
    "aws:budgets/budget:Budget": (a) => ({ arn: `arn:aws:budgets::${ACCOUNT_ID}:budget/${a.inputs.name ?? a.name}` }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (a, ctx, physical) => ({ arn: arn("cloudwatch", ctx, `alarm:${a.inputs.name ?? physical}`) }),
    "aws:cloudwatch/dashboard:Dashboard": (a) => ({ dashboardArn: `arn:aws:cloudwatch::${ACCOUNT_ID}:dashboard/${a.inputs.dashboardName}` }),
    "aws:secretsmanager/secret:Secret": (a, ctx, physical) => ({ arn: arn("secretsmanager", ctx, `secret:${a.inputs.name ?? physical}-AbCdEf`) }),
    "aws:eks/addon:Addon": (a, ctx) => ({ arn: arn("eks", ctx, `addon/${a.inputs.clusterName}/${a.inputs.addonName}/0`) }),
    "aws:eks/nodeGroup:NodeGroup": (a, ctx) => ({ arn: arn("eks", ctx, `nodegroup/${a.inputs.clusterName}/${a.name}/0`) }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1, defaultVersion: 1 }),

    // ---- aws-native Personalize -------------------------------------------------------------------
    "aws-native:personalize:DatasetGroup": (a, ctx) => ({ datasetGroupArn: arn("personalize", ctx, `dataset-group/${a.inputs.name ?? a.name}`) }),
    "aws-native:personalize:Schema": (a, ctx) => ({ schemaArn: arn("personalize", ctx, `schema/${a.inputs.name ?? a.name}`) }),
    "aws-native:personalize:Dataset": (a, ctx) => ({ datasetArn: arn("personalize", ctx, `dataset/${a.inputs.name ?? a.name}/${a.inputs.datasetType}`) }),
    "aws-native:personalize:EventTracker": (a, ctx) => ({ eventTrackerArn: arn("personalize", ctx, `event-tracker/${a.inputs.name ?? a.name}`), trackingId: "0a1b2c3d-offline-tracking-id" }),

    // ---- random -----------------------------------------------------------------------------------
    "random:index/randomPassword:RandomPassword": () => ({ result: TEST_SECRET, bcryptHash: "$2a$10$offline" }),
    "random:index/randomString:RandomString": () => ({ result: "offlinerandom" }),
};

/**
 * The landing zone an offline run of `network.existing` sees: subnets by id (vpcId, cidrBlock,
 * availabilityZone, tags) and VPCs by id (cidrBlock, enableDnsSupport, enableDnsHostnames). Tests fill
 * and clear it around their runs.
 */
export const EXISTING_NETWORK = {
    subnets: new Map<string, { vpcId: string; cidrBlock: string; availabilityZone: string; tags: Record<string, string> }>(),
    vpcs: new Map<string, { cidrBlock: string; enableDnsSupport: boolean; enableDnsHostnames: boolean }>(),
};

/** Invoke results, keyed by function token. */
export const INVOKES: Record<string, (inputs: any, ctx: MockContext) => Record<string, unknown>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/offline`, userId: "AIDAOFFLINE", id: ACCOUNT_ID }),
    // Like the provider: an STS assumed-role ARN gives its IAM role (no path offline); any other ARN passes through.
    "aws:iam/getSessionContext:getSessionContext": (i) => {
        const m = /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\/(.+)$/.exec(String(i.arn));
        const issuerArn = m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : i.arn;
        return { arn: i.arn, issuerArn, issuerId: "AROAOFFLINE", issuerName: issuerArn.split("/").pop(), sessionName: m ? m[4] : "", id: i.arn };
    },
    "aws:index/getRegion:getRegion": (_i, ctx) => ({ name: ctx.region, region: ctx.region, id: ctx.region, endpoint: `ec2.${ctx.region}.amazonaws.com` }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_i, ctx) => ({
        names: ["a", "b", "c", "d"].map((s) => `${ctx.region}${s}`),
        zoneIds: ["1", "2", "3", "4"].map((s) => `euw3-az${s}`),
        id: ctx.region,
    }),
    "aws:route53/getZone:getZone": (i) => ({ zoneId: `Z${String(i.name).replace(/[^A-Za-z0-9]/g, "").toUpperCase()}`, name: i.name, id: `Z${String(i.name).toUpperCase()}` }),
    "aws:cloudfront/getCachePolicy:getCachePolicy": (i) => ({ id: `cache-policy-${i.name}` }),
    "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": (i) => ({ id: `origin-request-policy-${i.name}` }),
    "aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy": (i) => ({ id: `response-headers-policy-${i.name}` }),
    // The awslogsdelivery canonical user of the aws partition, as the AWS docs and the provider give it.
    "aws:cloudfront/getLogDeliveryCanonicalUserId:getLogDeliveryCanonicalUserId": () => ({ id: CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID }),
    "aws:s3/getCanonicalUserId:getCanonicalUserId": () => ({ id: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", displayName: "offline" }),
    "aws:ec2/getPrefixList:getPrefixList": (i) => ({ id: "pl-offline", name: i.name, cidrBlocks: ["52.94.0.0/22"] }),
    "aws:ec2/managedPrefixList:getManagedPrefixList": () => ({ id: "pl-offline", entries: [] }),
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": (i, ctx) => ({
        id: ctx.region,
        userName: "AWS",
        password: TEST_SECRET,
        authorizationToken: Buffer.from(`AWS:${TEST_SECRET}`).toString("base64"),
        proxyEndpoint: `https://${i.registryId ?? ACCOUNT_ID}.dkr.ecr.${ctx.region}.amazonaws.com`,
        expiresAt: "2030-01-01T00:00:00Z",
        region: ctx.region,
        registryId: i.registryId ?? ACCOUNT_ID,
    }),
    // A release the services workflow pushed; MISSING_RELEASE stands for a version nobody pushed.
    "aws:ecr/getImage:getImage": (i) => {
        if (i.imageTag === MISSING_RELEASE) {
            throw new Error(`ImageNotFoundException: The image with imageId {imageTag:'${i.imageTag}'} does not exist within the repository with name '${i.repositoryName}'`);
        }
        const digest = `sha256:${sha256(`${i.repositoryName}:${i.imageTag}`)}`;
        return { id: digest, imageDigest: digest, imageTags: [i.imageTag], repositoryName: i.repositoryName, registryId: i.registryId ?? ACCOUNT_ID, imageUri: `${i.repositoryName}@${digest}` };
    },
    // EKS's default add-on version for a Kubernetes version (plausible builds; the real ones come from
    // DescribeAddonVersions at preview). kube-proxy follows the cluster's minor, as EKS's builds do.
    "aws:eks/getAddonVersion:getAddonVersion": (i, ctx) => {
        const k8s = String(i.kubernetesVersion);
        const version: Record<string, string> = {
            "vpc-cni": "v1.20.4-eksbuild.1",
            coredns: "v1.12.4-eksbuild.1",
            "kube-proxy": `v${k8s}.0-eksbuild.1`,
            "aws-ebs-csi-driver": "v1.53.0-eksbuild.1",
        };
        if (!version[i.addonName]) {
            throw new Error(`offline mocks: EKS has no add-on ${i.addonName} (DescribeAddonVersions would return nothing)`);
        }
        return { id: i.addonName, addonName: i.addonName, kubernetesVersion: k8s, mostRecent: i.mostRecent ?? false, region: ctx.region, version: version[i.addonName] };
    },
    // A brought-in network's subnets come from EXISTING_NETWORK (tests fill it); the fake VPC's subnets
    // are `subnet-<kind>-<i>`: subnet i sits in the i-th AZ of the region.
    "aws:ec2/getSubnet:getSubnet": (i, ctx) => {
        const known = EXISTING_NETWORK.subnets.get(String(i.id));
        if (known) {
            return { id: i.id, availabilityZoneId: "euw3-az1", ...known };
        }
        const index = Number(/-(\d+)$/.exec(String(i.id))?.[1] ?? 0);
        return { id: i.id, availabilityZone: `${ctx.region}${"abcd"[index]}`, availabilityZoneId: `euw3-az${index + 1}`, vpcId: "vpc-network-vpc", tags: {} };
    },
    "aws:ec2/getVpc:getVpc": (i) => {
        const known = EXISTING_NETWORK.vpcs.get(String(i.id));
        if (!known) {
            throw new Error(`offline mocks: no VPC ${i.id}; add it to EXISTING_NETWORK.vpcs`);
        }
        return { id: i.id, ...known };
    },
};

/** An invoke the program made: its token and the provider reference it went through (empty: the default provider). */
export interface RecordedInvoke {
    token: string;
    provider?: string;
}

/**
 * Builds the mocks for one simulated stack. `regions` maps provider URNs to their region, filled as
 * providers register; `invokes`, when given, collects every invoke with its provider.
 */
export function createMocks(ctx: MockContext, regions: Map<string, string>, invokes?: RecordedInvoke[]): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
            const region = args.type.startsWith("pulumi:providers:") ? undefined : providerRegion(args.provider, regions);
            const local = { ...ctx, region: region ?? ctx.region };
            const physical = `${args.name}-${hash(args.name)}`;
            const extra = STATE[args.type]?.(args, local, physical) ?? {};
            const id = args.type.startsWith("kubernetes:") ? `${args.inputs?.metadata?.namespace ?? "default"}/${args.inputs?.metadata?.name ?? args.name}` : `${args.name}-id`;
            const state: Record<string, unknown> = { ...args.inputs, ...extra };
            if (args.type.startsWith("kubernetes:") && args.inputs?.metadata) {
                state.metadata = { ...args.inputs.metadata, name: args.inputs.metadata.name ?? physical };
            }
            if (args.type.startsWith("aws:") && state.arn === undefined) {
                state.arn = `arn:aws:${args.type.split(":")[1].split("/")[0]}:${local.region}:${ACCOUNT_ID}:${args.name}`;
            }
            return { id, state };
        },
        call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
            invokes?.push({ token: args.token, provider: args.provider || undefined });
            const fn = INVOKES[args.token];
            if (!fn) {
                throw new Error(`offline mocks: no answer for invoke ${args.token}; add it to offline/mocks.ts (INVOKES)`);
            }
            return fn(args.inputs, ctx);
        },
    };
}

function sha256(s: string): string {
    return createHash("sha256").update(s).digest("hex");
}

function hash(s: string): string {
    let h = 0;
    for (const c of s) {
        h = (h * 31 + c.charCodeAt(0)) >>> 0;
    }
    return h.toString(16).slice(0, 7);
}
