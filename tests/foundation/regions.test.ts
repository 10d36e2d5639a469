/**
 * Every regional AWS service the program uses must be offered in the region of the provider that
 * creates it, per AWS's endpoint data (data/aws-regional-services.json, reduced from botocore).
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import table from "../../data/aws-regional-services.json";
import { ProgramRun, PROJECT_DIR, runProgram, stackNames } from "../../offline/harness";
import {
    isGlobalService,
    KNOWN_REGIONS,
    nearestRegionOffering,
    programRegionalServices,
    regionalPlacements,
    regionDistanceKm,
    REGION_LOCATIONS,
    regionsOffering,
    RunLike,
    serviceOfferedIn,
    serviceOfResourceType,
    unavailableReason,
    unavailableServices,
} from "../../lib/regions";

/**
 * Known gaps: services the program uses where the region of their provider lacks them. Empty since
 * recommendations got their own region (Personalize is not offered in eu-west-3, the stacks' region;
 * `flodrama:recommendations.region` defaults to the nearest region offering it): the stack test below
 * asserts that nothing at all is created where its service is missing. A gap added here must occur,
 * or the test fails with "known gap … no longer occurs".
 */
const KNOWN_GAPS: ReadonlyArray<{ service: string; region: string }> = [];

type Res = RunLike["resources"][number];

function res(type: string, name: string, provider?: string, inputs: Record<string, any> = {}): Res {
    return { urn: `urn:pulumi:t::flodrama::${type}::${name}`, type, custom: true, remote: false, provider, providers: {}, inputs };
}

function provider(name: string, region: string, pkg = "aws"): Res {
    return { ...res(`pulumi:providers:${pkg}`, name, undefined, { region }), urn: `urn:pulumi:t::flodrama::pulumi:providers:${pkg}::${name}` };
}

describe("regional services data", () => {
    it("records its source (botocore version and file) and date", () => {
        assert.match(table.source, /^botocore \d+\.\d+\.\d+, botocore\/data\/endpoints\.json$/);
        assert.match(table.date, /^\d{4}-\d{2}-\d{2}$/);
    });

    it("is what scripts/update-regional-services.py writes from the same endpoints.json", function () {
        // Regenerates into a temporary copy of the script's tree when botocore is on this machine (CI has it too via pip).
        let botocore: string;
        try {
            botocore = execFileSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__), botocore.__version__)"], { encoding: "utf8" }).trim();
        } catch {
            this.skip();
            return;
        }
        const [dir, version] = botocore.split(" ");
        if (version !== table.source.split(" ")[1].replace(",", "")) {
            this.skip(); // another botocore version: its table may legitimately differ
            return;
        }
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "regions-"));
        fs.mkdirSync(path.join(tmp, "scripts"));
        fs.mkdirSync(path.join(tmp, "data"));
        fs.copyFileSync(path.join(PROJECT_DIR, "scripts/update-regional-services.py"), path.join(tmp, "scripts/update-regional-services.py"));
        execFileSync("python3", [path.join(tmp, "scripts/update-regional-services.py"), path.join(dir, "data/endpoints.json"), "--source-version", version, "--date", table.date]);
        const regenerated = JSON.parse(fs.readFileSync(path.join(tmp, "data/aws-regional-services.json"), "utf8"));
        fs.rmSync(tmp, { recursive: true, force: true });
        assert.deepEqual(regenerated, table);
    });

    it("lists Personalize in 11 regions, in Europe only eu-west-1 and eu-central-1", () => {
        assert.equal(regionsOffering("personalize").length, 11);
        assert.deepEqual(regionsOffering("personalize").filter((r) => r.startsWith("eu-")), ["eu-central-1", "eu-west-1"]);
        assert.equal(serviceOfferedIn("personalize", "eu-west-3"), false);
        assert.equal(serviceOfferedIn("eks", "eu-west-3"), true);
    });

    it("treats IAM, CloudFront, Route 53 and Budgets as global: offered from every region", () => {
        for (const s of ["iam", "cloudfront", "route53", "budgets"]) {
            assert.equal(isGlobalService(s), true, s);
            assert.equal(serviceOfferedIn(s, "eu-west-3"), true, s);
        }
        assert.equal(isGlobalService("s3"), false);
    });

    it("refuses an unknown service or region, naming what is known", () => {
        assert.throws(() => regionsOffering("personalise"), /unknown AWS service "personalise": known services are .*personalize/);
        assert.throws(() => serviceOfferedIn("eks", "eu-west-9"), /unknown AWS region "eu-west-9": known regions are .*eu-west-3/);
    });

    it("has a location for every region of the partition", () => {
        assert.deepEqual(KNOWN_REGIONS.filter((r) => !REGION_LOCATIONS[r]), []);
    });
});

