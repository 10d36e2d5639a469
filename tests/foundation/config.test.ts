import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../config";
import { StackFileError } from "../../lib/configErrors";
import { isPinnedImage } from "../../lib/configSchema";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/contracts";
import { parseStackYaml, runProgram, stackNames, PROJECT_DIR } from "../../offline/harness";
import { assertProblem, problemsOf, rawFor } from "../../offline/stackConfig";

describe("config", () => {
    for (const stack of stackNames()) {
        it(`accepts Pulumi.${stack}.yaml as committed`, () => {
            const cfg = parseConfig(rawFor(stack), { stack, projectDir: PROJECT_DIR });
            assert.equal(cfg.stack, stack);
            assert.equal(cfg.tags.Stack, stack);
            assert.equal(cfg.tags.Project, "flodrama");
            assert.ok(cfg.tags.Owner && cfg.tags.CostCenter);
        });
    }

    it("holds each stack's choices: AZs and NAT, data mode, protection, price class, domain, private endpoint", () => {
        const dev = parseConfig(rawFor("dev"), { stack: "dev", projectDir: PROJECT_DIR });
        const prod = parseConfig(rawFor("prod"), { stack: "prod", projectDir: PROJECT_DIR });
        assert.deepEqual([dev.network.azCount, dev.network.natGateways], [2, "single"]);
        assert.deepEqual([prod.network.azCount, prod.network.natGateways], [3, "one-per-az"]);
        assert.equal(dev.data.mode, "in-cluster");
        assert.equal(prod.data.mode, "managed");
        assert.equal(dev.protect, false);
        assert.equal(prod.protect, true);
        assert.equal(dev.cdn.priceClass, "PriceClass_100");
        assert.equal(prod.cdn.priceClass, "PriceClass_All");
        assert.equal(dev.cdn.domain, undefined);
        assert.ok(prod.cdn.domain);
        assert.deepEqual(prod.cluster.publicAccessCidrs, []);
        for (const cfg of [dev, prod]) {
            assert.notEqual(cfg.cluster.version, "1.29");
            assert.ok((SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(cfg.cluster.version));
        }
    });

    it("reports an enum typo, a missing key and a minimum above its maximum in one error", () => {
        const err = problemsOf("dev", (v) => {
            v.data.mode = "manged";
            delete v.network.azCount;
            v.cluster.nodeGroups[0].minSize = 9;
        });
        assert.equal(err.problems.length, 3, err.message);
        assertProblem(err, "flodrama:data.mode", /`managed`, `in-cluster`/);
        assert.match(err.message, /did you mean `managed`/i);
        assertProblem(err, "flodrama:network.azCount", /integer from 2 to 4/);
        assert.match(err.message, /azCount: expected .*found nothing \(the key is missing\)/);
        assertProblem(err, "flodrama:cluster.nodeGroups[0].minSize", /at most maxSize \(5\)/);
        assert.match(err.message, /Fix: Did you mean `managed`\? Edit Pulumi\.dev\.yaml or run `pulumi config set --stack dev --path 'flodrama:data\.mode' <value>`/);
    });

    it("rejects a wrong type", () => {
        const err = problemsOf("dev", (v) => (v.network.azCount = "two"));
        assertProblem(err, "flodrama:network.azCount", /integer/);
        assert.match(err.message, /found "two"/);
    });

    it("rejects a number out of range", () => {
        const err = problemsOf("prod", (v) => (v.data.documentDb.backupRetentionDays = 3));
        assertProblem(err, "flodrama:data.documentDb.backupRetentionDays", /from 7 to 35/);
    });

    it("rejects a malformed e-mail address", () => {
        const err = problemsOf("prod", (v) => (v.monitoring.alertEmails = ["ops-at-flodrama.com"]));
        assertProblem(err, "flodrama:monitoring.alertEmails[0]", /e-mail address/);
    });

    it("rejects a malformed CIDR and one with host bits set", () => {
        const err = problemsOf("dev", (v) => {
            v.network.cidr = "10.20.0.0/33";
            v.cluster.publicAccessCidrs = ["203.0.113.7/24"];
        });
        assertProblem(err, "flodrama:network.cidr", /CIDR/);
        assertProblem(err, "flodrama:cluster.publicAccessCidrs[0]", /CIDR/);
    });

    it("rejects an unsupported Kubernetes version, with a word on the seed's 1.29", () => {
        const err = problemsOf("dev", (v) => (v.cluster.version = "1.29"));
        assertProblem(err, "flodrama:cluster.version", /standard support/);
        assert.match(err.message, /1\.29 is past EKS extended support/);
        const unquoted = problemsOf("dev", (v) => (v.cluster.version = 1.35));
        assertProblem(unquoted, "flodrama:cluster.version", /quoted string/);
    });

    it("rejects unknown keys, naming the intended key and the command that removes the wrong one", () => {
        const err = problemsOf("dev", (v) => {
            v.netwrok = {};
            v.network.natGateway = "single";
        });
        const top = assertProblem(err, "flodrama:netwrok", /no such key/);
        assert.equal(top.fix, "Did you mean `flodrama:network`? Remove it: run `pulumi config rm --stack dev 'flodrama:netwrok'` (or delete it from Pulumi.dev.yaml), then set `flodrama:network` instead.");
        const nested = assertProblem(err, "flodrama:network.natGateway", /known keys here: cidr, azCount, natGateways, interfaceEndpoints/);
        assert.match(nested.fix, /^Did you mean `flodrama:network\.natGateways`\? Remove it: run `pulumi config rm --stack dev --path 'flodrama:network\.natGateway'`/);
    });

    it("rejects a misspelt namespace, naming the key it was meant to be", () => {
        const err = problemsOf("dev", (v) => (v["flodram:environment"] = "dev"));
        assert.equal(err.problems.length, 1, err.message);
        const p = assertProblem(err, "flodram:environment", /no such key/);
        assert.equal(p.value, "dev");
        assert.match(p.fix, /^Did you mean `flodrama:environment`\? Remove it: run `pulumi config rm --stack dev 'flodram:environment'`/);
        // Other namespaces (providers' own settings) are not ours to judge.
        assert.doesNotThrow(() => parseConfig(rawFor("dev", (v) => (v["aws:profile"] = "ops")), { stack: "dev", projectDir: PROJECT_DIR }));
    });

    it("gives one problem for one mistake: a missing environment, min replicas above max", () => {
        const noEnvironment = problemsOf("dev", (v) => delete v.environment);
        assert.deepEqual(noEnvironment.problems.map((p) => p.key), ["flodrama:environment"], noEnvironment.message);
        const replicas = problemsOf("dev", (v) => (v.services[0].replicas = { min: 5, max: 2 }));
        assert.deepEqual(replicas.problems.map((p) => p.key), ["flodrama:services[0].replicas.min"], replicas.message);
    });

    it("requires aws:region to be a region the AWS provider knows, with a suggestion", () => {
        const err = problemsOf("dev", (v) => (v["aws:region"] = "eu-west-33"));
        const p = assertProblem(err, "aws:region", /an AWS region/);
        assert.match(p.fix, /^Did you mean `eu-west-3`\? Edit Pulumi\.dev\.yaml or run `pulumi config set --stack dev 'aws:region' <value>`/);
        assertProblem(problemsOf("dev", (v) => (v["aws:region"] = "eu-north-9")), "aws:region", /an AWS region/);
        assert.equal(parseConfig(rawFor("dev", (v) => (v["aws:region"] = "ap-southeast-5")), { stack: "dev", projectDir: PROJECT_DIR }).region, "ap-southeast-5");
    });

    it("refuses a secret where a plain number or boolean is expected, without showing it", () => {
        const err = problemsOf("dev", (v) => {
            v.logRetentionDays = { secure: "v1:AAAABBBB" };
            v.protectStatefulResources = { secure: "v1:CCCCDDDD" };
        });
        for (const key of ["flodrama:logRetentionDays", "flodrama:protectStatefulResources"]) {
            assertProblem(err, key, /a secret is not allowed here/);
        }
        assert.match(err.message, /found a secret \(`secure:` value\)/);
    });

    it("reports .inf and .nan as written", () => {
        const yaml = parseStackYaml("Pulumi.dev.yaml", "config:\n  flodrama:logRetentionDays: .inf\n  flodrama:network: {azCount: .nan}\n") as { config: Record<string, any> };
        const err = problemsOf("dev", (v) => {
            v.logRetentionDays = yaml.config["flodrama:logRetentionDays"];
            v.network.azCount = yaml.config["flodrama:network"].azCount;
        });
        assertProblem(err, "flodrama:logRetentionDays", /retention periods/);
        assertProblem(err, "flodrama:network.azCount", /integer from 2 to 4/);
        assert.match(err.message, /logRetentionDays: expected .*; found \.inf \(YAML for a non-finite number\)/);
        assert.match(err.message, /azCount: expected .*; found \.nan \(YAML for a non-finite number\)/);
    });

    it("reports a YAML syntax error with the file, line, column and the offending line, no stack trace", () => {
        const text = "config:\n  aws:region: eu-west-3\n\tflodrama:environment: dev\n";
        const err = (() => {
            try {
                parseStackYaml("Pulumi.dev.yaml", text);
            } catch (e) {
                return e;
            }
            return assert.fail("expected a syntax error");
        })();
        assert.ok(err instanceof StackFileError);
        const lines = err.message.split("\n");
        assert.match(lines[0], /^Pulumi\.dev\.yaml:3:1: not valid YAML: Tabs are not allowed/);
        assert.equal(lines[1], "  3 | \tflodrama:environment: dev");
        assert.equal(lines[2], "    | ^");
        assert.match(lines[3], /^Fix: correct line 3 of Pulumi\.dev\.yaml/);
        assert.ok(!err.message.includes("    at "), "no stack trace");
    });

    it("stops the program before it creates anything when the config is wrong", async () => {
        await assert.rejects(runProgram("dev", { override: (v) => (v.data.mode = "manged") }), (e: Error) => e.name === "ConfigError" && /flodrama:data\.mode/.test(e.message));
    });

    it("requires prod to protect stateful resources and to alert someone", () => {
        const err = problemsOf("prod", (v) => {
            v.protectStatefulResources = false;
            v.monitoring.alertEmails = [];
        });
        assertProblem(err, "flodrama:protectStatefulResources", /true in prod/);
        assertProblem(err, "flodrama:monitoring.alertEmails", /at least one/);
    });

    it("rejects reserved and missing tags", () => {
        const err = problemsOf("dev", (v) => (v.tags = { Owner: "x", Stack: "other" }));
        assertProblem(err, "flodrama:tags.CostCenter", /tag value/);
        assertProblem(err, "flodrama:tags.Stack", /program sets this tag/);
    });

    it("data tier: unknown mode, zero instances, failover without replicas", () => {
        const err = problemsOf("prod", (v) => {
            v.data.documentDb.instanceCount = 0;
            v.data.redis.replicas = 0;
        });
        assertProblem(err, "flodrama:data.documentDb.instanceCount", /from 1 to 16/);
        assertProblem(err, "flodrama:data.redis.replicas", /at least 1 when automaticFailover/);
    });

    it("services: no image, latest tags, min above max", () => {
        const err = problemsOf("dev", (v) => {
            delete v.services[0].image;
            v.services[1].image = "registry.example.com/flodrama/scraper:latest";
            v.services[2].replicas = { min: 5, max: 2 };
        });
        assertProblem(err, "flodrama:services[0].image", /one of `\{ build/);
        assertProblem(err, "flodrama:services[1].image", /pinned image/);
        assertProblem(err, "flodrama:services[2].replicas.min", /at most replicas\.max/);
    });

    it("identity: an empty plan list and plain-http callbacks outside dev", () => {
        const err = problemsOf("prod", (v) => {
            v.identity.planGroups = [];
            v.identity.extraCallbackUrls = ["http://app.flodrama.com/callback"];
        });
        assertProblem(err, "flodrama:identity.planGroups", /at least 1/);
        assertProblem(err, "flodrama:identity.extraCallbackUrls[0]", /https:\/\//);
        // dev accepts a local dev server
        parseConfig(rawFor("dev"), { stack: "dev", projectDir: PROJECT_DIR });
    });

    it("monitoring: a negative budget and datapoints above evaluation periods", () => {
        const err = problemsOf("dev", (v) => {
            v.monitoring.budget.monthlyLimitUsd = -5;
            v.monitoring.alarms.datapointsToAlarm = 9;
        });
        assertProblem(err, "flodrama:monitoring.budget.monthlyLimitUsd", /number from 1 to/);
        assertProblem(err, "flodrama:monitoring.alarms.datapointsToAlarm", /at most evaluationPeriods/);
    });

    it("frontend.buildDir must exist and hold index.html", () => {
        const missing = problemsOf("dev", (v) => (v.frontend = { buildDir: "no/such/dir" }));
        assertProblem(missing, "flodrama:frontend.buildDir", /existing directory/);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flodrama-build-"));
        const noIndex = problemsOf("dev", (v) => (v.frontend = { buildDir: dir }));
        assertProblem(noIndex, "flodrama:frontend.buildDir", /index\.html/);
        fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html>");
        const cfg = parseConfig(rawFor("dev", (v) => (v.frontend = { buildDir: dir })), { stack: "dev", projectDir: PROJECT_DIR });
        assert.equal(cfg.frontend.buildDir, dir);
    });

    it("takes image references by the OCI reference grammar: a tag or a full sha256 digest", () => {
        for (const pinned of ["registry.example.com/flodrama/api:1.2.3", `registry.example.com/flodrama/api@sha256:${"a".repeat(64)}`, "localhost:5000/api:7", "registry.example.com:5443/team/api:2026.11.28-rc_1", "docker.io/library/mongo:7.0.14", "api:1"]) {
            assert.ok(isPinnedImage(pinned), pinned);
        }
        for (const refused of ["api@sha256:abc", "not an image:1", "registry.example.com/flodrama/api", "localhost:5000/api", "registry.example.com/flodrama/api:latest", "registry.example.com/Flodrama/api:1", "registry.example.com/flodrama/api:", `api@sha256:${"A".repeat(64)}`, ":1"]) {
            assert.ok(!isPinnedImage(refused), refused);
        }
        assertProblem(problemsOf("dev", (v) => (v.services[0].image = "api@sha256:abc")), "flodrama:services[0].image", /sha256:<64 hex digits>/);
    });
});
