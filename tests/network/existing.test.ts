/**
 * Bring your own network (`network.existing`, docs/network.md): config rules, the preview-time
 * checks against AWS, and a program run on a brought-in VPC.
 */
import { strict as assert } from "assert";
import { ExistingNetworkConfig } from "../../components/network/config";
import { existingNetworkProblems, SubnetFacts } from "../../components/network/existingNetwork";
import { assertProblem, configFor, problemsOf } from "../../offline/stackConfig";
import { ProgramRun, runProgram } from "../../offline/harness";
import { EXISTING_NETWORK } from "../../offline/mocks";

const LZ: ExistingNetworkConfig = {
    vpcId: "vpc-0a1b2c3d4e5f67890",
    vpcCidr: "10.50.0.0/16",
    privateSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
    privateSubnetCidrs: ["10.50.0.0/19", "10.50.32.0/19", "10.50.64.0/19"],
    publicSubnetIds: ["subnet-000000000000000aa"],
    publicSubnetCidrs: ["10.50.128.0/24"],
};

const byo = (v: Record<string, any>) => (v.network = { existing: structuredClone(LZ) });

function facts(id: string, cidrBlock: string, az: string, tags: Record<string, string> = { "kubernetes.io/role/internal-elb": "1" }): SubnetFacts {
    return { id, vpcId: LZ.vpcId, cidrBlock, availabilityZone: az, tags };
}
const GOOD_PRIVATE = LZ.privateSubnetIds.map((id, i) => facts(id, LZ.privateSubnetCidrs[i], `eu-west-3${"abc"[i]}`));
const GOOD_PUBLIC = [facts(LZ.publicSubnetIds![0], LZ.publicSubnetCidrs![0], "eu-west-3a", { "kubernetes.io/role/elb": "1" })];
const GOOD_VPC = { cidrBlock: LZ.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true };

describe("network.existing: config", () => {
    it("accepts a landing zone's VPC and derives cidr and azCount from it", () => {
        const n = configFor("prod", byo).network;
        assert.equal(n.cidr, "10.50.0.0/16");
        assert.equal(n.azCount, 3);
        assert.deepEqual("existing" in n ? n.existing : undefined, LZ);
    });

    it("keeps creating the VPC by default", () => {
        const n = configFor("prod").network;
        assert.ok(!("existing" in n) || n.existing === undefined);
        assert.equal(n.azCount, 3);
    });

    it("refuses the creation keys beside existing, and requires them without it", () => {
        const e = problemsOf("prod", (v) => (v.network.existing = structuredClone(LZ)));
        for (const key of ["cidr", "azCount", "natGateways", "interfaceEndpoints"]) {
            assertProblem(e, `flodrama:network.${key}`, /no value with network.existing/);
        }
        assertProblem(problemsOf("prod", (v) => delete v.network.natGateways), "flodrama:network.natGateways", /the program creates the VPC/);
    });

    it("checks ids, CIDRs inside the VPC, no overlap, at least two private subnets and matching counts", () => {
        const e = problemsOf("prod", (v) => {
            byo(v);
            v.network.existing.vpcId = "vpc-xyz";
            v.network.existing.privateSubnetIds = ["subnet-0000000000000000a", "sub-1"];
            v.network.existing.privateSubnetCidrs = ["10.50.0.0/19", "10.60.0.0/19", "10.50.16.0/20"];
            v.network.existing.publicSubnetCidrs = undefined;
        });
        assertProblem(e, "flodrama:network.existing.vpcId", /a VPC id such as vpc-/);
        assertProblem(e, "flodrama:network.existing.privateSubnetIds[1]", /a subnet id such as subnet-/);
        assertProblem(e, "flodrama:network.existing.privateSubnetCidrs", /one CIDR per entry of privateSubnetIds/);
        assertProblem(e, "flodrama:network.existing.publicSubnetCidrs", /one CIDR per entry of publicSubnetIds/);
        const inside = problemsOf("prod", (v) => {
            byo(v);
            v.network.existing.privateSubnetCidrs = ["10.50.0.0/19", "10.60.0.0/19", "10.50.16.0/20"];
        });
        assertProblem(inside, "flodrama:network.existing.privateSubnetCidrs[1]", /inside vpcCidr 10\.50\.0\.0\/16/);
        assertProblem(inside, "flodrama:network.existing.privateSubnetCidrs[0]", /does not overlap privateSubnetCidrs\[2\]/);
        const one = problemsOf("prod", (v) => {
            byo(v);
            v.network.existing.privateSubnetIds = ["subnet-0000000000000000a"];
            v.network.existing.privateSubnetCidrs = ["10.50.0.0/19"];
        });
        assertProblem(one, "flodrama:network.existing.privateSubnetIds", /at least 2 items/);
    });
});

