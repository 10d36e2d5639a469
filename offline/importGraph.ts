/**
 * The program's import graph, read with the TypeScript compiler's pre-processor (`ts.preProcessFile`:
 * imports, re-exports, `import()` and `require()`, no type-check), and the layout rules checked on it
 * by tests/foundation/imports.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "./harness";

/** Where the program's own code lives; tests/ may import anything and are left out. */
export const GRAPH_ROOTS = ["index.ts", "platform.ts", "config.ts", "components", "k8s", "edge", "lib", "lambda", "policy", "offline", "scripts", "services"];

/** Project-relative path (posix) → project-relative paths it imports (project files only). */
export type ImportGraph = Map<string, string[]>;

function tsFiles(rel: string): string[] {
    const abs = path.join(PROJECT_DIR, rel);
    if (!fs.existsSync(abs)) return [];
    if (fs.statSync(abs).isFile()) return rel.endsWith(".ts") ? [rel] : [];
    return fs
        .readdirSync(abs)
        .filter((e) => e !== "node_modules" && !e.startsWith("."))
        .flatMap((e) => tsFiles(path.posix.join(rel, e)));
}

function resolve(fromRel: string, spec: string): string | undefined {
    if (!spec.startsWith(".")) return undefined;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
    for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
        const abs = path.join(PROJECT_DIR, candidate);
        if (candidate.endsWith(".ts") && fs.existsSync(abs) && fs.statSync(abs).isFile()) return candidate;
    }
    return undefined;
}

export function importGraph(roots: string[] = GRAPH_ROOTS): ImportGraph {
    const graph: ImportGraph = new Map();
    for (const file of roots.flatMap(tsFiles)) {
        const info = ts.preProcessFile(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"), true, true);
        const targets = info.importedFiles.map((f) => resolve(file, f.fileName)).filter((t): t is string => t !== undefined);
        graph.set(file, [...new Set(targets)]);
    }
    return graph;
}

/** Every import cycle, each as the path `a → b → … → a` (one per strongly connected component). */
export function cycles(graph: ImportGraph): string[][] {
    const out: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (node: string) => {
        state.set(node, "open");
        stack.push(node);
        for (const next of graph.get(node) ?? []) {
            if (state.get(next) === "open") {
                out.push([...stack.slice(stack.indexOf(next)), next]);
            } else if (!state.has(next)) {
                visit(next);
            }
        }
        stack.pop();
        state.set(node, "done");
    };
    for (const node of [...graph.keys()].sort()) {
        if (!state.has(node)) visit(node);
    }
    return out;
}

/** The feature folder of a file under components/ (`components/api/httpApi.ts` → `api`). */
export function featureOf(file: string): string | undefined {
    const m = /^components\/([^/]+)\//.exec(file);
    return m?.[1];
}

/** Imports that break the layout rules, as `from → to: rule`. */
export function layoutViolations(graph: ImportGraph): string[] {
    const out: string[] = [];
    for (const [from, targets] of graph) {
        for (const to of targets) {
            if (/^(k8s|edge|lib|lambda)\//.test(from) && (to.startsWith("components/") || to === "config.ts")) {
                out.push(`${from} → ${to}: k8s/, edge/, lib/ and lambda/ import only lib/ (and npm packages), never components/ or the stack config`);
            }
            const [a, b] = [featureOf(from), featureOf(to)];
            if (a !== undefined && b !== undefined && a !== b) {
                out.push(`${from} → ${to}: feature ${a} imports feature ${b}; features meet only through the types of lib/contracts.ts`);
            }
        }
    }
    return out;
}
