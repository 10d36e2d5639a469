/**
 * Config errors for each kind of bad `flodrama:services` entry: every one is reported with its key
 * before anything is created; the three image forms parse to their source, and a stack that requires
 * digests refuses a tag.
 */
import { strict as assert } from "assert";
import { appQuotaShortfalls } from "../../components/workloads/config";
import { parseQuantity } from "../../lib/configSchema";
import { DEFAULT_SCRAPER_INTERVAL_SECONDS } from "../../lib/serviceContract";
import { assertProblem, problemsOf } from "../../offline/stackConfig";
import { configFor } from "./helpers";

const DIGEST_REF = `123456789012.dkr.ecr.eu-west-3.amazonaws.com/flodrama-dev-api@sha256:${"c".repeat(64)}`;

describe("workloads config: bad service entries", () => {
    const cases: Array<[string, (v: Record<string, any>) => void, string, RegExp]> = [
        ["no image", (v) => delete v.services[0].image, "flodrama:services[0].image", /one of `\{ build: \{ service: api \| scraper \| watch-party \} \}`/],
        ["build and release together", (v) => (v.services[1].image = { build: { service: "scraper" }, release: "1.0.0" }), "flodrama:services[1].image", /`\{ release: <version> \}`/],
        ["a latest tag", (v) => (v.services[2].image = "registry.example.com/flodrama/watch-party:latest"), "flodrama:services[2].image", /pinned image/],
        ["an untagged image", (v) => (v.services[0].image = "registry.example.com/flodrama/api"), "flodrama:services[0].image", /pinned image/],
        ["a build of an unknown image", (v) => (v.services[0].image = { build: { service: "worker" } }), "flodrama:services[0].image.build.service", /one of api, scraper, watch-party/],
        ["a build of another role's image", (v) => (v.services[0].image = { build: { service: "scraper" } }), "flodrama:services[0].image.build.service", /api, the image of role rest-api/],
        ["a build with an extra key", (v) => (v.services[0].image = { build: { service: "api", context: "." } }), "flodrama:services[0].image.build.service", /build arg SERVICE/],
        ["a release that is not a version", (v) => (v.services[0].image = { release: "latest" }), "flodrama:services[0].image.release", /such as 1\.0\.0/],
        ["a release given as a number", (v) => (v.services[0].image = { release: 1 }), "flodrama:services[0].image.release", /services-v1\.0\.0/],
        ["scraper settings on the API", (v) => (v.services[0].scraper = { sources: [] }), "flodrama:services[0].scraper", /role is not scraper/],
        ["a scraper source over plain http", (v) => (v.services[1].scraper = { sources: [{ name: "news", url: "http://example.com/feed" }] }), "flodrama:services[1].scraper.sources[0].url", /https:\/\//],
        ["a scraper interval under a minute", (v) => (v.services[1].scraper = { intervalSeconds: 5 }), "flodrama:services[1].scraper.intervalSeconds", /from 60/],
        ["env that shadows the data Secret", (v) => (v.services[0].env.MONGODB_URI = "mongodb://user:pw@host"), "flodrama:services[0].env.MONGODB_URI", /does not set itself/],
        ["AWS credentials in env", (v) => (v.services[1].env.AWS_ACCESS_KEY_ID = "AKIA..."), "flodrama:services[1].env.AWS_ACCESS_KEY_ID", /AWS_\*/],
        ["a privileged port", (v) => (v.services[0].port = 80), "flodrama:services[0].port", /1024/],
        ["min replicas above max", (v) => (v.services[2].replicas = { min: 5, max: 2 }), "flodrama:services[2].replicas.min", /at most replicas\.max/],
        ["zero min replicas", (v) => (v.services[2].replicas = { min: 0, max: 2 }), "flodrama:services[2].replicas.min", /from 1/],
        ["probe paths, which the services' contract fixes", (v) => (v.services[0].probes = { livenessPath: "/healthz" }), "flodrama:services[0].probes", /no such key/],
        ["a malformed quantity", (v) => (v.services[0].resources.cpuLimit = "two"), "flodrama:services[0].resources.cpuLimit", /quantity/],
        ["a utilization target out of range", (v) => (v.services[0].autoscaling.cpuUtilization = 150), "flodrama:services[0].autoscaling.cpuUtilization", /10 to 100/],
        ["a name that is not a DNS label", (v) => (v.services[0].name = "Api_Service"), "flodrama:services[0].name", /DNS label/],
        ["an unknown role", (v) => (v.services[0].role = "worker"), "flodrama:services[0].role", /rest-api/],
        ["an unknown key", (v) => (v.services[0].replica = 3), "flodrama:services[0].replica", /no such key/],
        ["two services on the HTTP API", (v) => (v.services[1].expose = "http-api"), "flodrama:services", /exactly one service with expose: http-api/],
        ["duplicate names", (v) => (v.services[1].name = "api"), "flodrama:services", /distinct names/],
        ["a grace period too short", (v) => (v.services[2].terminationGracePeriodSeconds = 1), "flodrama:services[2].terminationGracePeriodSeconds", /from 5/],
        ["internet egress for the REST API", (v) => (v.services[0].internetEgress = true), "flodrama:services[0].internetEgress", /only the scraper/],
        ["internet egress for Watch Party", (v) => (v.services[2].internetEgress = true), "flodrama:services[2].internetEgress", /only the scraper/],
        ["no images to keep", (v) => (v.services[0].keepImages = 0), "flodrama:services[0].keepImages", /from 1/],
    ];
    for (const [what, edit, key, expected] of cases) {
        it(`rejects ${what}`, () => assertProblem(problemsOf("dev", edit), key, expected));
    }

    it("never echoes the value of a shadowing variable (it may be a credential)", () => {
        const err = problemsOf("dev", (v) => (v.services[0].env.REDIS_URL = "rediss://:hunter2@cache:6379"));
        assertProblem(err, "flodrama:services[0].env.REDIS_URL", /does not set itself/);
        assert.ok(!err.message.includes("hunter2"));
    });

    it("reports every bad entry at once", () => {
        const err = problemsOf("prod", (v) => {
            delete v.services[0].image;
            v.services[2].image = "registry.example.com/flodrama/watch-party:latest";
        });
        assertProblem(err, "flodrama:services[0].image", /one of `\{ build/);
        assertProblem(err, "flodrama:services[2].image", /pinned image/);
    });

    it("parses the three image forms to their source", () => {
        const dev = configFor("dev", (v) => (v.services[2].image = DIGEST_REF));
        assert.deepEqual(dev.services[0].image, { kind: "build", service: "api" });
        assert.deepEqual(dev.services[1].image, { kind: "build", service: "scraper" });
        assert.deepEqual(dev.services[2].image, { kind: "pinned", ref: DIGEST_REF });
        assert.deepEqual(configFor("prod").services.map((s) => s.image), [0, 1, 2].map(() => ({ kind: "release", version: "1.0.0" })));
    });

    it("refuses a tag where flodrama:images.requireDigest is true (prod), and accepts a digest there", () => {
        const err = problemsOf("prod", (v) => (v.services[1].image = "registry.example.com/flodrama/scraper:1.0.0"));
        assertProblem(err, "flodrama:services[1].image", /pinned by digest \(`flodrama:images\.requireDigest` is true\)/);
        assert.match(err.message, /release: <version>/);
        assert.deepEqual(configFor("prod", (v) => (v.services[1].image = DIGEST_REF)).services[1].image, { kind: "pinned", ref: DIGEST_REF });
        // The same tag is accepted where digests are not required (dev).
        assert.deepEqual(configFor("dev", (v) => (v.services[1].image = "registry.example.com/flodrama/scraper:1.0.0")).services[1].image.kind, "pinned");
        assert.equal(configFor("prod").images.requireDigest, true);
        assertProblem(problemsOf("dev", (v) => (v.images = { requireDigest: "yes" })), "flodrama:images.requireDigest", /true or false/);
        assertProblem(problemsOf("dev", (v) => (v.images = { requireDigests: true })), "flodrama:images.requireDigests", /no such key; known keys here: requireDigest/);
        assert.equal(configFor("dev").images.requireDigest, false);
    });

    it("gives the scraper its sources and interval, by default none and an hour", () => {
        const dev = configFor("dev", (v) => delete v.services[1].scraper);
        assert.deepEqual(dev.services[1].scraper, { sources: [], intervalSeconds: DEFAULT_SCRAPER_INTERVAL_SECONDS });
        assert.equal(dev.services[0].scraper, undefined);
        const set = configFor("dev", (v) => (v.services[1].scraper = { sources: [{ name: "news", url: "https://example.com/feed" }], intervalSeconds: 600 }));
        assert.deepEqual(set.services[1].scraper, { sources: [{ name: "news", url: "https://example.com/feed" }], intervalSeconds: 600 });
    });
});

describe("workloads config: the app namespace's quota fits every service at full scale", () => {
    it("parses Kubernetes quantities", () => {
        assert.equal(parseQuantity("500m"), 0.5);
        assert.equal(parseQuantity("2"), 2);
        assert.equal(parseQuantity("512Mi"), 512 * 2 ** 20);
        assert.equal(parseQuantity("1Gi"), 2 ** 30);
        assert.equal(parseQuantity("1.5G"), 1.5e9);
    });

    it("counts replicas.max plus the rollout surge of each service", () => {
        const prod = configFor("prod");
        // api 20+5, scraper 6+2, watch-party 12+3 pods at 500m requested each: 24 cores.
        assert.deepEqual(appQuotaShortfalls(prod.services, { ...prod.cluster.quotas.app, requestsCpu: "24" }), []);
        const short = appQuotaShortfalls(prod.services, { ...prod.cluster.quotas.app, requestsCpu: "23", pods: 47 });
        assert.deepEqual(short.map((p) => p.field), ["requestsCpu", "pods"]);
        assert.match(short[0].expected, /at least 24 /);
        assert.match(short[1].expected, /at least 48 /);
    });

    it("rejects a quota the HPAs would run into", () => {
        const err = problemsOf("dev", (v) => {
            v.services[0].replicas.max = 40;
        });
        assertProblem(err, "flodrama:cluster.quotas.app.limitsCpu", /every service at replicas\.max/);
        assertProblem(err, "flodrama:cluster.quotas.app.requestsCpu", /every service at replicas\.max/);
    });
});
