/**
 * What a remote (multi-language) component will create. Offline, the awsx VPC and the eks Cluster are
 * single registrations whose children run in their own plugin and are never seen, so the plan states
 * an estimate from the component's inputs instead. Counts follow the components' documented behaviour
 * (awsx: one route table per subnet, NAT gateways by strategy; eks: cluster role, OIDC provider, access
 * entries, optional default security groups, node group and add-ons) and are estimates, not a preview.
 */
import type { RecordedResource } from "./harness";

export interface HiddenChild {
    type: string;
    count: number;
    what: string;
}

export interface RemoteEstimate {
    name: string;
    type: string;
    creates: HiddenChild[];
}

function vpcEstimate(r: RecordedResource, azCountFallback: number): HiddenChild[] {
    const i = r.inputs;
    const azs = Number(i.numberOfAvailabilityZones ?? (i.availabilityZoneNames ?? []).length) || azCountFallback;
    const specs: any[] = i.subnetSpecs ?? [{ type: "Public" }, { type: "Private" }];
    const subnets = specs.length * azs;
    const publicSubnets = specs.filter((s) => s.type === "Public").length * azs;
    const privateSubnets = specs.filter((s) => s.type === "Private").length * azs;
    const strategy = i.natGateways?.strategy ?? "OnePerAz";
    const nat = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
    const gatewayEndpoints = (i.vpcEndpointSpecs ?? []).filter((s: any) => s.vpcEndpointType === "Gateway").length;
    const interfaceEndpoints = (i.vpcEndpointSpecs ?? []).filter((s: any) => s.vpcEndpointType === "Interface").length;
    return [
        { type: "aws:ec2/vpc:Vpc", count: 1, what: `VPC ${i.cidrBlock ?? ""}`.trim() },
        { type: "aws:ec2/subnet:Subnet", count: subnets, what: `${specs.length} subnet tiers (${specs.map((s) => s.name ?? s.type).join(", ")}) × ${azs} AZs` },
        { type: "aws:ec2/routeTable:RouteTable", count: subnets, what: "one per subnet" },
        { type: "aws:ec2/routeTableAssociation:RouteTableAssociation", count: subnets, what: "one per subnet" },
        { type: "aws:ec2/route:Route", count: publicSubnets + (nat ? privateSubnets : 0), what: "default routes: public subnets to the internet gateway, private subnets to a NAT gateway" },
        { type: "aws:ec2/internetGateway:InternetGateway", count: publicSubnets ? 1 : 0, what: "internet gateway" },
        { type: "aws:ec2/natGateway:NatGateway", count: nat, what: `NAT gateways (strategy ${strategy})` },
        { type: "aws:ec2/eip:Eip", count: nat, what: "one Elastic IP per NAT gateway" },
        { type: "aws:ec2/vpcEndpoint:VpcEndpoint", count: gatewayEndpoints + interfaceEndpoints, what: `VPC endpoints from vpcEndpointSpecs (${gatewayEndpoints} gateway, ${interfaceEndpoints} interface)` },
    ].filter((c) => c.count > 0);
}

function eksEstimate(r: RecordedResource): HiddenChild[] {
    const i = r.inputs;
    const entries = Object.values(i.accessEntries ?? {}) as any[];
    const policies = entries.reduce((n, e) => n + Object.keys(e?.accessPolicies ?? {}).length, 0);
    const addon = (o: any) => o?.enabled !== false && o !== undefined;
    return [
        { type: "aws:eks/cluster:Cluster", count: 1, what: `EKS control plane ${i.version ?? ""}`.trim() },
        { type: "aws:iam/role:Role", count: i.serviceRole || i.roleArn ? 0 : 1, what: "cluster service role" },
        { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", count: i.serviceRole || i.roleArn ? 0 : 2, what: "AmazonEKSClusterPolicy and AmazonEKSVPCResourceController on the service role" },
        { type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", count: i.createOidcProvider ? 1 : 0, what: "IAM OIDC provider for IRSA" },
        { type: "aws:ec2/securityGroup:SecurityGroup", count: i.skipDefaultSecurityGroups ? 0 : 2, what: "cluster and node security groups" },
        { type: "aws:ec2/securityGroupRule:SecurityGroupRule", count: i.skipDefaultSecurityGroups ? 0 : 5, what: "rules between cluster and nodes" },
        { type: "aws:eks/accessEntry:AccessEntry", count: entries.length, what: "access entries (plus the creator's, made by EKS itself)" },
        { type: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", count: policies, what: "access policy associations" },
        { type: "aws:eks/addon:Addon", count: [i.corednsAddonOptions, i.kubeProxyAddonOptions].filter(addon).length + (i.useDefaultVpcCni ? 0 : 1), what: "add-ons the component manages (CoreDNS, kube-proxy, VPC CNI)" },
        { type: "kubernetes:core/v1:ConfigMap", count: i.authenticationMode === "API" ? 0 : 1, what: "aws-auth ConfigMap" },
        { type: "aws:eks/nodeGroup:NodeGroup", count: i.skipDefaultNodeGroup ? 0 : 1, what: "default node group" },
        { type: "pulumi:providers:kubernetes", count: 1, what: "Kubernetes provider from the kubeconfig" },
    ].filter((c) => c.count > 0);
}

/** An estimate for every remote component of a run; unknown ones list nothing and say so. */
export function remoteEstimates(resources: RecordedResource[], azCountFallback = 2): Array<RemoteEstimate & { known: boolean }> {
    return resources
        .filter((r) => r.remote)
        .map((r) => {
            if (r.type === "awsx:ec2:Vpc") {
                return { name: r.name, type: r.type, creates: vpcEstimate(r, azCountFallback), known: true };
            }
            if (r.type === "eks:index:Cluster") {
                return { name: r.name, type: r.type, creates: eksEstimate(r), known: true };
            }
            return { name: r.name, type: r.type, creates: [], known: false };
        });
}

/** Resource types that exist in the stack only inside remote components (invisible to offline policies). */
export function hiddenTypes(resources: RecordedResource[]): string[] {
    const visible = new Set(resources.map((r) => r.type));
    return [...new Set(remoteEstimates(resources).flatMap((e) => e.creates.map((c) => c.type)))].filter((t) => !visible.has(t)).sort();
}

export function renderRemoteEstimates(resources: RecordedResource[], azCountFallback = 2): string {
    const lines: string[] = [];
    for (const e of remoteEstimates(resources, azCountFallback)) {
        lines.push(`  ${e.name} (${e.type}) [remote component: children invisible offline]${e.known ? ", estimated to create:" : ": no estimate for this type"}`);
        for (const c of e.creates) {
            lines.push(`    ~${String(c.count).padStart(2)}  ${c.type.padEnd(58)} ${c.what}`);
        }
    }
    return lines.join("\n");
}
