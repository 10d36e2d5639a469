/**
 * `npm run bench [-- --runs N] [-- --only test|plan]`: wall times of `npm test` and of
 * `npm run plan -- <stack>` for every stack, median of N runs (3 by default), with the machine's core
 * count and load, against the targets of issue 13 (npm test ≤ 30 s and each plan ≤ 4 s on 2 cores).
 * A script, not a timed test: timings depend on the machine, so nothing here fails a build.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { stackNames } from "../offline/harness";

const ROOT = path.resolve(__dirname, "..");

export interface Measure {
    label: string;
    command: string;
    target: number;
    seconds: number[];
    failed: number;
}

export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    if (s.length === 0) {
        return NaN;
    }
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function renderBench(measures: Measure[], cores: number, load: number[]): string {
    const width = Math.max(...measures.map((m) => m.command.length));
    const lines = [`Machine: ${cores} cores, load average ${load.map((l) => l.toFixed(2)).join(" ")} (a load above the core count slows every figure), node ${process.version}`, ""];
    lines.push(`  ${"command".padEnd(width)}  median    runs (s)              target  verdict`);
    for (const m of measures) {
        const med = median(m.seconds);
        const verdict = m.failed ? `FAILED ${m.failed}×` : med <= m.target ? "ok" : "over";
        lines.push(`  ${m.command.padEnd(width)}  ${med.toFixed(1).padStart(5)} s  ${m.seconds.map((s) => s.toFixed(1)).join(", ").padEnd(20)}  ≤ ${String(m.target).padStart(2)} s  ${verdict}`);
    }
    return lines.join("\n");
}

function time(command: string, args: string[]): { seconds: number; ok: boolean } {
    const started = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) {
        console.error(`  ${command} ${args.join(" ")} exited ${r.status}:\n${(r.stderr ?? "").split("\n").slice(-15).join("\n")}`);
    }
    return { seconds, ok: r.status === 0 };
}

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
    const runs = Number(arg("--runs") ?? 3);
    const only = arg("--only");
    if (!Number.isInteger(runs) || runs < 1 || (only !== undefined && !["test", "plan"].includes(only))) {
        console.error("usage: npm run bench [-- --runs N (≥ 1)] [--only test|plan]");
        process.exit(2);
    }
    const measures: Measure[] = [];
    if (only !== "test") {
        for (const stack of stackNames()) {
            measures.push({ label: `plan ${stack}`, command: `npm run plan -- ${stack}`, target: 4, seconds: [], failed: 0 });
        }
    }
    if (only !== "plan") {
        measures.push({ label: "test", command: "npm test", target: 30, seconds: [], failed: 0 });
    }
    for (const m of measures) {
        for (let i = 0; i < runs; i++) {
            process.stdout.write(`  ${m.command} (run ${i + 1}/${runs}) … `);
            const [cmd, ...args] = m.command.split(" ");
            const r = time(cmd, args);
            m.seconds.push(r.seconds);
            m.failed += r.ok ? 0 : 1;
            console.log(`${r.seconds.toFixed(1)} s${r.ok ? "" : " (failed)"}`);
        }
    }
    console.log(`\n${renderBench(measures, os.cpus().length, os.loadavg())}`);
}

if (require.main === module) {
    main();
}
