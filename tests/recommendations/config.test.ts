/**
 * `flodrama:recommendations.region` and the region checks of config.ts: the default (the nearest
 * region offering Personalize), an explicit region, a refused one, and an `aws:region` lacking a
 * service the program uses; and the providers built for the recommendations region.
 */
import { strict as assert } from "assert";
import { defaultRecommendationsRegion, nearestRegionOfferingAll, stackRegionServices } from "../../components/recommendations/config";
import type { RecommendationsProviders } from "../../lib/providers";
import { programRegionalServices, regionsOffering } from "../../lib/regions";
import { RecordedResource, simulate } from "../../offline/harness";
import { assertProblem, configFor, problemsOf } from "../../offline/stackConfig";

describe("config: flodrama:recommendations.region", () => {
    it("defaults to the nearest region offering Personalize: eu-central-1 for both eu-west-3 stacks", () => {
        for (const stack of ["dev", "prod"]) {
            const cfg = configFor(stack, (v) => delete v.recommendations);
            assert.equal(cfg.region, "eu-west-3");
            assert.equal(cfg.recommendations.region, "eu-central-1", stack);
        }
        assert.equal(configFor("dev", (v) => (v.recommendations = null)).recommendations.region, "eu-central-1", "an empty key is the default");
        assert.equal(configFor("dev", (v) => (v.recommendations = {})).recommendations.region, "eu-central-1");
    });

    it("defaults to the stack's own region when it offers Personalize", () => {
        assert.equal(configFor("dev", (v) => (v["aws:region"] = "eu-west-1")).recommendations.region, "eu-west-1");
        assert.equal(defaultRecommendationsRegion("us-east-1"), "us-east-1");
        assert.equal(defaultRecommendationsRegion("eu-west-2"), "eu-west-1");
    });

    it("takes an explicit region that offers Personalize", () => {
        assert.equal(configFor("prod", (v) => (v.recommendations = { region: "eu-west-1" })).recommendations.region, "eu-west-1");
    });

    it("refuses a region without Personalize, naming the regions that offer it and the nearest", () => {
        const err = problemsOf("prod", (v) => (v.recommendations = { region: "eu-west-3" }));
        assert.equal(err.problems.length, 1, err.message);
        const p = assertProblem(err, "flodrama:recommendations.region", /a region that offers Amazon Personalize \(personalize is not offered in eu-west-3 \(AWS endpoint data: botocore .*regions offering it: .*eu-central-1, eu-west-1.*nearest to eu-west-3: eu-central-1\)/);
        assert.match(p.fix, /^Use eu-central-1, the nearest region offering Personalize to eu-west-3, or remove the key to get it by default\. Edit Pulumi\.prod\.yaml or run `pulumi config set --stack prod --path 'flodrama:recommendations\.region' <value>`/);
    });

    it("reports a misspelt region with a did-you-mean, an unknown key, and a wrong type, all at once", () => {
        const err = problemsOf("dev", (v) => (v.recommendations = { region: "eu-centrl-1", regoin: "eu-west-1" }));
        assert.equal(err.problems.length, 2, err.message);
        const p = assertProblem(err, "flodrama:recommendations.region", /an AWS region such as eu-central-1/);
        assert.match(p.fix, /^Did you mean `eu-central-1`\?/);
        const unknown = assertProblem(err, "flodrama:recommendations.regoin", /no such key; known keys here: region/);
        assert.match(unknown.fix, /Did you mean `flodrama:recommendations.region`\?/);
        assertProblem(problemsOf("dev", (v) => (v.recommendations = "eu-central-1")), "flodrama:recommendations", /an object \(a YAML mapping\)/);
    });
});

describe("config: aws:region must offer every regional service the program uses", () => {
    it("checks the services the program's resource types map to, Personalize aside (it has its own region)", () => {
        const all = programRegionalServices();
        for (const s of ["eks", "docdb", "elasticache", "apigateway", "cognito-idp", "kms", "s3", "logs", "ec2", "elasticloadbalancing", "ecr"]) {
            assert.ok(all.includes(s as never), s);
        }
        assert.ok(!all.includes("iam" as never) && !all.includes("cloudfront" as never), "global services are reachable from every region");
        assert.ok(!stackRegionServices(all, true).includes("personalize"));
        assert.ok(stackRegionServices(all, true).includes("docdb"));
        assert.ok(!stackRegionServices(all, false).includes("docdb"), "in-cluster data needs no DocumentDB");
    });

    it("refuses a prod region without DocumentDB (managed data), naming the service, the offering regions and the nearest region offering all", () => {
        assert.ok(!regionsOffering("docdb").includes("eu-north-1"));
        const err = problemsOf("prod", (v) => (v["aws:region"] = "eu-north-1"));
        assert.equal(err.problems.length, 1, err.message);
        const p = assertProblem(err, "aws:region", /^a region offering every regional service the program uses, but docdb is not offered in eu-north-1 \(AWS endpoint data: .*\); regions offering it: .*; nearest to eu-north-1: eu-central-1$/);
        assert.match(p.fix, /^The nearest region offering them all is eu-central-1\. Personalize alone may be elsewhere \(flodrama:recommendations\.region\); see docs\/regions\.md\. Edit Pulumi\.prod\.yaml or run `pulumi config set --stack prod 'aws:region' <value>`/);
        assert.equal(nearestRegionOfferingAll(stackRegionServices(programRegionalServices(), true), "eu-north-1"), "eu-central-1");
    });

    it("accepts the same region for dev, whose data runs in the cluster, with recommendations in the nearest Personalize region", () => {
        const cfg = configFor("dev", (v) => (v["aws:region"] = "eu-north-1"));
        assert.equal(cfg.data.mode, "in-cluster");
        assert.equal(cfg.recommendations.region, "eu-central-1");
    });

    it("refuses a region of another partition, which the endpoint data does not cover", () => {
        const err = problemsOf("dev", (v) => (v["aws:region"] = "cn-north-1"));
        assert.equal(err.problems.length, 1, err.message);
        assertProblem(err, "aws:region", /^a region of the aws partition, which data\/aws-regional-services\.json lists \(af-south-1, .*eu-west-3/);
    });

    it("reports a bad aws:region and a bad recommendations region together", () => {
        const err = problemsOf("prod", (v) => {
            v["aws:region"] = "eu-north-1";
            v.recommendations = { region: "eu-west-3" };
        });
        assert.deepEqual(err.problems.map((p) => p.key).sort(), ["aws:region", "flodrama:recommendations.region"]);
    });
});

describe("providers for the recommendations region", () => {
    async function build(stackRegion: string, recRegion: string): Promise<{ resources: RecordedResource[]; rec: RecommendationsProviders }> {
        let rec!: RecommendationsProviders;
        const { resources } = await simulate("dev", () => {
            // Loaded inside the simulation, as the program loads it (simulate resets the program's modules).
            const { createAwsProviders, createRecommendationsProviders } = require("../../lib/providers");
            const cfg = { region: stackRegion, tags: { Owner: "o", CostCenter: "c" } };
            rec = createRecommendationsProviders(cfg, recRegion, createAwsProviders(cfg));
        });
        return { resources, rec };
    }
    const providersOf = (resources: RecordedResource[]) => resources.filter((r) => r.type.startsWith("pulumi:providers:aws")).map((r) => `${r.name}@${r.inputs.region}`).sort();

    it("builds an aws and an aws-native provider in the recommendations region, with the stack's tags, when it differs", async () => {
        const { resources, rec } = await build("eu-west-3", "eu-central-1");
        assert.equal(rec.region, "eu-central-1");
        assert.deepEqual(providersOf(resources), ["aws-eu-central-1@eu-central-1", "aws-native-eu-central-1@eu-central-1", "aws-us-east-1@us-east-1", "aws@eu-west-3"]);
        for (const p of resources.filter((r) => r.name.endsWith("eu-central-1"))) {
            assert.deepEqual(JSON.parse(p.inputs.defaultTags).tags, { Owner: "o", CostCenter: "c" }, p.name);
        }
    });

    it("reuses the stack's AWS provider and keeps the aws-native provider's name when the regions are the same", async () => {
        const { resources } = await build("eu-west-1", "eu-west-1");
        assert.deepEqual(providersOf(resources), ["aws-native@eu-west-1", "aws-us-east-1@us-east-1", "aws@eu-west-1"]);
    });

    it("reuses the us-east-1 provider for recommendations in us-east-1", async () => {
        const { resources } = await build("eu-west-3", "us-east-1");
        assert.deepEqual(providersOf(resources), ["aws-native-us-east-1@us-east-1", "aws-us-east-1@us-east-1", "aws@eu-west-3"]);
    });
});