describe("network.existing: checks against AWS at preview", () => {
    it("passes a matching landing zone with its tags", () => {
        assert.deepEqual(existingNetworkProblems(LZ, GOOD_VPC, GOOD_PRIVATE, GOOD_PUBLIC), { errors: [], warnings: [] });
    });

    it("fails on a subnet of another VPC, a wrong CIDR, two subnets in one AZ, or DNS off, listing them all", () => {
        const priv = [{ ...GOOD_PRIVATE[0], vpcId: "vpc-other0000" }, { ...GOOD_PRIVATE[1], cidrBlock: "10.50.96.0/19" }, { ...GOOD_PRIVATE[2], availabilityZone: "eu-west-3b" }];
        const { errors } = existingNetworkProblems(LZ, { ...GOOD_VPC, enableDnsHostnames: false }, priv, GOOD_PUBLIC);
        assert.equal(errors.length, 4, errors.join("\n"));
        assert.match(errors.join("\n"), /DNS support and DNS hostnames/);
        assert.match(errors.join("\n"), /privateSubnetIds\[0\] subnet-0000000000000000a is in vpc-other0000/);
        assert.match(errors.join("\n"), /privateSubnetCidrs\[1\] is 10\.50\.32\.0\/19 but subnet-0000000000000000b's CIDR is 10\.50\.96\.0\/19/);
        assert.match(errors.join("\n"), /one subnet per AZ; subnet-0000000000000000b and subnet-0000000000000000c are both in eu-west-3b/);
    });

    it("only warns about load-balancer tags (the NLB names its subnets) and another cluster's tag", () => {
        const priv = GOOD_PRIVATE.map((s, i) => (i === 0 ? { ...s, tags: { "kubernetes.io/cluster/other": "shared" } } : s));
        const { errors, warnings } = existingNetworkProblems(LZ, GOOD_VPC, priv, GOOD_PUBLIC);
        assert.deepEqual(errors, []);
        assert.equal(warnings.length, 2);
        assert.match(warnings[0], /no kubernetes.io\/role\/internal-elb tag/);
        assert.match(warnings[1], /kubernetes.io\/cluster\/other/);
    });
});

describe("network.existing: program on a brought-in VPC (prod)", () => {
    let run: ProgramRun;
    before(async () => {
        GOOD_PRIVATE.forEach((s) => EXISTING_NETWORK.subnets.set(s.id, s));
        GOOD_PUBLIC.forEach((s) => EXISTING_NETWORK.subnets.set(s.id, s));
        EXISTING_NETWORK.vpcs.set(LZ.vpcId, GOOD_VPC);
        run = await runProgram("prod", { override: byo });
    });
    after(() => {
        EXISTING_NETWORK.subnets.clear();
        EXISTING_NETWORK.vpcs.clear();
    });

    it("creates no VPC, flow logs, endpoints or default-SG lock: the landing zone owns them", () => {
        const net = run.one("flodrama:network:Network");
        assert.deepEqual(run.descendants(net.urn).map((r) => r.type), []);
        assert.equal(run.ofType("awsx:ec2:Vpc").length, 0);
        assert.equal(run.ofType("aws:ec2/flowLog:FlowLog").length, 0);
    });

    it("checks every subnet and the VPC through the stack's provider", () => {
        const aws = run.one("pulumi:providers:aws", "aws");
        const lookups = run.invokes.filter((i) => i.token === "aws:ec2/getVpc:getVpc" || i.token === "aws:ec2/getSubnet:getSubnet");
        assert.ok(lookups.filter((i) => i.token === "aws:ec2/getVpc:getVpc").length >= 1);
        assert.ok(lookups.length >= 5);
        assert.ok(lookups.every((i) => i.provider?.startsWith(`${aws.urn}::`)), lookups.map((i) => i.provider).join(", "));
    });

    it("puts the cluster, the runner and the data tier in the given VPC and private subnets", () => {
        const eks = run.one("eks:index:Cluster").inputs;
        assert.equal(eks.vpcId, LZ.vpcId);
        assert.deepEqual(eks.privateSubnetIds, LZ.privateSubnetIds);
        const project = run.one("aws:codebuild/project:Project");
        assert.deepEqual(project.inputs.vpcConfig.subnets, LZ.privateSubnetIds);
        assert.equal(project.inputs.vpcConfig.vpcId, LZ.vpcId);
        assert.equal(run.outputs.vpcId, LZ.vpcId);
    });
});
