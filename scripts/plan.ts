/**
 * `npm run plan -- <stack>`: the offline plan. Runs the real program for `Pulumi.<stack>.yaml` under
 * the same mocks as the tests and prints the resource tree (each component with its children), a
 * count per resource type, what the remote components will create (an estimate), who may reach and
 * administer the Kubernetes API, the policy verdicts,
 * the monthly baseline cost and the critical path of a first `pulumi up`. Needs no AWS account and
 * no Pulumi CLI. Exits non-zero on bad config or a policy violation.
 */
import { ConfigError, StackFileError } from "../lib/configErrors";
import { FlodramaConfig } from "../config";
import { renderAddonVersions } from "../components/cluster/clusterSpecs";
import { configFor } from "../offline/stackConfig";
import { estimateCost, loadPrices, quantitiesOf, renderCost } from "../offline/cost";
import { criticalPath, renderCriticalPath } from "../offline/criticalPath";
import { clusterAccessLines } from "../offline/clusterAccess";
import { ProgramRun, RecordedResource, runProgram, stackNames } from "../offline/harness";
import { renderPolicyReport, runPolicies } from "../offline/policyRunner";
import { hiddenTypes, renderRemoteEstimates } from "../offline/remoteComponents";
import { renderDestroySummary } from "../offline/destroySummary";

/** FLODRAMA_SOURCE_MAPS=1 (see offline/register.js) also keeps stack traces. */
const DEBUG = process.env.FLODRAMA_SOURCE_MAPS === "1";

function usage(): never {
    console.error(`usage: npm run plan -- <stack>   (stacks: ${stackNames().join(", ")})`);
    process.exit(2);
}

function label(r: RecordedResource): string {
    const flags = [r.remote ? "remote component" : "", r.protect ? "protected" : "", r.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
    return `${r.name}  (${r.type})${flags.length ? `  [${flags.join(", ")}]` : ""}`;
}

export function renderTree(run: ProgramRun): string {
    const lines: string[] = [];
    const children = new Map<string | undefined, RecordedResource[]>();
    const urns = new Set(run.resources.map((r) => r.urn));
    for (const r of run.resources) {
        const parent = r.parent && urns.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const walk = (parent: string | undefined, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            lines.push(`${prefix}${last ? "└─ " : "├─ "}${label(r)}`);
            walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
        });
    };
    lines.push(`${run.stack} (stack)`);
    walk(undefined, "");
    return lines.join("\n");
}

/** Resources apart from components and providers: what the engine creates in the cloud or the cluster. */
export function resourceSummary(run: ProgramRun): string {
    const providers = run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).length;
    const remote = run.resources.filter((r) => r.remote).length;
    const components = run.resources.filter((r) => !r.custom && !r.remote).length;
    const resources = run.resources.length - providers - remote - components;
    return `${resources} resources, ${components} components, ${remote} remote components (their children not counted), ${providers} providers`;
}

export function renderCounts(run: ProgramRun): string {
    const counts = new Map<string, number>();
    for (const r of run.resources) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    const rows = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const width = Math.max(...rows.map(([t]) => t.length));
    return rows.map(([t, n]) => `  ${t.padEnd(width)}  ${String(n).padStart(4)}`).join("\n");
}

async function main(): Promise<void> {
    const stack = process.argv[2];
    if (!stack || stack.startsWith("-")) {
        usage();
    }
    if (!stackNames().includes(stack)) {
        console.error(`no Pulumi.${stack}.yaml in the project`);
        usage();
    }
    const started = Date.now();
    if (!DEBUG) {
        // Pulumi records `new Error().stack` for every promise and resource: formatting those frames
        // is a fifth of the plan's CPU. Config errors carry their whole story in the message.
        Error.stackTraceLimit = 0;
    }
    let run: ProgramRun;
    let cfg: FlodramaConfig;
    try {
        // The same validation the program runs first; its warnings (e.g. a Kubernetes version leaving support) head the plan.
        cfg = configFor(stack);
        run = await runProgram(stack);
    } catch (err) {
        if (err instanceof ConfigError || err instanceof StackFileError || (err as Error)?.name === "ConfigError") {
            console.error((err as Error).message);
            process.exit(1);
        }
        throw err;
    }
    console.log(`Offline plan for stack \`${stack}\` (mocked AWS and Kubernetes; nothing is contacted or created)\n`);
    if (cfg.bootstrap) {
        console.log("BOOTSTRAP RUN (flodrama:bootstrap: true): only the network, the image repositories and the deploy runner are declared (docs/first-deploy.md).\n");
    }
    for (const w of cfg.warnings) {
        console.log(`WARNING: ${w}\n`);
    }
    console.log(renderTree(run));
    console.log(`\nResources by type (${resourceSummary(run)}):`);
    console.log(renderCounts(run));
    console.log("\nRemote components (what they create is estimated from their inputs, not seen):");
    console.log(renderRemoteEstimates(run.resources, JSON.parse(run.config["flodrama:network"] ?? "{}").azCount));
    console.log("\nStack outputs:");
    for (const [k, v] of Object.entries(run.outputs)) {
        console.log(`  ${k}: ${run.secretOutputs.includes(k) ? "[secret]" : JSON.stringify(v)}`);
    }
    console.log(`\nEKS add-on versions (Kubernetes ${cfg.cluster.version}):`);
    console.log(renderAddonVersions(cfg.cluster.version, cfg.cluster.addonVersions));
    console.log("\nWho may deploy and preview, from where (docs/deploy-access.md):");
    console.log(clusterAccessLines(run).map((l) => `  ${l}`).join("\n"));
    const report = runPolicies(run);
    console.log(`\nPolicy pack (${report.verdicts.length} policies; ${report.violations.length} violations, ${report.excepted.length} documented exceptions):`);
    console.log(renderPolicyReport(report, hiddenTypes(run.resources)));
    const cost = estimateCost(quantitiesOf(run), loadPrices(run.config["aws:region"] ?? "eu-west-3"));
    console.log(`\nEstimated monthly baseline cost (${cost.region}, USD, before traffic):`);
    console.log(renderCost(cost));
    console.log("\nDestroy (docs/destroy.md):");
    console.log(renderDestroySummary(run));
    console.log("\nCritical path of a first `pulumi up` (dependency graph × typical creation minutes):");
    console.log(renderCriticalPath(criticalPath(run.resources)));
    console.log(`\nPlanned in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (report.violations.length > 0) {
        process.exitCode = 1;
    }
}

if (require.main === module) {
    main().catch((err) => {
        console.error(err instanceof Error ? (err.stack ?? err.message) : err);
        if (!DEBUG) {
            console.error("(stack traces are off for speed: rerun with FLODRAMA_SOURCE_MAPS=1 to see where this came from)");
        }
        process.exit(1);
    });
}
