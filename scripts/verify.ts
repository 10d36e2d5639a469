/**
 * `npm run verify -- <stack> [--json]`: checks a deployed stack end to end (site, HTTP and WebSocket
 * APIs, Kubernetes rollouts and HPAs, CloudWatch alarms) from its outputs. One line per check with a
 * progress indicator, then a summary table; `--json` prints one JSON document for CI instead. Exits 1
 * when any check fails, 2 on bad usage. Needs the Pulumi CLI logged in to the stack's backend, AWS
 * credentials (alarms, `aws eks get-token`) and network access to the cluster API.
 */
import { buildChecks, liveDeps, VerifyDeps } from "./verify/checks";
import { renderSummary, runChecks, VerifyReport } from "./verify/runner";

export async function verify(stack: string, json: boolean, deps: VerifyDeps, out: (s: string) => void, err: (s: string) => void): Promise<VerifyReport> {
    const outputs = await deps.outputs(stack);
    const checks = buildChecks(stack, outputs, deps);
    if (!json) {
        out(`Verifying stack \`${stack}\` (${checks.length} checks)`);
    }
    const report = await runChecks(stack, checks, json ? err : out);
    out(json ? JSON.stringify(report, null, 2) : `\n${renderSummary(report)}`);
    return report;
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const json = args.includes("--json");
    const stack = args.find((a) => !a.startsWith("-"));
    const unknown = args.filter((a) => a.startsWith("-") && a !== "--json");
    if (!stack || unknown.length) {
        console.error(`usage: npm run verify -- <stack> [--json]${unknown.length ? ` (unknown option ${unknown.join(", ")})` : ""}`);
        process.exit(2);
    }
    const report = await verify(stack, json, liveDeps, (s) => console.log(s), (s) => console.error(s));
    process.exitCode = report.ok ? 0 : 1;
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`verify: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
    });
}
