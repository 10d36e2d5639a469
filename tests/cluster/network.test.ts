/**
 * The network: the subnet layout as a pure function, then what the program passes to the
 * awsx VPC and the resources around it (flow logs, endpoints, default security group), per stack.
 */
import { strict as assert } from "assert";
import { INTERFACE_ENDPOINT_SERVICES, Network, subnetLayout, flowLogTrustPolicy } from "../../components/network/network";
import { loadConfig } from "../../config";
import { NetworkInfo } from "../../lib/contracts";
import { ACCOUNT_ID } from "../../offline/mocks";
import { ProgramRun, runProgram, simulate, stackNames } from "../../offline/harness";

function toInt(ip: string): number {
    return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

function range(cidr: string): [number, number] {
    const [ip, p] = cidr.split("/");
    const start = toInt(ip);
    return [start, start + 2 ** (32 - Number(p)) - 1];
}

describe("network: subnet layout", () => {
    it("gives each AZ a large private and a small public subnet, at fixed places", () => {
        assert.deepEqual(subnetLayout("10.20.0.0/16", 2), {
            privateCidrs: ["10.20.0.0/19", "10.20.32.0/19"],
            publicCidrs: ["10.20.128.0/22", "10.20.132.0/22"],
        });
        assert.deepEqual(subnetLayout("10.30.0.0/16", 3).privateCidrs, ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"]);
        assert.deepEqual(subnetLayout("172.16.16.0/20", 4).publicCidrs, ["172.16.24.0/26", "172.16.24.64/26", "172.16.24.128/26", "172.16.24.192/26"]);
    });

    for (const [cidr, azs] of [
        ["10.20.0.0/16", 4],
        ["10.0.0.0/18", 3],
        ["192.168.0.0/20", 4],
    ] as const) {
        it(`keeps every subnet of ${cidr} x ${azs} AZs inside the VPC and apart from the others`, () => {
            const l = subnetLayout(cidr, azs);
            const [vs, ve] = range(cidr);
            const all = [...l.privateCidrs, ...l.publicCidrs].map(range);
            assert.equal(all.length, 2 * azs);
            for (const [s, e] of all) {
                assert.ok(s >= vs && e <= ve, "inside the VPC");
                assert.equal(s % (e - s + 1), 0, "aligned on its size");
            }
            for (let i = 0; i < all.length; i++) {
                for (let j = i + 1; j < all.length; j++) {
                    assert.ok(all[i][1] < all[j][0] || all[j][1] < all[i][0], "no overlap");
                }
            }
        });
    }

    it("rejects CIDRs and AZ counts it cannot lay out, naming the key", () => {
        assert.throws(() => subnetLayout("10.20.0.0/15", 2), /network\.cidr.*\/16 to \/20/);
        assert.throws(() => subnetLayout("10.20.0.0/21", 2), /network\.cidr.*\/16 to \/20/);
        assert.throws(() => subnetLayout("10.20.1.0/16", 2), /host bits.*10\.20\.0\.0\/16/);
        assert.throws(() => subnetLayout("10.300.0.0/16", 2), /network\.cidr/);
        assert.throws(() => subnetLayout("10.20.0.0/16", 5), /network\.azCount/);
        assert.throws(() => subnetLayout("10.20.0.0/16", 1), /network\.azCount/);
    });

    it("trusts only the flow-logs service on behalf of one account", () => {
        const doc = JSON.parse(flowLogTrustPolicy("111122223333"));
        assert.deepEqual(doc.Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
            },
        ]);
    });
});

