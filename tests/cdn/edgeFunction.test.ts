/**
 * The Lambda@Edge component (docs/decisions.md#edge-security-headers): limits and policies as pure functions, then the component
 * alone under mocks: us-east-1, published, no environment, a role Lambda@Edge can assume, and a loud
 * failure when handed a provider in another region.
 */
import { strict as assert } from "assert";
import { EdgeFunction, edgeLogsPolicy, edgeTrustPolicy, validateEdgeLimits } from "../../components/cdn/edgeFunction";
import { bundleForConfig } from "../../edge/bundle";
import { ACCOUNT_ID } from "../../offline/mocks";
import { RecordedResource, simulate, valueOf } from "../../offline/harness";

const CODE = bundleForConfig({ connectSources: [], siteSources: [], formActions: [] }).code;

describe("edge function: pure specs", () => {
    it("trusts Lambda and Lambda@Edge, nothing else", () => {
        const doc = JSON.parse(edgeTrustPolicy());
        assert.equal(doc.Statement.length, 1);
        assert.deepEqual(doc.Statement[0], {
            Effect: "Allow",
            Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] },
            Action: "sts:AssumeRole",
        });
    });

    it("may write its logs in every region, to its own log groups only", () => {
        const doc = JSON.parse(edgeLogsPolicy("111122223333", "flodrama-dev-security-headers"));
        assert.equal(doc.Statement.length, 1);
        const s = doc.Statement[0];
        assert.deepEqual(s.Action, ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.deepEqual(s.Resource, [
            "arn:aws:logs:*:111122223333:log-group:/aws/lambda/us-east-1.flodrama-dev-security-headers",
            "arn:aws:logs:*:111122223333:log-group:/aws/lambda/us-east-1.flodrama-dev-security-headers:*",
            "arn:aws:logs:*:111122223333:log-group:/aws/lambda/flodrama-dev-security-headers",
            "arn:aws:logs:*:111122223333:log-group:/aws/lambda/flodrama-dev-security-headers:*",
        ]);
    });

    it("enforces Lambda@Edge's limits per trigger kind", () => {
        assert.doesNotThrow(() => validateEdgeLimits("origin-response", 128, 5, 2000));
        assert.doesNotThrow(() => validateEdgeLimits("origin-request", 1024, 30, 10 * 1024 * 1024));
        assert.doesNotThrow(() => validateEdgeLimits("viewer-request", 128, 5, 900 * 1024));
        assert.throws(() => validateEdgeLimits("viewer-response", 256, 5, 2000), /memory 256 MB is outside 128-128 MB.*viewer-trigger/);
        assert.throws(() => validateEdgeLimits("viewer-request", 128, 6, 2000), /timeout 6 s is outside 1-5 s/);
        assert.throws(() => validateEdgeLimits("viewer-request", 128, 5, 2 * 1024 * 1024), /package .* exceeds 1048576 bytes/);
        assert.throws(() => validateEdgeLimits("origin-response", 128, 31, 2000), /timeout 31 s is outside 1-30 s.*origin-trigger/);
    });
});

interface Sim {
    resources: RecordedResource[];
    fn?: EdgeFunction;
}

async function simulateEdge(providerRegion: string, extra: Partial<ConstructorParameters<typeof EdgeFunction>[1]> = {}): Promise<Sim> {
    const sim: Sim = { resources: [] };
    const { resources } = await simulate("dev", () => {
        const aws = require("@pulumi/aws");
        const { EdgeFunction: Edge } = require("../../components/cdn/edgeFunction");
        const usEast1 = new aws.Provider("edge-test-provider", { region: providerRegion });
        sim.fn = new Edge(
            "edge-test",
            { stack: "dev", functionName: "security-headers", description: "test", code: CODE, eventType: "origin-response", logRetentionDays: 30, usEast1, ...extra },
            { provider: new aws.Provider("edge-test-default", { region: "eu-west-3" }) },
        );
    });
    sim.resources = resources;
    return sim;
}

describe("edge function: the component alone", () => {
    let sim: Sim;
    const one = (type: string) => {
        const found = sim.resources.filter((r) => r.type === type);
        assert.equal(found.length, 1, type);
        return found[0];
    };
    const regionOf = (r: RecordedResource) => sim.resources.find((p) => p.urn === r.provider)?.inputs.region;

    before(async () => {
        sim = await simulateEdge("us-east-1");
    });

    it("creates the function, its role, policy and log group through the us-east-1 provider", () => {
        for (const type of ["aws:lambda/function:Function", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:cloudwatch/logGroup:LogGroup"]) {
            assert.equal(regionOf(one(type)), "us-east-1", type);
        }
    });

    it("publishes a Node.js 22 function with no environment, on x86_64, within the origin limits", () => {
        const fn = one("aws:lambda/function:Function").inputs;
        assert.equal(fn.publish, true);
        assert.equal(fn.runtime, "nodejs22.x");
        assert.equal(fn.handler, "index.handler");
        assert.equal(fn.environment, undefined);
        assert.equal(fn.layers, undefined);
        assert.equal(fn.vpcConfig, undefined);
        assert.deepEqual(fn.architectures, ["x86_64"]);
        assert.equal(fn.memorySize, 128);
        assert.equal(fn.timeout, 5);
        assert.equal(fn.name, "flodrama-dev-security-headers");
    });

    it("exposes the numbered (qualified) ARN in us-east-1", async () => {
        const arn = await valueOf(sim.fn!.qualifiedArn);
        assert.equal(arn, `arn:aws:lambda:us-east-1:${ACCOUNT_ID}:function:flodrama-dev-security-headers:1`);
        assert.match(arn, /^arn:aws:lambda:us-east-1:\d{12}:function:[^:]+:\d+$/);
    });

    it("gives the function a role that Lambda@Edge can assume and that may log", () => {
        const role = one("aws:iam/role:Role");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.ok(trust.Statement[0].Principal.Service.includes("edgelambda.amazonaws.com"));
        assert.equal(one("aws:lambda/function:Function").inputs.role, role.state.arn);
        const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
        assert.ok(policy.Statement[0].Resource.every((r: string) => r.includes(`:${ACCOUNT_ID}:log-group:/aws/lambda/`)));
        const group = one("aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.equal(group.name, "/aws/lambda/us-east-1.flodrama-dev-security-headers");
        assert.equal(group.retentionInDays, 30);
    });

    it("uploads the bundle as index.js", async () => {
        const code = one("aws:lambda/function:Function").inputs.code;
        const assets = await code.assets;
        assert.deepEqual(Object.keys(assets), ["index.js"]);
        assert.equal(await assets["index.js"].text, CODE);
    });

    it("fails the deployment when the provider is not in us-east-1, before the function or its log group exists", async () => {
        const wrong = await simulateEdge("eu-west-3");
        await assert.rejects(valueOf(wrong.fn!.qualifiedArn), /must be created through a us-east-1 provider, got eu-west-3/);
        for (const type of ["aws:lambda/function:Function", "aws:cloudwatch/logGroup:LogGroup"]) {
            assert.equal(wrong.resources.filter((r) => r.type === type).length, 0, `no ${type} in the wrong region`);
        }
    });

    it("refuses a viewer-trigger function over 128 MB before creating anything", async () => {
        await assert.rejects(simulateEdge("us-east-1", { eventType: "viewer-request", memorySizeMb: 512 }), /memory 512 MB/);
    });
});

