/**
 * The check runner of `npm run verify`: runs checks one after the other, prints one line per check with
 * a progress indicator, then a summary table (or one JSON document for CI). A check that throws fails
 * with the error's message; none is retried.
 */
export interface Outcome {
    ok: boolean;
    detail: string;
}

export interface Check {
    name: string;
    run(): Promise<Outcome>;
}

export interface CheckResult extends Outcome {
    name: string;
    seconds: number;
}

export interface VerifyReport {
    stack: string;
    ok: boolean;
    passed: number;
    failed: number;
    checks: CheckResult[];
}

export async function runChecks(stack: string, checks: Check[], progress: (line: string) => void = () => undefined): Promise<VerifyReport> {
    const results: CheckResult[] = [];
    for (const [i, c] of checks.entries()) {
        const started = Date.now();
        let outcome: Outcome;
        try {
            outcome = await c.run();
        } catch (err) {
            outcome = { ok: false, detail: err instanceof Error ? err.message : String(err) };
        }
        const result = { name: c.name, ...outcome, seconds: (Date.now() - started) / 1000 };
        results.push(result);
        progress(`[${String(i + 1).padStart(String(checks.length).length)}/${checks.length}] ${result.ok ? "PASS" : "FAIL"}  ${c.name}: ${result.detail} (${result.seconds.toFixed(1)} s)`);
    }
    const failed = results.filter((r) => !r.ok).length;
    return { stack, ok: failed === 0, passed: results.length - failed, failed, checks: results };
}

export function renderSummary(report: VerifyReport): string {
    const width = Math.max(...report.checks.map((c) => c.name.length), 5);
    const lines = [`Verification of stack \`${report.stack}\`: ${report.passed} passed, ${report.failed} failed`, "", `  ${"check".padEnd(width)}  result  seconds`];
    for (const c of report.checks) {
        lines.push(`  ${c.name.padEnd(width)}  ${c.ok ? "PASS  " : "FAIL  "}  ${c.seconds.toFixed(1).padStart(7)}`);
    }
    const failures = report.checks.filter((c) => !c.ok);
    if (failures.length) {
        lines.push("", "Failures:", ...failures.map((c) => `  ${c.name}: ${c.detail}`));
    }
    return lines.join("\n");
}
