import { strict as assert } from "assert";
import { PolicyVerdict, verdictStatus } from "../../offline/policyRunner";
import { hiddenTypes, remoteEstimates, renderRemoteEstimates } from "../../offline/remoteComponents";
import { resourcePolicy } from "../../policy/framework";
import { recorded } from "./fixtures";

const res = recorded;

const vpc = res(
    "awsx:ec2:Vpc",
    "network-vpc",
    {
        cidrBlock: "10.30.0.0/16",
        numberOfAvailabilityZones: 3,
        natGateways: { strategy: "OnePerAz" },
        subnetSpecs: [
            { name: "public", type: "Public" },
            { name: "private", type: "Private" },
        ],
        vpcEndpointSpecs: [{ serviceName: "com.amazonaws.eu-west-3.s3", vpcEndpointType: "Gateway" }],
    },
    { custom: false, remote: true },
);
const eks = res(
    "eks:index:Cluster",
    "cluster-eks",
    { version: "1.35", createOidcProvider: true, skipDefaultNodeGroup: true, skipDefaultSecurityGroups: true, authenticationMode: "API", useDefaultVpcCni: true, corednsAddonOptions: { enabled: false }, kubeProxyAddonOptions: { enabled: false }, accessEntries: { admin: { accessPolicies: { a: {} } } } },
    { custom: false, remote: true },
);

describe("plan: remote components", () => {
    it("estimates what the awsx VPC creates from its inputs", () => {
        const [e] = remoteEstimates([vpc]);
        const count = (t: string) => e.creates.find((c) => c.type === t)?.count;
        assert.equal(count("aws:ec2/subnet:Subnet"), 6); // 2 tiers × 3 AZs
        assert.equal(count("aws:ec2/routeTable:RouteTable"), 6);
        assert.equal(count("aws:ec2/natGateway:NatGateway"), 3);
        assert.equal(count("aws:ec2/eip:Eip"), 3);
        assert.equal(count("aws:ec2/internetGateway:InternetGateway"), 1);
        assert.equal(count("aws:ec2/route:Route"), 6); // 3 public → IGW, 3 private → NAT
        assert.equal(count("aws:ec2/vpcEndpoint:VpcEndpoint"), 1);
    });

    it("estimates a single NAT gateway for the Single strategy", () => {
        const [e] = remoteEstimates([{ ...vpc, inputs: { ...vpc.inputs, natGateways: { strategy: "Single" } } }]);
        assert.equal(e.creates.find((c) => c.type === "aws:ec2/natGateway:NatGateway")?.count, 1);
    });

    it("estimates what the eks Cluster creates, leaving out what its inputs skip", () => {
        const [e] = remoteEstimates([eks]);
        const types = e.creates.map((c) => c.type);
        assert.ok(types.includes("aws:eks/cluster:Cluster"));
        assert.ok(types.includes("aws:iam/openIdConnectProvider:OpenIdConnectProvider"));
        assert.equal(e.creates.find((c) => c.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")?.count, 1);
        for (const skipped of ["aws:ec2/securityGroup:SecurityGroup", "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon", "kubernetes:core/v1:ConfigMap"]) {
            assert.ok(!types.includes(skipped), `${skipped} is skipped by the inputs`);
        }
    });

    it("says when it has no estimate for a remote component type", () => {
        const other = res("acme:index:Thing", "thing", {}, { custom: false, remote: true });
        assert.match(renderRemoteEstimates([other]), /thing \(acme:index:Thing\) \[remote component: children invisible offline\]: no estimate/);
        assert.match(renderRemoteEstimates([vpc]), /~ 3 {2}aws:ec2\/natGateway:NatGateway/);
    });

    it("lists as hidden only the types the stack does not also register itself", () => {
        const visibleSg = res("aws:ec2/vpcEndpoint:VpcEndpoint", "endpoint", {});
        const hidden = hiddenTypes([vpc, eks, visibleSg]);
        assert.ok(hidden.includes("aws:ec2/subnet:Subnet"));
        assert.ok(!hidden.includes("aws:ec2/vpcEndpoint:VpcEndpoint"));
    });
});

describe("plan: policy verdicts that evaluated nothing", () => {
    const policy = (appliesTo: string[]) => resourcePolicy({ name: "p", description: "d", severity: "low", judge: "program", remediation: "r", appliesTo }, () => undefined);
    const verdict = (appliesTo: string[], evaluated = 0): PolicyVerdict => ({ policy: policy(appliesTo), evaluated, violations: [], excepted: [] });

    it("are not visible offline when their type exists only inside a remote component", () => {
        assert.equal(verdictStatus(verdict(["aws:ec2/subnet:Subnet"]), ["aws:ec2/subnet:Subnet"]), "not visible offline");
    });

    it("are not applicable when the stack has no such resource at all", () => {
        assert.equal(verdictStatus(verdict(["aws:docdb/cluster:Cluster"]), ["aws:ec2/subnet:Subnet"]), "not applicable");
    });

    it("keep pass for policies that evaluated something", () => {
        assert.equal(verdictStatus(verdict(["aws:ec2/subnet:Subnet"], 2), ["aws:ec2/subnet:Subnet"]), "pass");
    });
});
