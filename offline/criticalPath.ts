/**
 * Critical path of a first `pulumi up`, estimated offline: the run's dependency graph × typical
 * creation minutes per type (offline/creationMinutes.ts). A resource starts when its dependencies and
 * its provider are done; a component is done when its children are (and a dependency on a component
 * waits for all of them, as the engine does); a remote component (awsx VPC, eks Cluster) is one node
 * whose children are invisible. Pure.
 */
import { CREATION_MINUTES, CreationTime, creationTime } from "./creationMinutes";
import type { RecordedResource } from "./harness";

export interface PathStep {
    name: string;
    type: string;
    minutes: number;
    /** Minutes from the start of the update until this resource is done. */
    doneAt: number;
}

export interface CriticalPath {
    minutes: number;
    path: PathStep[];
}

/** The reference chain of a first deploy, taken as unavoidable (VPC 3 → EKS 11 → node group 4 → chart 2.5 → workloads 1.5). */
export const UNAVOIDABLE_MINUTES = 22;
/** Target: at most 10 % above the unavoidable chain. */
export const TARGET_MINUTES = Math.round(UNAVOIDABLE_MINUTES * 1.1 * 10) / 10;

export function criticalPath(resources: RecordedResource[], table: CreationTime[] = CREATION_MINUTES): CriticalPath {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        if (r.parent && byUrn.has(r.parent)) {
            children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
        }
    }
    const ancestors = (r: RecordedResource): Set<string> => {
        const out = new Set<string>();
        for (let p = r.parent; p && byUrn.has(p) && !out.has(p); p = byUrn.get(p)!.parent) {
            out.add(p);
        }
        return out;
    };
    const done = new Map<string, number>();
    const via = new Map<string, string | undefined>();
    const visiting = new Set<string>();
    const finish = (r: RecordedResource): number => {
        const known = done.get(r.urn);
        if (known !== undefined) {
            return known;
        }
        if (visiting.has(r.urn)) {
            // A dependency cycle the engine would reject; do not loop.
            return 0;
        }
        visiting.add(r.urn);
        const up = ancestors(r);
        const waitsFor = [...r.dependencies, ...(r.provider ? [r.provider] : []), ...(r.remote ? Object.values(r.providers) : [])].filter((u) => u !== r.urn && !up.has(u) && byUrn.has(u));
        let start = 0;
        let before: string | undefined;
        for (const u of waitsFor) {
            const t = finish(byUrn.get(u)!);
            if (t > start) {
                start = t;
                before = u;
            }
        }
        let end = start;
        if (r.custom || r.remote) {
            end = start + creationTime(r.type, table).minutes;
        } else {
            for (const c of children.get(r.urn) ?? []) {
                const t = finish(c);
                if (t > end) {
                    end = t;
                    before = c.urn;
                }
            }
        }
        visiting.delete(r.urn);
        done.set(r.urn, end);
        via.set(r.urn, before);
        return end;
    };
    let last: RecordedResource | undefined;
    for (const r of resources) {
        if (finish(r) > (last ? done.get(last.urn)! : -1)) {
            last = r;
        }
    }
    const path: PathStep[] = [];
    for (let u: string | undefined = last?.urn; u; u = via.get(u)) {
        const r = byUrn.get(u)!;
        if (r.custom || r.remote) {
            path.unshift({ name: r.name, type: r.type, minutes: creationTime(r.type, table).minutes, doneAt: done.get(u)! });
        }
    }
    const minutes = last ? Math.round(done.get(last.urn)! * 10) / 10 : 0;
    return { minutes, path: path.filter((s) => s.minutes > 0) };
}

/** The lines `npm run plan` prints: total, target, and each step that adds time. */
export function renderCriticalPath(cp: CriticalPath): string {
    const lines = [
        `  ${cp.minutes.toFixed(1)} min (target ≤ ${TARGET_MINUTES} min = 1.1 × the unavoidable ${UNAVOIDABLE_MINUTES} min chain VPC → EKS → node group → chart → workloads)${cp.minutes > TARGET_MINUTES ? "  OVER TARGET" : ""}`,
    ];
    for (const s of cp.path) {
        lines.push(`    ${s.doneAt.toFixed(1).padStart(5)} min  +${String(s.minutes).padEnd(4)} ${s.name}  (${s.type})`);
    }
    lines.push("  Minutes per type: offline/creationMinutes.ts (typical figures, each with its source).");
    return lines.join("\n");
}
