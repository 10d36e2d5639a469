/**
 * The VPC the whole platform runs in: public and private subnets in every AZ with CIDRs fixed at plan
 * time, NAT gateways per the stack's strategy, flow logs to CloudWatch, an S3 gateway endpoint, the
 * optional interface endpoints for private nodes, and a closed default security group. Or, with
 * `network.existing`, a landing zone's VPC and subnets, checked at preview and otherwise untouched
 * (existingNetwork.ts, docs/network.md).
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { NetworkInfo } from "../../lib/contracts";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";
import { policyJson } from "../../lib/irsaRole";
import { serviceTrustPolicy } from "../../lib/servicePolicy";
import { ExistingNetworkConfig } from "./config";
import { checkExistingNetwork } from "./existingNetwork";

/** Interface endpoints for private nodes: image pulls (ECR API and registry), IRSA (STS), logs, and EC2 (FSBP EC2.10/55/56). */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "sts", "logs", "ec2"] as const;

export interface NetworkArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** AWS region of the stack (`aws:region`), for endpoint service names. */
    region: string;
    /** VPC CIDR, /16 to /20 (e.g. `10.20.0.0/16`). */
    cidr: string;
    /** Availability zones used, 2 to 4. */
    azCount: number;
    /** `single`: one NAT gateway for the VPC; `one-per-az`: one per AZ, so an AZ outage does not cut egress elsewhere. Created VPC only. */
    natGateways?: "single" | "one-per-az";
    /** Interface endpoints for ECR, STS, CloudWatch Logs and EC2. Created VPC only. */
    interfaceEndpoints?: boolean;
    /** A landing zone's VPC and subnets: nothing is created, the ids are checked at preview. */
    existing?: ExistingNetworkConfig;
    /** More interface endpoint services when `interfaceEndpoints` is on, e.g. `secretsmanager` when a service reads one. */
    extraInterfaceEndpoints?: string[];
    /** Retention of the flow-log group, in days (one of CloudWatch's values). */
    logRetentionDays: number;
}

/** The subnet CIDRs of every AZ, index i being AZ i. */
export interface SubnetLayout {
    publicCidrs: string[];
    privateCidrs: string[];
}

function ipToInt(ip: string): number {
    return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function intToIp(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/**
 * Splits the VPC CIDR into per-AZ subnets, deterministically, so other components know the CIDRs
 * before anything exists. The first half of the VPC holds the private subnets, one eighth each (a
 * /19 in a /16: the VPC CNI gives every pod a VPC address, so private subnets must be large); the
 * second half starts with the public subnets, 1/64 each (a /22 in a /16: they hold only NAT gateways
 * and load balancer ENIs). The rest of the second half stays free for later subnets (e.g. isolated
 * data subnets). Up to 4 AZs fit.
 */
export function subnetLayout(vpcCidr: string, azCount: number): SubnetLayout {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(vpcCidr);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255)) {
        throw new Error(`network.cidr must be an IPv4 CIDR such as 10.20.0.0/16, got ${JSON.stringify(vpcCidr)}`);
    }
    const prefix = Number(m[5]);
    if (prefix < 16 || prefix > 20) {
        throw new Error(`network.cidr must have a prefix from /16 to /20 (larger VPCs are not allowed by AWS, smaller ones leave too few pod IPs), got /${prefix}`);
    }
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > 4) {
        throw new Error(`network.azCount must be 2, 3 or 4, got ${azCount}`);
    }
    const base = ipToInt(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) {
        throw new Error(`network.cidr ${vpcCidr} has host bits set; use ${intToIp(base - (base % size))}/${prefix}`);
    }
    const privateSize = size / 8;
    const publicSize = size / 64;
    const azs = Array.from({ length: azCount }, (_, i) => i);
    return {
        privateCidrs: azs.map((i) => `${intToIp(base + i * privateSize)}/${prefix + 3}`),
        publicCidrs: azs.map((i) => `${intToIp(base + size / 2 + i * publicSize)}/${prefix + 6}`),
    };
}