for (const stack of stackNames()) {
    describe(`network on stack ${stack}`, () => {
        let run: ProgramRun;
        let net: { cidr: string; azCount: number; natGateways: string; interfaceEndpoints: boolean };
        let retention: number;
        before(async () => {
            run = await runProgram(stack);
            net = JSON.parse(run.config["flodrama:network"]);
            retention = Number(run.config["flodrama:logRetentionDays"]);
        });

        it("passes the configured CIDR, AZ count and NAT strategy to the VPC", () => {
            const vpc = run.one("awsx:ec2:Vpc");
            assert.equal(vpc.inputs.cidrBlock, net.cidr);
            assert.equal(vpc.inputs.numberOfAvailabilityZones, net.azCount);
            assert.deepEqual(vpc.inputs.natGateways, { strategy: net.natGateways === "one-per-az" ? "OnePerAz" : "Single" });
            assert.equal(vpc.inputs.natGateways.strategy, stack === "prod" ? "OnePerAz" : "Single");
            assert.equal(vpc.inputs.enableDnsHostnames, true, "private DNS of interface endpoints needs DNS hostnames");
            assert.equal(run.byUrn(vpc.parent!)!.type, "flodrama:network:Network");
        });

        it("hands the stack's AWS provider to the awsx VPC, whose subnets, NAT gateways and routes are invisible here", () => {
            const vpc = run.one("awsx:ec2:Vpc");
            const provider = run.byUrn(vpc.providers.aws);
            assert.ok(provider, "the VPC's children would otherwise use the default aws provider");
            assert.equal(provider!.type, "pulumi:providers:aws");
            assert.equal(provider!.name, "aws");
            assert.equal(provider!.inputs.region, run.config["aws:region"]);
        });

        it("lays out tagged public and private subnets with CIDRs known at plan time", () => {
            const specs = run.one("awsx:ec2:Vpc").inputs.subnetSpecs;
            const layout = subnetLayout(net.cidr, net.azCount);
            const pub = specs.find((s: any) => s.type === "Public");
            const priv = specs.find((s: any) => s.type === "Private");
            assert.equal(specs.length, 2);
            assert.deepEqual(pub.cidrBlocks, layout.publicCidrs);
            assert.deepEqual(priv.cidrBlocks, layout.privateCidrs);
            assert.equal(pub.cidrBlocks.length, net.azCount);
            assert.deepEqual(pub.tags, { "kubernetes.io/role/elb": "1" });
            assert.deepEqual(priv.tags, { "kubernetes.io/role/internal-elb": "1" });
        });

        it("adds an S3 gateway endpoint on the VPC's route tables", () => {
            const vpc = run.one("awsx:ec2:Vpc");
            assert.equal(vpc.inputs.vpcEndpointStrategy, "Auto");
            assert.deepEqual(vpc.inputs.vpcEndpointSpecs, [{ serviceName: "com.amazonaws.eu-west-3.s3", vpcEndpointType: "Gateway" }]);
        });

        it("logs all VPC traffic to a log group with the stack's retention, through a role scoped to it", () => {
            const flow = run.one("aws:ec2/flowLog:FlowLog");
            const group = run.one("aws:cloudwatch/logGroup:LogGroup", /^network-/);
            const role = run.one("aws:iam/role:Role", "network-flow-logs-role");
            assert.equal(flow.inputs.trafficType, "ALL");
            assert.equal(flow.inputs.vpcId, `vpc-network-vpc`);
            assert.equal(flow.inputs.logDestinationType, "cloud-watch-logs");
            assert.equal(flow.inputs.logDestination, group.state.arn);
            assert.equal(flow.inputs.iamRoleArn, role.state.arn);
            assert.equal(group.inputs.retentionInDays, retention);
            const trust = JSON.parse(role.inputs.assumeRolePolicy);
            assert.deepEqual(trust.Statement[0].Principal, { Service: "vpc-flow-logs.amazonaws.com" });
            assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
            const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "network-flow-logs-policy").inputs.policy);
            for (const s of policy.Statement) {
                assert.ok(![s.Action].flat().some((a: string) => a.includes("*")), "no wildcard action");
                for (const r of [s.Resource].flat()) {
                    assert.ok(String(r).startsWith(group.state.arn), `resource ${r} is the flow-log group`);
                }
            }
        });

        it("closes the VPC's default security group", () => {
            const sg = run.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
            assert.equal(sg.inputs.vpcId, "vpc-network-vpc");
            assert.deepEqual(sg.inputs.ingress, []);
            assert.deepEqual(sg.inputs.egress, []);
        });

        it(`creates interface endpoints only when network.interfaceEndpoints is true (${stack})`, () => {
            const endpoints = run.ofType("aws:ec2/vpcEndpoint:VpcEndpoint");
            assert.equal(net.interfaceEndpoints, stack === "prod");
            if (!net.interfaceEndpoints) {
                assert.equal(endpoints.length, 0);
                assert.equal(run.ofType("aws:ec2/securityGroup:SecurityGroup").filter((s) => s.name.startsWith("network-")).length, 0);
                return;
            }
            assert.deepEqual(endpoints.map((e) => e.inputs.serviceName).sort(), INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.eu-west-3.${s}`).sort());
            const sg = run.one("aws:ec2/securityGroup:SecurityGroup", "network-endpoints-sg");
            assert.deepEqual(
                sg.inputs.ingress.map((i: any) => [i.protocol, i.fromPort, i.toPort, i.cidrBlocks]),
                [["tcp", 443, 443, [net.cidr]]],
            );
            const privateIds = Array.from({ length: net.azCount }, (_, i) => `subnet-private-${i}`);
            for (const e of endpoints) {
                assert.equal(e.inputs.vpcEndpointType, "Interface");
                assert.equal(e.inputs.privateDnsEnabled, true);
                assert.deepEqual(e.inputs.subnetIds, privateIds);
                assert.deepEqual(e.inputs.securityGroupIds, ["network-endpoints-sg-id"]);
            }
        });

        it("exports the VPC id", () => {
            assert.equal(run.outputs.vpcId, "vpc-network-vpc");
        });
    });

    describe(`Network component alone on stack ${stack}`, () => {
        it("exposes the NetworkInfo contract with plan-time CIDRs", async () => {
            let info: NetworkInfo | undefined;
            let cfgCidr = "";
            let azCount = 0;
            const { resources } = await simulate(stack, () => {
                const aws = require("@pulumi/aws");
                const cfg = loadConfig();
                cfgCidr = cfg.network.cidr;
                azCount = cfg.network.azCount;
                const provider = new aws.Provider("test-aws", { region: cfg.region });
                info = new Network("net", { stack: cfg.stack, region: cfg.region, ...cfg.network, logRetentionDays: cfg.logRetentionDays }, { provider });
            });
            const layout = subnetLayout(cfgCidr, azCount);
            assert.equal(info!.vpcCidr, cfgCidr);
            assert.deepEqual(info!.privateSubnetCidrs, layout.privateCidrs);
            assert.deepEqual(info!.publicSubnetCidrs, layout.publicCidrs);
            assert.deepEqual(await (info!.privateSubnetIds as any).promise(), layout.privateCidrs.map((_, i) => `subnet-private-${i}`));
            const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
            assert.ok(custom.length > 0);
            for (const r of custom) {
                assert.ok(r.provider?.endsWith("::test-aws"), `${r.type} ${r.name} uses the given provider`);
                assert.ok(r.name.startsWith("net-"), `${r.name} is named after the component`);
            }
            const vpc = resources.find((r) => r.type === "awsx:ec2:Vpc")!;
            assert.ok(vpc.providers.aws?.endsWith("::test-aws"), "the remote VPC gets the given provider too");
        });

        it("refuses to run without an explicit AWS provider", async () => {
            await assert.rejects(
                simulate(stack, () => {
                    const cfg = loadConfig();
                    return new Network("net", { stack: cfg.stack, region: cfg.region, ...cfg.network, logRetentionDays: cfg.logRetentionDays });
                }),
                /needs the stack's AWS provider/,
            );
        });
    });
}
