/**
 * The monitoring keys of the stack config: each stack file's values, and the errors raised before
 * anything is created (prod without a subscriber, a malformed address, a negative budget, a bad
 * dashboard name, datapoints above the evaluation periods).
 */
import { strict as assert } from "assert";
import { parseConfig } from "../../config";
import { PROJECT_DIR } from "../../offline/harness";
import { assertProblem, configFor, ConfigEdit, problemsOf, rawFor } from "../../offline/stackConfig";

const parse = (stack: string) => configFor(stack);
const problem = (stack: string, edit: ConfigEdit, key: string, expected: RegExp) => assertProblem(problemsOf(stack, edit), key, expected);

describe("monitoring: config", () => {
    it("reads each stack file's monitoring section", () => {
        const dev = parse("dev").monitoring;
        const prod = parse("prod").monitoring;
        assert.equal(dev.dashboardName, "FloDrama-Dashboard-dev");
        assert.equal(prod.dashboardName, "FloDrama-Dashboard");
        assert.ok(prod.alertEmails.length >= 1);
        assert.deepEqual(prod.alarms, { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 });
        assert.equal(prod.budget.monthlyLimitUsd, 12000);
        assert.equal(dev.prometheus.retention, "7d");
    });

    it("names the dashboard after any new stack by default, so stacks sharing an account do not collide", () => {
        const staging = parseConfig(rawFor("dev"), { stack: "staging", projectDir: PROJECT_DIR });
        assert.equal(staging.monitoring.dashboardName, "FloDrama-Dashboard-staging");
    });

    it("rejects prod without an alert e-mail", () => {
        problem("prod", (v) => (v.monitoring.alertEmails = []), "flodrama:monitoring.alertEmails", /at least one e-mail/);
    });

    it("rejects a malformed address", () => {
        problem("dev", (v) => (v.monitoring.alertEmails = ["ops.flodrama.com"]), "flodrama:monitoring.alertEmails[0]", /e-mail address/);
    });

    it("rejects a negative budget", () => {
        problem("prod", (v) => (v.monitoring.budget.monthlyLimitUsd = -100), "flodrama:monitoring.budget.monthlyLimitUsd", /number from 1/);
    });

    it("rejects a dashboard name CloudWatch would refuse", () => {
        problem("prod", (v) => (v.monitoring.dashboardName = "FloDrama Dashboard!"), "flodrama:monitoring.dashboardName", /CloudWatch dashboard name/);
    });

    it("rejects more datapoints to alarm than evaluation periods, and an invalid alarm period", () => {
        problem("dev", (v) => (v.monitoring.alarms.datapointsToAlarm = 9), "flodrama:monitoring.alarms.datapointsToAlarm", /at most evaluationPeriods/);
        problem("dev", (v) => (v.monitoring.alarms.periodSeconds = 90), "flodrama:monitoring.alarms.periodSeconds", /multiple of 60 \(the alarmed AWS metrics have one-minute resolution\)/);
        // Sub-minute periods only suit high-resolution metrics; none of the alarmed AWS metrics is one.
        problem("dev", (v) => (v.monitoring.alarms.periodSeconds = 30), "flodrama:monitoring.alarms.periodSeconds", /from 60 to 86400/);
    });

    it("rejects alarm timing that evaluates more than a day (CloudWatch's limit)", () => {
        problem("dev", (v) => Object.assign(v.monitoring.alarms, { periodSeconds: 3600, evaluationPeriods: 25, datapointsToAlarm: 2 }), "flodrama:monitoring.alarms.evaluationPeriods", /at most 24 .*one day/);
    });
});
