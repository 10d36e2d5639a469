/**
 * Who may deploy and preview, from where: `cluster.access` config rules, the access entries
 * and 443 ingress rules the cluster registers, the plan's "reachable from / authorised" line and the
 * deploy-path policy, on prod's stack file edited in memory.
 */
import { strict as assert } from "assert";
import { EksCluster } from "../../components/cluster/cluster";
import { EksClusterArgs } from "../../components/cluster/clusterSpecs";
import { FlodramaConfig } from "../../config";
import { clusterAccessLines } from "../../offline/clusterAccess";
import { fakeNetwork } from "../../offline/fixtures";
import { RecordedResource, runProgram, simulate } from "../../offline/harness";
import { runPolicies } from "../../offline/policyRunner";
import { eksPolicies } from "../../policy/aws/eks";
import { Res } from "../../policy/framework";
import { clusterArgs } from "./clusterArgs";
import { assertProblem, configFor, ConfigEdit, problemsFor, problemsOf } from "../../offline/stackConfig";

const DEPLOYER = "arn:aws:iam::123456789012:role/ci/flodrama-deploy";
const PREVIEWER = "arn:aws:iam::123456789012:role/ci/flodrama-preview";
const ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy";

/** prod without its runner, reached through a VPN CIDR and a tooling security group by a listed deployer. */
const vpnProd: ConfigEdit = (v) => {
    delete v.deployRunner;
    v.cluster.access = { deployers: [DEPLOYER], previewers: [PREVIEWER], endpointSources: { cidrs: ["10.8.0.0/16"], securityGroupIds: ["sg-0123456789abcdef0"] } };
};

describe("cluster.access: config rules", () => {
    it("accepts role ARNs with paths, other partitions, CIDRs and both lengths of security group id", () => {
        const cfg = configFor("prod", (v) => {
            vpnProd(v);
            v.cluster.access.deployers.push("arn:aws-us-gov:iam::123456789012:role/deploy");
            v.cluster.access.endpointSources.securityGroupIds.push("sg-0123abcd");
        });
        assert.deepEqual(cfg.cluster.access.deployers, [DEPLOYER, "arn:aws-us-gov:iam::123456789012:role/deploy"]);
        assert.deepEqual(cfg.cluster.access.endpointSources.cidrs, ["10.8.0.0/16"]);
    });

    for (const bad of ["arn:aws:iam::123456789012:user/alice", "arn:aws:sts::123456789012:assumed-role/deploy/session", "arn:aws:iam::12345:role/deploy", "arn:aws:iam::123456789012:role/*", `arn:aws:iam::123456789012:role/${"x".repeat(65)}`]) {
        it(`refuses the deployer ${bad.slice(0, 60)}`, () => {
            assertProblem(problemsOf("prod", (v) => (vpnProd(v), (v.cluster.access.deployers = [bad]))), "flodrama:cluster.access.deployers[0]", /IAM role ARN such as/);
        });
    }

    it("refuses a bad previewer ARN, a bad CIDR, 0.0.0.0/0 and a malformed security group id, all at once", () => {
        const e = problemsOf("prod", (v) => {
            vpnProd(v);
            v.cluster.access.previewers = ["flodrama-preview"];
            v.cluster.access.endpointSources = { cidrs: ["10.8.0.1/16", "0.0.0.0/0"], securityGroupIds: ["sg-12345", "SG-0123ABCD"] };
        });
        assertProblem(e, "flodrama:cluster.access.previewers[0]", /IAM role ARN/);
        assertProblem(e, "flodrama:cluster.access.endpointSources.cidrs[0]", /no host bits set/);
        assertProblem(e, "flodrama:cluster.access.endpointSources.cidrs[1]", /not 0\.0\.0\.0\/0/);
        assertProblem(e, "flodrama:cluster.access.endpointSources.securityGroupIds[0]", /sg- and 8 or 17/);
        assertProblem(e, "flodrama:cluster.access.endpointSources.securityGroupIds[1]", /sg- and 8 or 17/);
        assert.equal(e.problems.length, 5, e.message);
    });

    it("refuses duplicates, and a role that is both deployer and previewer", () => {
        const e = problemsOf("prod", (v) => {
            vpnProd(v);
            v.cluster.access.deployers = [DEPLOYER, DEPLOYER];
            v.cluster.access.endpointSources.cidrs = ["10.8.0.0/16", "10.8.0.0/16"];
        });
        assertProblem(e, "flodrama:cluster.access.deployers", /without duplicates/);
        assertProblem(e, "flodrama:cluster.access.endpointSources.cidrs", /without duplicates/);
        const both = problemsOf("prod", (v) => (vpnProd(v), (v.cluster.access.previewers = [DEPLOYER])));
        const p = assertProblem(both, "flodrama:cluster.access.previewers[0]", /not also a deployer/);
        assert.match(p.fix, /Remove it from cluster\.access\.previewers/);
    });

    it("says that adminRoleArns was renamed to cluster.access.deployers", () => {
        const e = problemsOf("dev", (v) => (v.cluster.adminRoleArns = [DEPLOYER]));
        const p = assertProblem(e, "flodrama:cluster.adminRoleArns", /renamed to cluster\.access\.deployers/);
        assert.match(p.fix, /Move these role ARNs under cluster\.access\.deployers/);
        assert.equal(e.problems.length, 1, e.message);
    });

    it("refuses a private-only stack with no network path and no deployer, naming both keys and the runner", () => {
        const e = problemsOf("prod", (v) => delete v.deployRunner);
        const path = assertProblem(e, "flodrama:cluster.access.endpointSources", /network path to the private-only endpoint/);
        assert.match(path.fix, /deployRunner\.enabled/);
        assertProblem(e, "flodrama:cluster.access.deployers", /at least one deployer role for a private-only endpoint/);
        assert.equal(e.problems.length, 2, e.message);
        // A path alone is not enough: someone must be authorised to use it.
        const noDeployer = problemsFor("prod", (v) => (vpnProd(v), (v.cluster.access.deployers = [])));
        assert.deepEqual(noDeployer.map((p) => p.key), ["flodrama:cluster.access.deployers"]);
    });

    it("accepts a private-only stack with the runner, or with endpoint sources and a deployer; a public endpoint needs neither", () => {
        assert.deepEqual(problemsFor("prod", () => undefined), []);
        assert.deepEqual(problemsFor("prod", vpnProd), []);
        assert.deepEqual(problemsFor("prod", (v) => (delete v.deployRunner, (v.cluster.publicAccessCidrs = ["203.0.113.0/24"]))), []);
        assert.deepEqual(problemsFor("dev", () => undefined), []);
    });
});

