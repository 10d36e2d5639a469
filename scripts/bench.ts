/**
 * `npm run bench [-- --runs N] [-- --only test|plan]`: wall times of `npm test` and of
 * `npm run plan -- <stack>` for every stack, median of N runs (3 by default), with the machine's core
 * count and load, against the suite's targets (npm test ≤ 30 s and each plan ≤ 4 s on 2 cores).
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
    /** CPU seconds (user + system) of the command and its children, less sensitive to load than wall time. */
    cpu: number[];
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
    lines.push(`  ${"command".padEnd(width)}  median wall  runs (s)              median CPU  target  verdict`);
    for (const m of measures) {
        const med = median(m.seconds);
        const verdict = m.failed ? `FAILED ${m.failed}×` : med <= m.target ? "ok" : "over";
        lines.push(
            `  ${m.command.padEnd(width)}  ${med.toFixed(1).padStart(8)} s  ${m.seconds.map((s) => s.toFixed(1)).join(", ").padEnd(20)}  ${median(m.cpu).toFixed(1).padStart(8)} s  ≤ ${String(m.target).padStart(2)} s  ${verdict}`,
        );
    }
    return lines.join("\n");
}

/** Seconds in a bash `times` line (`0m1.234s 0m0.056s`): user + system. */
export function cpuSeconds(timesLine: string): number {
    return [...timesLine.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
}

function time(command: string): { seconds: number; cpu: number; ok: boolean } {
    const started = process.hrtime.bigint();
    // bash's `times` prints the shell's CPU, then its children's: the command's user and system time.
    const r = spawnSync("bash", ["-c", `${command} >/dev/null 2>/tmp/flodrama-bench.err; s=$?; times; exit $s`], { cwd: ROOT, encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) {
        const err = spawnSync("tail", ["-15", "/tmp/flodrama-bench.err"], { encoding: "utf8" }).stdout;
        console.error(`  ${command} exited ${r.status}:\n${err}`);
    }
    const lines = r.stdout.trim().split("\n");
    return { seconds, cpu: cpuSeconds(lines[lines.length - 1] ?? ""), ok: r.status === 0 };
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
            measures.push({ label: `plan ${stack}`, command: `npm run plan -- ${stack}`, target: 4, seconds: [], cpu: [], failed: 0 });
        }
    }
    if (only !== "plan") {
        measures.push({ label: "test", command: "npm test", target: 30, seconds: [], cpu: [], failed: 0 });
    }
    for (const m of measures) {
        for (let i = 0; i < runs; i++) {
            process.stdout.write(`  ${m.command} (run ${i + 1}/${runs}) … `);
            const r = time(m.command);
            m.seconds.push(r.seconds);
            m.cpu.push(r.cpu);
            m.failed += r.ok ? 0 : 1;
            console.log(`${r.seconds.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU${r.ok ? "" : " (failed)"}`);
        }
    }
    console.log(`\n${renderBench(measures, os.cpus().length, os.loadavg())}`);
}

if (require.main === module) {
    main();
}
