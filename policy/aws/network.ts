/** VPC, security group, launch template and node group controls (FSBP EC2.*, AutoScaling.*). */
import { asArray, Res, resourcePolicy, stackPolicy } from "../framework";

const VPCS = ["awsx:ec2:Vpc", "aws:ec2/vpc:Vpc"];
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const NODEGROUP = "aws:eks/nodeGroup:NodeGroup";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const HIGH_RISK_PORTS = [20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300];
const PARAVIRTUAL_FAMILIES = ["c1", "c3", "cc2", "cg1", "cr1", "hi1", "hs1", "m1", "m2", "m3", "t1"];

interface IngressRule {
    protocol: string;
    fromPort: number;
    toPort: number;
    open: boolean;
}

/** Every ingress rule a security-group resource opens, normalised. */
export function ingressRules(r: Res): IngressRule[] {
    const p = r.props;
    const rule = (protocol: unknown, from: unknown, to: unknown, cidrs: unknown[], v6: unknown[]): IngressRule => ({
        protocol: String(protocol ?? "-1"),
        fromPort: Number(from ?? 0),
        toPort: Number(to ?? 65535),
        open: cidrs.includes("0.0.0.0/0") || v6.includes("::/0"),
    });
    if (r.type === SG) {
        return asArray(p.ingress).map((i: any) => rule(i.protocol, i.fromPort, i.toPort, asArray(i.cidrBlocks), asArray(i.ipv6CidrBlocks)));
    }
    if (r.type === SG_RULE && p.type === "ingress") {
        return [rule(p.protocol, p.fromPort, p.toPort, asArray(p.cidrBlocks), asArray(p.ipv6CidrBlocks))];
    }
    if (r.type === SG_INGRESS) {
        return [rule(p.ipProtocol, p.fromPort, p.toPort, [p.cidrIpv4], [p.cidrIpv6])];
    }
    return [];
}

const allPorts = (r: IngressRule) => r.protocol === "-1" || r.protocol === "all";
const covers = (r: IngressRule, port: number) => allPorts(r) || (r.fromPort <= port && port <= r.toPort);

function endpointServices(resources: Res[]): string[] {
    const explicit = resources.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && (r.props.vpcEndpointType ?? "Gateway") === "Interface").map((r) => String(r.props.serviceName));
    const viaAwsx = resources
        .filter((r) => r.type === "awsx:ec2:Vpc")
        .flatMap((r) => asArray(r.props.vpcEndpointSpecs))
        .filter((s: any) => s.vpcEndpointType === "Interface")
        .map((s: any) => String(s.serviceName));
    return [...explicit, ...viaAwsx];
}

function endpointPolicy(control: string, service: string, severity: "medium") {
    return stackPolicy(
        {
            name: `ec2-${control.split(".")[1]}-${service.replace(/\./g, "-")}-endpoint`,
            control,
            description: `VPCs should be configured with an interface endpoint for ${service}`,
            severity,
            judge: "S",
            appliesTo: VPCS,
            remediation: `enable network.interfaceEndpoints, or add an Interface endpoint for com.amazonaws.<region>.${service}.`,
        },
        (resources) => {
            const have = endpointServices(resources).some((s) => s.endsWith(`.${service}`));
            return have ? [] : resources.filter((r) => VPCS.includes(r.type)).map((v) => ({ message: `VPC ${v.name} has no interface endpoint for ${service}.`, urn: v.urn }));
        },
    );
}

/** Launch templates referenced by a node group. */
function templatesOf(resources: Res[], ng: Res): Res[] {
    const ref = ng.props.launchTemplate ?? {};
    return resources.filter((r) => r.type === LT && ((ref.id && (r.props.id === ref.id || (ng.dependencies ?? []).includes(r.urn))) || (ref.name && r.props.name === ref.name)));
}