/** EksCluster alone for an edited prod config, with the arguments the runner would add. */
async function clusterResources(edit: ConfigEdit, extra: Partial<EksClusterArgs> = {}): Promise<RecordedResource[]> {
    const { resources } = await simulate("prod", () => {
        const aws = require("@pulumi/aws");
        const cfg: FlodramaConfig = configFor("prod", edit);
        const provider = new aws.Provider("test-aws", { region: cfg.region });
        return new EksCluster("eks-test", clusterArgs(cfg, fakeNetwork(cfg.network.azCount), extra), { provider });
    });
    return resources;
}

describe("cluster.access: what the cluster registers", () => {
    it("gives each deployer cluster-admin and each previewer admin view, at cluster scope", async () => {
        const resources = await clusterResources(vpnProd);
        const entries = resources.find((r) => r.type === "eks:index:Cluster")!.inputs.accessEntries;
        assert.deepEqual(Object.keys(entries).sort(), ["deployer-flodrama-deploy", "previewer-flodrama-preview"]);
        const policyOf = (k: string) => Object.values(entries[k].accessPolicies as Record<string, any>).map((p) => [p.policyArn, p.accessScope.type]);
        assert.deepEqual(policyOf("deployer-flodrama-deploy"), [[ADMIN_POLICY, "cluster"]]);
        assert.deepEqual(policyOf("previewer-flodrama-preview"), [[VIEW_POLICY, "cluster"]]);
        assert.equal(entries["deployer-flodrama-deploy"].principalArn, DEPLOYER);
        assert.equal(entries["previewer-flodrama-preview"].principalArn, PREVIEWER);
    });

    it("opens TCP 443 on the EKS-managed cluster security group to each CIDR and security group, naming the source", async () => {
        const resources = await clusterResources(vpnProd, { extraEndpointSourceSecurityGroupIds: ["sg-runner00000000001"] });
        const cluster = resources.find((r) => r.type === "eks:index:Cluster")!;
        const rules = resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.equal(rules.length, 3);
        for (const r of rules) {
            assert.equal(r.inputs.securityGroupId, "sg-eks-managed");
            assert.deepEqual([r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort], ["tcp", 443, 443]);
            assert.ok(r.dependencies.includes(cluster.urn));
        }
        const by = (pred: (r: RecordedResource) => boolean) => rules.find(pred)!.inputs;
        assert.match(by((r) => r.inputs.cidrIpv4 === "10.8.0.0/16").description, /deployer network 10\.8\.0\.0\/16/);
        assert.match(by((r) => r.inputs.referencedSecurityGroupId === "sg-0123456789abcdef0").description, /security group sg-0123456789abcdef0/);
        assert.match(by((r) => r.inputs.referencedSecurityGroupId === "sg-runner00000000001").description, /created by this stack/);
    });

    it("creates no ingress rule and no entry when nothing is configured", async () => {
        const resources = await clusterResources(() => undefined);
        assert.equal(resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").length, 0);
        assert.deepEqual(resources.find((r) => r.type === "eks:index:Cluster")!.inputs.accessEntries, {});
    });
});

describe("cluster.access: plan line and deploy-path policy over the whole program", () => {
    it("prints the VPN stack's sources and identities, and the policy passes it", async () => {
        const run = await runProgram("prod", { override: vpnProd });
        const [line] = clusterAccessLines(run);
        assert.equal(
            line,
            `cluster-eks: Kubernetes API reachable from: private: 10.8.0.0/16, security group sg-0123456789abcdef0; ` +
                `authorised: deployers ${DEPLOYER} (cluster-admin); previewers ${PREVIEWER} (admin view); the creating identity (cluster-admin, implicit)`,
        );
        const verdict = runPolicies(run).verdicts.find((v) => v.policy.name === "program-eks-deploy-path")!;
        assert.equal(verdict.evaluated, 1);
        assert.deepEqual(verdict.violations, []);
    });

    it("prints dev's public endpoint", async () => {
        const [line] = clusterAccessLines(await runProgram("dev"));
        assert.match(line, /reachable from: public 0\.0\.0\.0\/0; authorised: no deployer entry; no previewer entry; the creating identity \(cluster-admin, implicit\)$/);
    });

    it("config refuses a bare private cluster before the policy sees it; the plan line says nothing reaches one", async () => {
        // Past config validation (a public CIDR keeps it valid), then the cluster's public endpoint is switched off by hand.
        const run = await runProgram("prod", { override: (v) => (vpnProd(v), (v.cluster.access.endpointSources.cidrs = []), (v.cluster.access.endpointSources.securityGroupIds = []), (v.cluster.access.deployers = [])) }).catch((e) => e);
        assert.match(String(run), /flodrama:cluster\.access\.endpointSources/, "config refuses it before the policy would");
        const facts = {
            resources: [
                { type: "eks:index:Cluster", name: "c", urn: "urn:c", dependencies: [], state: {}, inputs: { endpointPublicAccess: false, accessEntries: { "previewer-x": { principalArn: PREVIEWER, accessPolicies: { v: { policyArn: VIEW_POLICY } } } } } },
            ],
        };
        assert.match(clusterAccessLines(facts)[0], /private: nothing outside the cluster \(no 443 rule, no runner\); authorised: no deployer entry; previewers .* \(admin view\)/);
    });
});

describe("cluster.access: deploy-path policy details", () => {
    const policy = eksPolicies.find((p) => p.name === "program-eks-deploy-path")!;
    const check = (resources: Res[]) => (policy.kind === "stack" ? policy.check(resources).map((v) => v.message) : []);
    const r = (type: string, props: Record<string, any>, name: string, dependencies: string[] = []): Res => ({ type, name, urn: `urn:${name}`, props, protect: false, dependencies });
    const cluster = (accessEntries: Record<string, any> = {}) => r("eks:index:Cluster", { endpointPublicAccess: false, accessEntries }, "c");
    const ruleOnCluster = r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "tcp", fromPort: 443, toPort: 443, referencedSecurityGroupId: "sg-runner" }, "rule", ["urn:c"]);
    const runner = r("aws:codebuild/project:Project", { vpcConfig: { vpcId: "vpc-1" } }, "runner");

    it("matches a rule to the cluster by dependency when the security group id is not known yet (a first preview)", () => {
        assert.deepEqual(check([cluster({ d: { principalArn: DEPLOYER, accessPolicies: { a: { policyArn: ADMIN_POLICY } } } }), ruleOnCluster]), []);
    });

    it("counts the deploy runner as the deployer (its role creates the cluster), but still needs its 443 rule", () => {
        assert.deepEqual(check([cluster(), ruleOnCluster, runner]), []);
        const noRule = check([cluster(), runner]);
        assert.equal(noRule.length, 1);
        assert.match(noRule[0], /no ingress rule opens 443/);
    });

    it("ignores a rule on another port and a cluster with a public endpoint", () => {
        const port22 = r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "tcp", fromPort: 22, toPort: 22 }, "ssh", ["urn:c"]);
        assert.equal(check([cluster(), port22, runner]).length, 1);
        assert.deepEqual(check([r("eks:index:Cluster", { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }, "c")]), []);
    });
});
