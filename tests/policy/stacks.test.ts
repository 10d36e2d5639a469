/**
 * The policy pack over every resource the program registers for each stack file, as
 * `pulumi preview --policy-pack policy` would run it: a mandatory violation fails here, naming the
 * resource, the policy and the fix.
 */
import { strict as assert } from "assert";
import { ALL_POLICIES } from "../../policy/all";
import { formatFinding, runPolicies } from "../../offline/policyRunner";
import { runProgram, stackNames } from "../../offline/harness";

for (const stack of stackNames()) {
    describe(`policy pack on stack ${stack}`, () => {
        it("has no mandatory violation", async () => {
            const report = runPolicies(await runProgram(stack));
            assert.equal(report.violations.length, 0, `\n${report.violations.map(formatFinding).join("\n")}`);
        });

        it("evaluates every policy and reports exceptions as advisories", async () => {
            const report = runPolicies(await runProgram(stack));
            assert.equal(report.verdicts.length, ALL_POLICIES.length);
            for (const f of report.excepted) {
                assert.ok(f.exception && f.exception.length > 0, `${f.policy} exception without a reason`);
            }
        });
    });
}
