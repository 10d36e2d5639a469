/**
 * Config errors for each kind of bad `flodrama:services` entry: every one is reported with its key
 * before anything is created, and a valid build entry parses to an absolute context.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { appQuotaShortfalls } from "../../components/workloads/config";
import { parseQuantity } from "../../lib/configSchema";
import { PROJECT_DIR } from "../../offline/harness";
import { assertProblem, problemsOf } from "../../offline/stackConfig";
import { configFor, tempBuildContext } from "./helpers";

describe("workloads config: bad service entries", () => {
    const cases: Array<[string, (v: Record<string, any>) => void, string, RegExp]> = [
        ["neither image nor build", (v) => delete v.services[0].image, "flodrama:services[0].image", /exactly one of `image`/],
        ["both image and build", (v) => (v.services[1].build = { context: tempBuildContext() }), "flodrama:services[1].image", /exactly one of `image`/],
        ["a latest tag", (v) => (v.services[2].image = "ghcr.io/flodrama/watch-party:latest"), "flodrama:services[2].image", /pinned image/],
        ["an untagged image", (v) => (v.services[0].image = "ghcr.io/flodrama/api"), "flodrama:services[0].image", /pinned image/],
        [
            "a build context that does not exist",
            (v) => {
                delete v.services[0].image;
                v.services[0].build = { context: "no/such/dir" };
            },
            "flodrama:services[0].build.context",
            /existing directory/,
        ],
        [
            "a build context without a Dockerfile",
            (v) => {
                const dir = tempBuildContext();
                fs.rmSync(path.join(dir, "Dockerfile"));
                delete v.services[0].image;
                v.services[0].build = { context: dir };
            },
            "flodrama:services[0].build.context",
            /a Dockerfile at/,
        ],
        [
            "a named Dockerfile that does not exist",
            (v) => {
                delete v.services[0].image;
                v.services[0].build = { context: tempBuildContext(), dockerfile: "Dockerfile.prod" };
            },
            "flodrama:services[0].build.dockerfile",
            /a Dockerfile at/,
        ],
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
            v.services[2].image = "ghcr.io/flodrama/watch-party:latest";
        });
        assertProblem(err, "flodrama:services[0].image", /exactly one of/);
        assertProblem(err, "flodrama:services[2].image", /pinned image/);
    });

    it("accepts a build context and resolves it against the project", () => {
        const dir = tempBuildContext();
        const rel = path.relative(PROJECT_DIR, dir);
        const cfg = configFor("dev", (v) => {
            delete v.services[0].image;
            v.services[0].build = { context: rel };
        });
        assert.deepEqual(cfg.services[0].build, { context: dir, dockerfile: undefined });
        assert.equal(cfg.services[0].image, undefined);
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
