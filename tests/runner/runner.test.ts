/**
 * The deploy runner and the bootstrap run (docs/first-deploy.md): config rules, the buildspec, the
 * CodeBuild project and its role on prod, its wiring into the cluster, and a bootstrap run that
 * creates only the network, the image repositories and the runner.
 */
import { strict as assert } from "assert";
import { DEFAULT_PULUMI_VERSION } from "../../components/runner/config";
import { deployBuildspec, runnerBasePolicy, runnerTrustPolicy } from "../../components/runner/runnerSpecs";
import { assertProblem, configFor, problemsOf } from "../../offline/stackConfig";
import { ProgramRun, runProgram } from "../../offline/harness";

const SECRET = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:flodrama/pulumi-token-AbCdEf";

describe("deploy runner: config", () => {
    it("is off by default and on in prod, where the endpoint is private", () => {
        assert.equal(configFor("dev").deployRunner.enabled, false);
        const prod = configFor("prod").deployRunner;
        assert.equal(prod.enabled, true);
        assert.equal(prod.computeType, "BUILD_GENERAL1_SMALL");
        assert.equal(prod.pulumiVersion, DEFAULT_PULUMI_VERSION);
        assert.deepEqual(configFor("dev", (v) => delete v.deployRunner).deployRunner.enabled, false, "the key may be absent");
    });

    it("needs a repository, and a token unless the backend is S3", () => {
        const e = problemsOf("dev", (v) => (v.deployRunner = { enabled: true }));
        assertProblem(e, "flodrama:deployRunner.repositoryUrl", /https:\/\/ URL of this repository/);
        assertProblem(e, "flodrama:deployRunner.pulumiAccessTokenSecretArn", /PULUMI_ACCESS_TOKEN/);
        const withRunner = (runner: Record<string, unknown>) => (v: Record<string, any>) => {
            v.deployRunner = runner;
            // dev builds its images; a stack deployed by the runner runs releases instead.
            for (const s of v.services) {
                s.image = { release: "1.0.0" };
            }
        };
        configFor("dev", withRunner({ enabled: true, repositoryUrl: "https://github.com/o/r.git", pulumiAccessTokenSecretArn: SECRET }));
        configFor("dev", withRunner({ enabled: true, repositoryUrl: "https://github.com/o/r.git", pulumiBackendUrl: "s3://state-bucket?region=eu-west-3" }));
    });

    it("refuses images built during `up` on a stack the runner deploys: its CodeBuild container has no Docker engine", () => {
        const e = problemsOf("dev", (v) => (v.deployRunner = { enabled: true, repositoryUrl: "https://github.com/o/r.git", pulumiBackendUrl: "s3://state-bucket?region=eu-west-3" }));
        assert.equal(e.problems.length, 3, "one problem per built image, nothing else");
        for (const i of [0, 1, 2]) {
            assertProblem(e, `flodrama:services[${i}].image.build`, /release.*the runner has no Docker engine/);
        }
    });

    it("refuses bad values with the key and what is allowed", () => {
        const e = problemsOf("prod", (v) => {
            v.deployRunner.repositoryUrl = "https://user:pw@github.com/o/r.git";
            v.deployRunner.computeType = "BUILD_GENERAL1_HUGE";
            v.deployRunner.timeoutMinutes = 3000;
            v.deployRunner.pulumiVersion = "latest";
            v.deployRunner.pulumiAccessTokenSecretArn = "my-token";
        });
        assertProblem(e, "flodrama:deployRunner.repositoryUrl", /https:\/\/ Git URL without credentials/);
        assertProblem(e, "flodrama:deployRunner.computeType", /BUILD_GENERAL1_SMALL/);
        assertProblem(e, "flodrama:deployRunner.timeoutMinutes", /from 5 to 2160/);
        assertProblem(e, "flodrama:deployRunner.pulumiVersion", /Pulumi CLI release such as/);
        assertProblem(e, "flodrama:deployRunner.pulumiAccessTokenSecretArn", /Secrets Manager secret ARN/);
    });

    it("refuses bootstrap without a runner, saying what a bootstrap run creates", () => {
        assertProblem(problemsOf("dev", (v) => (v.bootstrap = true)), "flodrama:bootstrap", /unless deployRunner.enabled is true/);
        // The image repositories joined the bootstrap set after this rule was written: the message must say so.
        assertProblem(problemsOf("dev", (v) => (v.bootstrap = true)), "flodrama:bootstrap", /network, the image repositories and the deploy runner/);
    });
});

