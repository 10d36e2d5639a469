/**
 * docs/destroy.md agrees with the program: every config key it names exists, the stack files hold
 * the values it states, every prod name and stack output it tells an operator to use is one the
 * prod program has, and its knob table matches lib/stateful.ts. Also the API Gateway account
 * setting's config: a boolean without default, prod true and dev false.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { TOP_LEVEL_KEYS } from "../../config";
import { apiSchema } from "../../components/api/config";
import { ProgramRun, PROJECT_DIR, runProgram } from "../../offline/harness";
import { assertProblem, configFor, problemsOf } from "../../offline/stackConfig";
import { KMS_DELETION_WINDOW_DAYS, stateful } from "../../lib/stateful";
import { renderDestroySummary } from "../../offline/destroySummary";

const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs", "destroy.md"), "utf8");

describe("docs/destroy.md against the program", () => {
    let prod: ProgramRun;
    before(async () => {
        prod = await runProgram("prod");
    });

    it("names only config keys that exist (`flodrama:<key>` and `api.<key>`)", () => {
        const top = [...doc.matchAll(/flodrama:([A-Za-z]+)/g)].map((m) => m[1]);
        assert.ok(top.includes("protectStatefulResources"));
        assert.deepEqual(top.filter((k) => !TOP_LEVEL_KEYS.includes(k)), []);
        const apiKeys = Object.keys(apiSchema("prod").shape);
        const api = [...doc.matchAll(/api\.([A-Za-z]+)/g)].map((m) => m[1]).filter((k) => k !== "md");
        assert.ok(api.includes("manageAccountSettings"));
        assert.deepEqual(api.filter((k) => !apiKeys.includes(k)), []);
    });

    it("states the values the stack files hold", () => {
        assert.equal(configFor("prod").protect, true);
        assert.equal(configFor("dev").protect, false);
        assert.equal(configFor("prod").api.manageAccountSettings, true);
        assert.equal(configFor("dev").api.manageAccountSettings, false);
        assert.match(doc, /\*\*prod: `true`\.\*\*/);
        assert.match(doc, /\*\*dev: `false`\.\*\*/);
        assert.match(doc, /config\.ts requires `protectStatefulResources: true` when `environment` is `prod`/);
        assertProblem(problemsOf("prod", (v) => (v.protectStatefulResources = false)), "flodrama:protectStatefulResources", /true in prod/);
    });

    it("names only prod resources, snapshots and outputs the prod program has", () => {
        const inputs = JSON.stringify(prod.resources.map((r) => r.inputs));
        const s = stateful(true);
        const snapshots = [s.finalSnapshotIdentifier("flodrama-prod-docdb"), s.finalSnapshotIdentifier("flodrama-prod-redis")];
        const names = [...new Set([...doc.matchAll(/flodrama-prod-[a-z0-9-]*[a-z0-9]/g)].map((m) => m[0]))].filter((n) => !n.endsWith("-teardown"));
        assert.ok(names.length >= 4);
        const unknown = names.filter((n) => !inputs.includes(`"${n}"`) && !snapshots.includes(n));
        assert.deepEqual(unknown, [], "each is a physical name in the prod program or one of its final snapshots");
        assert.ok(inputs.includes(`"flodrama-prod-docdb"`) && inputs.includes(`"flodrama-prod-redis"`), "the final snapshots belong to these stores");
        for (const output of ["viewerUserPoolId", "adminUserPoolId", "apiLoadBalancerArn", "repositoryUrls"]) {
            assert.ok(doc.includes(`\`${output}\``), output);
            assert.ok(output in prod.outputs, `${output} is a stack output`);
        }
    });

    it("covers Pulumi protection and each AWS deletion protection, with the flag lib/stateful.ts sets", () => {
        for (const needle of ["pulumi state unprotect", "--no-deletion-protection", "--deletion-protection INACTIVE", "deletion_protection.enabled,Value=false", "update-cluster-config", "replicated function", "schedule-key-deletion"]) {
            assert.ok(doc.includes(needle), needle);
        }
        assert.match(doc, new RegExp(`KMS \`deletionWindowInDays\` \\| ${KMS_DELETION_WINDOW_DAYS.min} \\| ${KMS_DELETION_WINDOW_DAYS.max} \\|`));
        // The resources the table says carry AWS deletion protection are the ones prod protects that way.
        const protectedInProd = [
            prod.one("aws:docdb/cluster:Cluster").inputs.deletionProtection,
            ...prod.ofType("aws:cognito/userPool:UserPool").map((p) => p.inputs.deletionProtection === "ACTIVE"),
            prod.one("aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection,
            prod.one("eks:index:Cluster").inputs.deletionProtection,
        ];
        assert.ok(protectedInProd.every((v) => v === true));
    });

    it("docs/api.md no longer tells prod operators to set protectStatefulResources false", () => {
        const api = fs.readFileSync(path.join(PROJECT_DIR, "docs", "api.md"), "utf8");
        assert.doesNotMatch(api, /turn it off \(`protectStatefulResources`\)/);
        assert.match(api, /docs\/destroy\.md/);
    });
});

describe("the plan's destroy summary", () => {
    it("says which stack manages API Gateway's account setting, and what would stop a destroy", async () => {
        const prod = renderDestroySummary(await runProgram("prod"));
        const dev = renderDestroySummary(await runProgram("dev"));
        assert.match(prod, /account setting \(CloudWatch role\): managed by this stack, retained on delete/);
        assert.match(prod, /AWS deletion protection on: .*data-docdb/);
        assert.match(dev, /account setting \(CloudWatch role\): relies on the stack/);
        assert.match(dev, /AWS deletion protection on: none/);
        assert.match(dev, /Pulumi protect: 0 resource\(s\); retained on delete: none/);
    });
});

describe("api.manageAccountSettings: config", () => {
    it("is required: a stack must choose whether it owns the account setting", () => {
        assertProblem(problemsOf("dev", (v) => delete v.api.manageAccountSettings), "flodrama:api.manageAccountSettings", /true or false/);
    });

    it("is a boolean", () => {
        assertProblem(problemsOf("prod", (v) => (v.api.manageAccountSettings = "yes")), "flodrama:api.manageAccountSettings", /true or false/);
    });
});