describe("nearestRegionOffering", () => {
    it("gives Frankfurt for Personalize from Paris: closer than Dublin", () => {
        assert.equal(nearestRegionOffering("personalize", "eu-west-3"), "eu-central-1");
        assert.ok(regionDistanceKm("eu-west-3", "eu-central-1") < regionDistanceKm("eu-west-3", "eu-west-1"));
        assert.ok(Math.abs(regionDistanceKm("eu-west-3", "eu-central-1") - 480) < 40, "Paris–Frankfurt is about 480 km");
    });

    it("gives the region itself when it offers the service", () => {
        assert.equal(nearestRegionOffering("personalize", "eu-west-1"), "eu-west-1");
        assert.equal(nearestRegionOffering("eks", "eu-west-3"), "eu-west-3");
    });

    it("explains an unavailable service for a config error: source, offering regions, nearest", () => {
        assert.equal(unavailableReason("eks", "eu-west-3"), undefined);
        const reason = unavailableReason("personalize", "eu-west-3")!;
        assert.match(reason, /^personalize is not offered in eu-west-3 \(AWS endpoint data: botocore [\d.]+, botocore\/data\/endpoints\.json, \d{4}-\d{2}-\d{2}\); regions offering it: ap-northeast-1, .*eu-west-1.*; nearest to eu-west-3: eu-central-1$/);
    });

    it("stays on the continent for other regions lacking Personalize", () => {
        assert.equal(nearestRegionOffering("personalize", "eu-west-2"), "eu-west-1");
        assert.equal(nearestRegionOffering("personalize", "eu-north-1"), "eu-central-1");
        assert.equal(nearestRegionOffering("personalize", "us-west-1"), "us-west-2");
        assert.equal(nearestRegionOffering("personalize", "ca-west-1"), "us-west-2");
    });
});

describe("resource type → service", () => {
    it("maps by the longest prefix", () => {
        assert.equal(serviceOfResourceType("aws:cloudwatch/logGroup:LogGroup"), "logs");
        assert.equal(serviceOfResourceType("aws:cloudwatch/metricAlarm:MetricAlarm"), "monitoring");
        assert.equal(serviceOfResourceType("aws:cloudwatch/eventRule:EventRule"), "events");
        assert.equal(serviceOfResourceType("aws:apigatewayv2/api:Api"), "apigateway");
        assert.equal(serviceOfResourceType("aws-native:personalize:DatasetGroup"), "personalize");
        assert.equal(serviceOfResourceType("aws:docdb/cluster:Cluster"), "docdb");
        assert.equal(serviceOfResourceType("eks:index:Cluster"), "eks");
        assert.equal(serviceOfResourceType("aws:mq/broker:Broker"), undefined);
    });
});