describe("deploy runner: buildspec and policies", () => {
    const spec = deployBuildspec({ stack: "prod", repositoryUrl: "https://github.com/o/r.git", gitRef: "main", pulumiVersion: "3.270.0", pulumiBackendUrl: "s3://b?region=eu-west-3", gitToken: false });

    it("installs the pinned, checksum-verified Pulumi CLI and Node 22, then npm ci, up under the policy pack and verify of its stack", () => {
        const order = ["nodejs: 22", "pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz", "sha256sum -c -", 'git clone --no-checkout "$REPOSITORY_URL" src', "npm ci", "npm ci --prefix policy", 'pulumi login "s3://b?region=eu-west-3"', 'pulumi up --yes --non-interactive --diff --policy-pack policy --stack "$STACK"', 'npm run verify -- "$STACK"'];
        let at = -1;
        for (const step of order) {
            const i = spec.indexOf(step);
            assert.ok(i > at, `${step} comes after the previous step`);
            at = i;
        }
        assert.match(spec, /^version: 0\.2$/m);
        assert.match(spec, /STACK: "prod"/);
        assert.match(spec, /PULUMI_VERSION: "3\.270\.0"/);
        // Per-build extra flags (e.g. --refresh), empty by default.
        assert.match(spec, /PULUMI_UP_FLAGS: ""/);
        assert.match(spec, /--stack "\$STACK" \$PULUMI_UP_FLAGS$/m);
        assert.match(spec, /test "\$\(pulumi version\)" = "v\$\{PULUMI_VERSION\}"/);
    });

    it("keeps a Git token out of the URL and the repository config", () => {
        const withToken = deployBuildspec({ stack: "prod", repositoryUrl: "https://github.com/o/r.git", gitRef: "v1", pulumiVersion: "3.270.0", gitToken: true });
        assert.match(withToken, /http\.extraHeader="Authorization: Basic/);
        assert.doesNotMatch(withToken, /https:\/\/[^"\s]*\$GIT_TOKEN/);
        assert.match(withToken, /^ {6}- pulumi login$/m, "Pulumi Cloud when no backend URL");
    });

    it("trusts CodeBuild for this account's project only and scopes the ENI permission to the runner's subnets", () => {
        const trust = JSON.parse(runnerTrustPolicy("123456789012", "arn:aws:codebuild:eu-west-3:123456789012:project/p"));
        assert.deepEqual(trust.Statement[0].Principal, { Service: "codebuild.amazonaws.com" });
        assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:codebuild:eu-west-3:123456789012:project/p" } });
        const policy = runnerBasePolicy({ partition: "aws", region: "eu-west-3", accountId: "123456789012", subnetIds: ["subnet-a"], logGroupArn: "arn:lg", secretArns: [] });
        const eni = policy.Statement.find((s) => s.Sid === "CodeBuildNetworkInterfacePermissionInRunnerSubnets")!;
        assert.deepEqual(eni.Condition, { StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" }, ArnEquals: { "ec2:Subnet": ["arn:aws:ec2:eu-west-3:123456789012:subnet/subnet-a"] } });
        assert.ok(!policy.Statement.some((s) => s.Sid === "ReadBuildSecrets"), "no secret statement without secrets");
    });
});

describe("deploy runner on stack prod", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("prod");
    });

    it("runs builds in the private subnets with its own security group, role, log group and timeout", () => {
        const project = run.one("aws:codebuild/project:Project");
        const sg = run.one("aws:ec2/securityGroup:SecurityGroup", "deploy-runner-sg");
        assert.equal(project.inputs.name, "flodrama-prod-deploy-runner");
        assert.deepEqual(project.inputs.vpcConfig.subnets, ["subnet-private-0", "subnet-private-1", "subnet-private-2"]);
        assert.deepEqual(project.inputs.vpcConfig.securityGroupIds, [sg.state.id ?? `${sg.name}-id`]);
        assert.equal(project.inputs.buildTimeout, 120);
        assert.equal(project.inputs.environment.computeType, "BUILD_GENERAL1_SMALL");
        assert.equal(project.inputs.environment.privilegedMode, false);
        assert.equal(project.inputs.source.type, "NO_SOURCE");
        assert.match(project.inputs.source.buildspec, /pulumi up --yes --non-interactive --diff --policy-pack policy --stack "\$STACK"/);
        const logs = run.one("aws:cloudwatch/logGroup:LogGroup", "deploy-runner-logs");
        assert.equal(project.inputs.logsConfig.cloudwatchLogs.groupName, logs.inputs.name);
        assert.equal(logs.inputs.retentionInDays, 365);
        const policies = [run.one("aws:iam/rolePolicy:RolePolicy", "deploy-runner-vpc-build-policy"), run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "deploy-runner-deployer-policy")];
        assert.ok(policies.every((p) => project.dependencies.includes(p.urn)), "the project waits for its VPC permissions");
    });

    it("lets the builds out on 443 only and nothing in", () => {
        const sg = run.one("aws:ec2/securityGroup:SecurityGroup", "deploy-runner-sg");
        assert.deepEqual(sg.inputs.ingress, []);
        assert.deepEqual(
            sg.inputs.egress.map((e: any) => [e.protocol, e.fromPort, e.toPort]),
            [["tcp", 443, 443]],
        );
    });

    it("gives its role the deployer policy and the VPC statements on the runner's subnets", () => {
        assert.equal(run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "deploy-runner-deployer-policy").inputs.policyArn, "arn:aws:iam::aws:policy/AdministratorAccess");
        const doc = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "deploy-runner-vpc-build-policy").inputs.policy);
        const eni = doc.Statement.find((s: any) => s.Sid === "CodeBuildNetworkInterfacePermissionInRunnerSubnets");
        assert.deepEqual(eni.Condition.ArnEquals["ec2:Subnet"], [0, 1, 2].map((i) => `arn:aws:ec2:eu-west-3:123456789012:subnet/subnet-private-${i}`));
        const trust = JSON.parse(run.one("aws:iam/role:Role", "deploy-runner-role").inputs.assumeRolePolicy);
        assert.equal(trust.Statement[0].Condition.ArnLike["aws:SourceArn"], "arn:aws:codebuild:eu-west-3:123456789012:project/flodrama-prod-deploy-runner");
    });

    it("lists no access entry for its role (it creates the cluster: EKS makes it admin) and makes its security group a source on 443 into the cluster", () => {
        const role = run.one("aws:iam/role:Role", "deploy-runner-role");
        const entries = Object.values(run.one("eks:index:Cluster").inputs.accessEntries ?? {}) as any[];
        // A second entry for the creating identity fails CreateAccessEntry with ResourceInUseException.
        assert.equal(entries.find((e) => e.principalArn === role.state.arn), undefined);
        const sg = run.one("aws:ec2/securityGroup:SecurityGroup", "deploy-runner-sg");
        const rules = run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.referencedSecurityGroupId === `${sg.name}-id`);
        assert.equal(rules.length, 1);
        assert.equal(rules[0].inputs.fromPort, 443);
        assert.equal(rules[0].inputs.toPort, 443);
        // The runner reaches the private endpoint only through that rule: no Kubernetes object before it.
        assert.ok(run.one("pulumi:providers:kubernetes", "cluster-k8s").dependencies.includes(rules[0].urn), "the Kubernetes provider waits for the runner's 443 rule");
    });

    it("exports the project, role, log group and the command that starts a deploy", () => {
        assert.equal(run.outputs.deployRunnerProject, "flodrama-prod-deploy-runner");
        assert.match(String(run.outputs.deployRunnerStartCommand), /^aws codebuild start-build --region eu-west-3 --project-name flodrama-prod-deploy-runner /);
        assert.equal(run.outputs.bootstrap, false);
    });
});