export const networkPolicies = [
    stackPolicy(
        {
            name: "ec2-2-default-security-group-closed",
            control: "EC2.2",
            description: "VPC default security groups should not allow inbound or outbound traffic",
            severity: "high",
            judge: "S",
            appliesTo: VPCS,
            remediation: "manage the VPC's default security group with aws.ec2.DefaultSecurityGroup and no rules.",
        },
        (resources) => {
            const closed = resources.filter(
                (r) => r.type === "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup" && asArray(r.props.ingress).length === 0 && asArray(r.props.egress).length === 0,
            );
            const vpcs = resources.filter((r) => VPCS.includes(r.type));
            return closed.length >= vpcs.length ? [] : vpcs.map((v) => ({ message: `VPC ${v.name}'s default security group is not locked down.`, urn: v.urn }));
        },
    ),
    stackPolicy(
        {
            name: "ec2-6-vpc-flow-logs",
            control: "EC2.6",
            description: "VPC flow logging should be enabled in all VPCs",
            severity: "medium",
            judge: "S",
            appliesTo: VPCS,
            remediation: "add an aws.ec2.FlowLog (trafficType ALL or REJECT) for the VPC.",
        },
        (resources) => {
            const logs = resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog" && ["ALL", "REJECT"].includes(r.props.trafficType));
            const vpcs = resources.filter((r) => VPCS.includes(r.type));
            return logs.length >= vpcs.length ? [] : vpcs.map((v) => ({ message: `VPC ${v.name} has no flow log.`, urn: v.urn }));
        },
    ),
    endpointPolicy("EC2.10", "ec2", "medium"),
    endpointPolicy("EC2.55", "ecr.api", "medium"),
    endpointPolicy("EC2.56", "ecr.dkr", "medium"),
    endpointPolicy("EC2.57", "ssm", "medium"),
    endpointPolicy("EC2.58", "ssm-contacts", "medium"),
    endpointPolicy("EC2.60", "ssm-incidents", "medium"),
    resourcePolicy(
        {
            name: "ec2-15-no-auto-public-ip",
            control: "EC2.15",
            description: "Amazon EC2 subnets should not automatically assign public IP addresses",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:ec2/subnet:Subnet"],
            remediation: "set mapPublicIpOnLaunch and assignIpv6AddressOnCreation to false.",
        },
        ({ props, name }) => (props.mapPublicIpOnLaunch || props.assignIpv6AddressOnCreation ? `Subnet ${name} assigns public addresses on launch.` : undefined),
    ),
    stackPolicy(
        {
            name: "ec2-16-unused-network-acls",
            control: "EC2.16",
            description: "Unused Network Access Control Lists should be removed",
            severity: "low",
            judge: "S",
            appliesTo: ["aws:ec2/networkAcl:NetworkAcl"],
            remediation: "associate the network ACL with a subnet or remove it.",
        },
        (resources) =>
            resources
                .filter((r) => r.type === "aws:ec2/networkAcl:NetworkAcl")
                .filter(
                    (n) =>
                        asArray(n.props.subnetIds).length === 0 &&
                        !resources.some((a) => a.type === "aws:ec2/networkAclAssociation:NetworkAclAssociation" && (a.dependencies ?? []).includes(n.urn)),
                )
                .map((n) => ({ message: `Network ACL ${n.name} is associated with no subnet.`, urn: n.urn })),
    ),
    resourcePolicy(
        {
            name: "ec2-18-unrestricted-ingress-ports",
            control: "EC2.18",
            description: "Security groups should only allow unrestricted incoming traffic for authorized ports",
            severity: "high",
            judge: "S",
            appliesTo: [SG, SG_RULE, SG_INGRESS],
            remediation: "open 0.0.0.0/0 or ::/0 only on TCP 80 and 443; use security-group sources otherwise.",
        },
        (r) =>
            ingressRules(r)
                .filter((i) => i.open && (allPorts(i) || i.protocol !== "tcp" || i.fromPort !== i.toPort || ![80, 443].includes(i.fromPort)))
                .map((i) => `${r.name} opens ${i.protocol} ${i.fromPort}-${i.toPort} to the internet.`),
    ),
    resourcePolicy(
        {
            name: "ec2-19-high-risk-ports",
            control: "EC2.19",
            description: "Security groups should not allow unrestricted access to ports with high risk",
            severity: "critical",
            judge: "S",
            appliesTo: [SG, SG_RULE, SG_INGRESS],
            remediation: "never open administration or database ports to 0.0.0.0/0 or ::/0.",
        },
        (r) =>
            ingressRules(r)
                .filter((i) => i.open && HIGH_RISK_PORTS.some((p) => covers(i, p)))
                .map((i) => `${r.name} opens high-risk ports (${i.protocol} ${i.fromPort}-${i.toPort}) to the internet.`),
    ),
    resourcePolicy(
        {
            name: "ec2-21-nacl-admin-ports",
            control: "EC2.21",
            description: "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:ec2/networkAclRule:NetworkAclRule", "aws:ec2/networkAcl:NetworkAcl"],
            remediation: "remove allow rules from 0.0.0.0/0 or ::/0 covering TCP 22 or 3389.",
        },
        (r) => {
            const entries = r.type === "aws:ec2/networkAcl:NetworkAcl" ? asArray(r.props.ingress) : r.props.egress ? [] : [r.props];
            return entries
                .filter((e: any) => (e.action ?? e.ruleAction) === "allow" && (e.cidrBlock === "0.0.0.0/0" || e.ipv6CidrBlock === "::/0"))
                .filter((e: any) => ["-1", "all", "6", "tcp"].includes(String(e.protocol)) && [22, 3389].some((p) => Number(e.fromPort ?? 0) <= p && p <= Number(e.toPort ?? 65535)))
                .map(() => `${r.name} allows SSH or RDP from the internet.`);
        },
    ),
    resourcePolicy(
        {
            name: "ec2-25-launch-template-no-public-ip",
            control: "EC2.25",
            description: "Amazon EC2 launch templates should not assign public IPs to network interfaces",
            severity: "high",
            judge: "S",
            appliesTo: [LT],
            remediation: "leave networkInterfaces[].associatePublicIpAddress unset or \"false\".",
        },
        ({ props, name }) => (asArray(props.networkInterfaces).some((n: any) => String(n.associatePublicIpAddress) === "true") ? `Launch template ${name} assigns public IPs.` : undefined),
    ),
    resourcePolicy(
        {
            name: "ec2-170-launch-template-imdsv2",
            control: "EC2.170",
            description: "EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)",
            severity: "low",
            judge: "S",
            appliesTo: [LT],
            remediation: "set metadataOptions.httpTokens to required.",
        },
        ({ props, name }) => (props.metadataOptions?.httpTokens === "required" ? undefined : `Launch template ${name} does not require IMDSv2.`),
    ),
    resourcePolicy(
        {
            name: "ec2-181-launch-template-ebs-encryption",
            control: "EC2.181",
            description: "EC2 launch templates should enable encryption for attached EBS volumes",
            severity: "medium",
            judge: "S",
            appliesTo: [LT],
            remediation: "set blockDeviceMappings[].ebs.encrypted to \"true\".",
        },
        ({ props, name }) => {
            const maps = asArray(props.blockDeviceMappings).filter((m: any) => m.ebs);
            return maps.length === 0 || maps.some((m: any) => String(m.ebs.encrypted) !== "true") ? `Launch template ${name} has unencrypted or undeclared EBS volumes.` : undefined;
        },
    ),
    stackPolicy(
        {
            name: "ec2-8-node-imdsv2",
            control: "EC2.8",
            description: "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
            severity: "high",
            judge: "P",
            appliesTo: [NODEGROUP],
            remediation: "give every node group a launch template with metadataOptions.httpTokens required.",
        },
        (resources) =>
            resources
                .filter((r) => r.type === NODEGROUP)
                .filter((ng) => !templatesOf(resources, ng).some((t) => t.props.metadataOptions?.httpTokens === "required"))
                .map((ng) => ({ message: `Node group ${ng.name} does not get IMDSv2 from its launch template.`, urn: ng.urn })),
    ),
    stackPolicy(
        {
            name: "ec2-3-node-volume-encryption",
            control: "EC2.3",
            description: "Attached Amazon EBS volumes should be encrypted at-rest",
            severity: "medium",
            judge: "P",
            appliesTo: [NODEGROUP],
            remediation: "give every node group a launch template whose EBS mappings are encrypted.",
        },
        (resources) =>
            resources
                .filter((r) => r.type === NODEGROUP)
                .filter((ng) => !templatesOf(resources, ng).some((t) => asArray(t.props.blockDeviceMappings).some((m: any) => String(m.ebs?.encrypted) === "true")))
                .map((ng) => ({ message: `Node group ${ng.name} may attach unencrypted volumes.`, urn: ng.urn })),
    ),
    stackPolicy(
        {
            name: "ec2-9-node-no-public-ip",
            control: "EC2.9",
            description: "Amazon EC2 instances should not have a public IPv4 address",
            severity: "high",
            judge: "P",
            appliesTo: [NODEGROUP],
            remediation: "run node groups in private subnets only.",
        },
        (resources) => {
            const publicIds = new Set(resources.filter((r) => VPCS.includes(r.type)).flatMap((v) => asArray(v.props.publicSubnetIds)));
            return resources
                .filter((r) => r.type === NODEGROUP && asArray(r.props.subnetIds).some((s: any) => publicIds.has(s)))
                .map((ng) => ({ message: `Node group ${ng.name} uses public subnets.`, urn: ng.urn }));
        },
    ),
    resourcePolicy(
        {
            name: "ec2-24-no-paravirtual",
            control: "EC2.24",
            description: "Amazon EC2 paravirtual instance types should not be used",
            severity: "medium",
            judge: "P",
            appliesTo: [NODEGROUP, LT],
            remediation: "use current-generation (HVM, Nitro) instance types.",
        },
        ({ props, name }) =>
            [...asArray(props.instanceTypes), props.instanceType]
                .filter((t: any) => typeof t === "string" && PARAVIRTUAL_FAMILIES.includes(t.split(".")[0]))
                .map((t: any) => `${name} uses the paravirtual-era type ${t}.`),
    ),
    resourcePolicy(
        {
            name: "ec2-180-source-dest-check",
            control: "EC2.180",
            description: "EC2 network interfaces should have source/destination checking enabled",
            severity: "medium",
            judge: "P",
            appliesTo: ["aws:ec2/networkInterface:NetworkInterface"],
            remediation: "leave sourceDestCheck true; use NAT gateways, not NAT instances.",
        },
        ({ props, name }) => (props.sourceDestCheck === false ? `Network interface ${name} disables source/destination checks.` : undefined),
    ),
    resourcePolicy(
        {
            name: "autoscaling-2-multi-az",
            control: "AutoScaling.2",
            description: "Amazon EC2 Auto Scaling group should cover multiple Availability Zones",
            severity: "medium",
            judge: "P",
            appliesTo: [NODEGROUP],
            remediation: "give the node group the private subnets of at least two AZs.",
        },
        ({ props, name }) => (asArray(props.subnetIds).length >= 2 ? undefined : `Node group ${name} spans fewer than two subnets.`),
    ),
    resourcePolicy(
        {
            name: "autoscaling-6-multiple-instance-types",
            control: "AutoScaling.6",
            description: "Amazon EC2 Auto Scaling groups should use multiple instance types in multiple Availability Zones",
            severity: "medium",
            judge: "P",
            appliesTo: [NODEGROUP],
            remediation: "list two or more instanceTypes in the node group config.",
        },
        ({ props, name }) => (asArray(props.instanceTypes).length >= 2 ? undefined : `Node group ${name} has a single instance type.`),
    ),
    resourcePolicy(
        {
            name: "autoscaling-9-launch-template",
            control: "AutoScaling.9",
            description: "Amazon EC2 Auto Scaling groups should use Amazon EC2 launch templates",
            severity: "medium",
            judge: "P",
            appliesTo: [NODEGROUP],
            remediation: "give the node group a launchTemplate {id, version}.",
        },
        ({ props, name }) => (props.launchTemplate?.id || props.launchTemplate?.name ? undefined : `Node group ${name} has no launch template.`),
    ),
];