/** Tags that let the AWS Load Balancer Controller pick subnets: internet-facing in public, internal in private. */
export const PUBLIC_SUBNET_TAGS = { "kubernetes.io/role/elb": "1" };
export const PRIVATE_SUBNET_TAGS = { "kubernetes.io/role/internal-elb": "1" };

/** The awsx subnet specs for a layout: explicit CIDRs, so awsx computes nothing the program cannot know. */
export function subnetSpecs(layout: SubnetLayout): awsx.types.input.ec2.SubnetSpecArgs[] {
    return [
        { type: awsx.ec2.SubnetType.Public, name: "public", cidrBlocks: layout.publicCidrs, tags: PUBLIC_SUBNET_TAGS },
        { type: awsx.ec2.SubnetType.Private, name: "private", cidrBlocks: layout.privateCidrs, tags: PRIVATE_SUBNET_TAGS },
    ];
}

/** The trust policy of the flow-log role: only the VPC Flow Logs service, and only on behalf of this account. */
export function flowLogTrustPolicy(accountId: string): string {
    return serviceTrustPolicy("vpc-flow-logs.amazonaws.com", { sourceAccount: accountId });
}

export class Network extends pulumi.ComponentResource implements NetworkInfo {
    static readonly __pulumiType = "flodrama:network:Network";

    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: string;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetCidrs: string[];
    readonly publicSubnetCidrs: string[];
    /** The flow-log group's name; undefined for a brought-in VPC (its flow logs are the landing zone's). */
    readonly flowLogGroupName: pulumi.Output<string | undefined>;

    constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(Network.__pulumiType, name, {}, opts);
        const awsProvider = requireAwsProvider(this, "Network");
        if (args.existing) {
            const e = args.existing;
            this.vpcCidr = e.vpcCidr;
            this.privateSubnetCidrs = [...e.privateSubnetCidrs];
            this.publicSubnetCidrs = [...(e.publicSubnetCidrs ?? [])];
            // Every consumer reads the VPC id: a failed check therefore stops the whole update at preview.
            this.vpcId = checkExistingNetwork(e, this);
            this.privateSubnetIds = this.vpcId.apply(() => [...e.privateSubnetIds]);
            this.publicSubnetIds = this.vpcId.apply(() => [...(e.publicSubnetIds ?? [])]);
            this.flowLogGroupName = pulumi.output(undefined);
            this.registerOutputs({ vpcId: this.vpcId, vpcCidr: this.vpcCidr, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
            return;
        }
        if (args.natGateways === undefined || args.interfaceEndpoints === undefined) {
            throw new pulumi.ResourceError("network.natGateways and network.interfaceEndpoints are required to create the VPC (config validation should have refused this)", this);
        }
        const layout = subnetLayout(args.cidr, args.azCount);
        this.vpcCidr = args.cidr;
        this.privateSubnetCidrs = layout.privateCidrs;
        this.publicSubnetCidrs = layout.publicCidrs;

        const vpc = this.createVpc(name, { ...args, natGateways: args.natGateways }, layout, awsProvider);
        this.vpcId = vpc.vpcId;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.publicSubnetIds = vpc.publicSubnetIds;

        this.lockDefaultSecurityGroup(name, args.stack);
        this.flowLogGroupName = this.createFlowLogs(name, args);
        if (args.interfaceEndpoints) {
            this.createInterfaceEndpoints(name, args);
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            vpcCidr: this.vpcCidr,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetCidrs: this.privateSubnetCidrs,
            publicSubnetCidrs: this.publicSubnetCidrs,
            flowLogGroupName: this.flowLogGroupName,
        });
    }