describe("unavailableServices on synthetic runs", () => {
    const paris = provider("aws", "eu-west-3");
    const parisNative = provider("aws-native", "eu-west-3", "aws-native");
    const dublinNative = provider("aws-native-dublin", "eu-west-1", "aws-native");
    const config = { "aws:region": "eu-west-3" };

    it("reports a Personalize resource created through a Paris provider, with its service and region", () => {
        const group = res("aws-native:personalize:DatasetGroup", "recs", parisNative.urn);
        const run: RunLike = { resources: [paris, parisNative, group, res("aws:eks/addon:Addon", "cni", paris.urn)], config };
        assert.deepEqual(unavailableServices(run), [{ urn: group.urn, type: group.type, service: "personalize", region: "eu-west-3" }]);
    });

    it("accepts the same resource through a Dublin provider", () => {
        const run: RunLike = { resources: [dublinNative, res("aws-native:personalize:DatasetGroup", "recs", dublinNative.urn)], config };
        assert.deepEqual(unavailableServices(run), []);
    });

    it("uses the stack's aws:region for a resource on the default provider", () => {
        const run: RunLike = { resources: [res("aws-native:personalize:Schema", "s")], config: { "aws:region": "eu-west-1" } };
        assert.deepEqual(unavailableServices(run), []);
        assert.equal(unavailableServices({ ...run, config }).length, 1);
    });

    it("checks a remote component through the aws provider handed to it", () => {
        const oregon = provider("aws-oregon", "us-west-2");
        const cluster: Res = { ...res("eks:index:Cluster", "c"), custom: false, remote: true, providers: { aws: oregon.urn } };
        const { placed } = regionalPlacements({ resources: [oregon, cluster], config });
        assert.deepEqual(placed.map((p) => `${p.service}@${p.region}`), ["eks@us-west-2"]);
    });

    it("checks an interface endpoint's own service (ecr.dkr → ecr) as well as EC2", () => {
        const ep = res("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr-dkr", paris.urn, { serviceName: "com.amazonaws.eu-west-3.ecr.dkr" });
        const { placed } = regionalPlacements({ resources: [paris, ep], config });
        assert.deepEqual(placed.map((p) => p.service), ["ec2", "ecr"]);
    });

    it("leaves global services out and ignores non-AWS resources", () => {
        const run: RunLike = { resources: [paris, res("aws:iam/role:Role", "r", paris.urn), res("kubernetes:core/v1:Secret", "s")], config };
        assert.deepEqual(regionalPlacements(run).placed, []);
    });

    it("throws, naming the type, for an AWS resource type it cannot map", () => {
        const run: RunLike = { resources: [paris, res("aws:mq/broker:Broker", "b", paris.urn)], config };
        assert.throws(() => unavailableServices(run), /no AWS service known for: aws:mq\/broker:Broker \(add the type prefix to RESOURCE_TYPE_SERVICES/);
    });
});

for (const stack of stackNames()) {
    describe(`regional services of stack ${stack}`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram(stack);
        });

        it("knows the service of every AWS resource type the program creates", () => {
            assert.deepEqual(regionalPlacements(run).unmapped, []);
            assert.ok(regionalPlacements(run).placed.length > 50, "the check sees the program's regional resources");
        });

        it("creates every regional resource where its service is offered (apart from the known gaps)", () => {
            const isKnownGap = (u: { service: string; region: string }) => KNOWN_GAPS.some((g) => g.service === u.service && g.region === u.region);
            const unavailable = unavailableServices(run);
            assert.deepEqual(
                unavailable.filter((u) => !isKnownGap(u)).map((u) => `${u.type} ${u.urn} (${u.service} in ${u.region})`),
                [],
            );
            for (const gap of KNOWN_GAPS) {
                // Exactly every resource of the gap's service placed in the gap's region: no more, no fewer.
                const ofService = regionalPlacements(run).placed.filter((p) => p.service === gap.service && p.region === gap.region);
                const hits = unavailable.filter((u) => u.service === gap.service && u.region === gap.region);
                assert.ok(hits.length > 0, `known gap ${gap.service} in ${gap.region} no longer occurs in stack ${stack}: remove it from KNOWN_GAPS in tests/foundation/regions.test.ts`);
                assert.deepEqual(hits.map((u) => u.urn).sort(), ofService.map((p) => p.urn).sort());
            }
        });

        it("creates Personalize, and the bucket and key it reads, in the recommendations region: one that offers it", () => {
            const personalizeRegions = new Set(regionalPlacements(run).placed.filter((p) => p.service === "personalize").map((p) => p.region));
            assert.equal(personalizeRegions.size, 1, [...personalizeRegions].join(", "));
            const [region] = personalizeRegions;
            assert.equal(region, nearestRegionOffering("personalize", run.config["aws:region"]));
            assert.equal(run.outputs.recommendationsRegion, region);
            const recommendations = regionalPlacements(run).placed.filter((p) => p.urn.includes("flodrama:ml:Recommendations$") && ["s3", "kms"].includes(p.service));
            assert.ok(recommendations.length >= 10, "the training and access-log buckets with their settings, and the key");
            assert.deepEqual([...new Set(recommendations.map((p) => p.region))], [region]);
        });

        it("uses no regional service in its own region beyond those config checks aws:region for", () => {
            // config.ts refuses an aws:region lacking any of programRegionalServices(): they must cover what the stack uses there.
            const checked = programRegionalServices();
            const used = new Set(regionalPlacements(run).placed.filter((p) => p.region === run.config["aws:region"]).map((p) => p.service));
            assert.deepEqual([...used].filter((s) => !checked.includes(s)), []);
            if (!serviceOfferedIn("personalize", run.config["aws:region"])) {
                assert.ok(!used.has("personalize"), "Personalize is not created in a stack region that lacks it");
            }
        });

        it("finds every Personalize resource unavailable while the known gap stands, none once it is closed", () => {
            const personalize = run.resources.filter((r) => r.type.startsWith("aws-native:personalize:")).map((r) => r.urn).sort();
            assert.ok(personalize.length > 0, "the program creates Personalize resources");
            const unavailablePersonalize = unavailableServices(run).filter((u) => u.service === "personalize").map((u) => u.urn).sort();
            assert.deepEqual(unavailablePersonalize, KNOWN_GAPS.some((g) => g.service === "personalize") ? personalize : []);
        });
    });
}