describe("bootstrap run (flodrama:bootstrap: true)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("prod", { override: (v) => (v.bootstrap = true) });
    });

    it("creates only the network, the image repositories and the deploy runner", () => {
        const tops = run.resources.filter((r) => !r.parent || !run.byUrn(r.parent) || run.byUrn(r.parent)!.type === "pulumi:pulumi:Stack");
        const components = tops.filter((r) => !r.type.startsWith("pulumi:")).map((r) => r.type).sort();
        assert.deepEqual(components, ["flodrama:images:ImageRepositories", "flodrama:network:Network", "flodrama:runner:DeployRunner"]);
        assert.deepEqual(run.resources.filter((r) => /^(eks|kubernetes|aws:eks|aws-native):/.test(r.type)).map((r) => r.type), []);
        assert.equal(run.ofType("pulumi:providers:kubernetes").length, 0);
    });

    it("keeps the runner's URNs, so the full run that follows adopts what bootstrap created", async () => {
        const full = await runProgram("prod");
        const fullUrns = new Set(full.resources.map((r) => r.urn));
        const missing = run.resources.filter((r) => !fullUrns.has(r.urn)).map((r) => r.urn);
        assert.deepEqual(missing, []);
    });

    it("exports what the next step needs and none of the platform's outputs", () => {
        assert.equal(run.outputs.bootstrap, true);
        assert.equal(run.outputs.deployRunnerProject, "flodrama-prod-deploy-runner");
        assert.ok(run.outputs.vpcId);
        assert.equal(run.outputs.clusterName, undefined);
        assert.equal(run.outputs.httpApiUrl, undefined);
    });
});