    private createVpc(name: string, args: NetworkArgs & { natGateways: "single" | "one-per-az" }, layout: SubnetLayout, awsProvider: pulumi.ProviderResource): awsx.ec2.Vpc {
        return new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.cidr,
                numberOfAvailabilityZones: args.azCount,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                // With explicit cidrBlocks awsx uses them as given; "Exact" would also demand that the
                // subnets cover the whole VPC, and half of it is deliberately kept free.
                subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
                subnetSpecs: subnetSpecs(layout),
                subnetNameTagStrategy: awsx.ec2.SubnetNameTagStrategy.AvailabilityZone,
                natGateways: { strategy: args.natGateways === "one-per-az" ? awsx.ec2.NatGatewayStrategy.OnePerAz : awsx.ec2.NatGatewayStrategy.Single },
                // "Auto" attaches the gateway endpoint to the VPC's route tables, which are invisible to
                // this program; S3 traffic (ECR image layers included) then bypasses the NAT gateways.
                vpcEndpointStrategy: awsx.ec2.VpcEndpointStrategy.Auto,
                vpcEndpointSpecs: [{ serviceName: `com.amazonaws.${args.region}.s3`, vpcEndpointType: "Gateway" }],
                tags: { Name: physicalName(args.stack, "vpc") },
            },
            // A remote component does not inherit the parent's providers: without this map the VPC,
            // subnets, NAT gateways and routes would be created by the default provider, untagged.
            { parent: this, providers: { aws: awsProvider } },
        );
    }

    /** FSBP EC2.2: the default security group admits and emits nothing, so nothing can rely on it by accident. */
    private lockDefaultSecurityGroup(name: string, stack: string): void {
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            { vpcId: this.vpcId, ingress: [], egress: [], tags: { Name: physicalName(stack, "default-sg-closed") } },
            { parent: this },
        );
    }

    private createFlowLogs(name: string, args: NetworkArgs): pulumi.Output<string> {
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/aws/vpc/${physicalName(args.stack, "vpc-flow-logs", "logGroup")}`, retentionInDays: args.logRetentionDays },
            { parent: this },
        );
        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const role = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                name: physicalName(args.stack, "vpc-flow-logs", "iamRole"),
                description: "Lets VPC Flow Logs write to this stack's flow-log group",
                assumeRolePolicy: account.accountId.apply(flowLogTrustPolicy),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs-policy`,
            {
                role: role.id,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:log-stream:*`],
                        },
                    ],
                }),
            },
            { parent: this },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: this.vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
                tags: { Name: physicalName(args.stack, "vpc-flow-log") },
            },
            { parent: this },
        );
        return logGroup.name;
    }

    /**
     * Private nodes reach ECR, STS, CloudWatch Logs and EC2 without the NAT gateways. Each endpoint
     * costs per AZ and hour, so dev (one NAT gateway, little traffic) goes without and prod has them.
     */
    private createInterfaceEndpoints(name: string, args: NetworkArgs): void {
        const sg = new aws.ec2.SecurityGroup(
            `${name}-endpoints-sg`,
            {
                name: physicalName(args.stack, "vpc-endpoints", "securityGroup"),
                description: "HTTPS from inside the VPC to the interface endpoints",
                vpcId: this.vpcId,
                ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.cidr] }],
                tags: { Name: physicalName(args.stack, "vpc-endpoints") },
            },
            { parent: this },
        );
        for (const service of [...INTERFACE_ENDPOINT_SERVICES, ...(args.extraInterfaceEndpoints ?? [])]) {
            new aws.ec2.VpcEndpoint(
                `${name}-endpoint-${service.replace(/\./g, "-")}`,
                {
                    vpcId: this.vpcId,
                    serviceName: `com.amazonaws.${args.region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: this.privateSubnetIds,
                    securityGroupIds: [sg.id],
                    tags: { Name: physicalName(args.stack, `endpoint-${service.replace(/\./g, "-")}`) },
                },
                { parent: this },
            );
        }
    }
}
