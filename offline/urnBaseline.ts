/**
 * The identity of every resource a stack deploys: its URN and its physical name (the inputs that AWS
 * and Kubernetes key the live object on). `tests/foundation/urns.test.ts` compares a run of the
 * program with the committed baseline (`tests/foundation/urn-baseline.json`), so a move or rename
 * that would replace a live resource fails a test instead of a `pulumi up`.
 * `npm run urn-baseline` rewrites the baseline after an intended, reviewed change.
 */
import * as fs from "fs";
import * as path from "path";
import { ProgramRun, RecordedResource, runProgram, stackNames, PROJECT_DIR } from "./harness";

export const BASELINE_FILE = path.join(PROJECT_DIR, "tests", "foundation", "urn-baseline.json");

/** Inputs that name a live object: changing one replaces it (or creates a second one). */
const PHYSICAL_NAME_KEYS = [
    "name",
    "namePrefix",
    "bucket",
    "bucketPrefix",
    "clusterIdentifier",
    "identifier",
    "replicationGroupId",
    "functionName",
    "roleName",
    "alarmName",
    "dashboardName",
    "budgetName",
    "topicName",
    "clusterName",
    "nodeGroupName",
    "addonName",
    "repositoryName",
    "aliasName",
    "domain",
    "domainName",
    "releaseName",
];

export interface ResourceIdentity {
    type: string;
    physical: Record<string, unknown>;
}

/** The physical name inputs of one resource (Kubernetes: namespace/name from metadata). */
export function physicalName(r: RecordedResource): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (r.type.startsWith("kubernetes:") && r.inputs.metadata && typeof r.inputs.metadata === "object") {
        const m = r.inputs.metadata;
        if (typeof m.name === "string") out["metadata.name"] = m.name;
        if (typeof m.namespace === "string") out["metadata.namespace"] = m.namespace;
    }
    for (const k of PHYSICAL_NAME_KEYS) {
        const v = r.inputs[k];
        if (typeof v === "string" || typeof v === "number") {
            out[k] = v;
        }
    }
    return out;
}

/** URN → identity, for every custom resource and component of a run. Providers are left out (no live object). */
export function identities(run: ProgramRun): Record<string, ResourceIdentity> {
    const out: Record<string, ResourceIdentity> = {};
    for (const r of run.resources) {
        if (r.type.startsWith("pulumi:providers:")) continue;
        out[r.urn] = { type: r.type, physical: physicalName(r) };
    }
    return out;
}

export async function writeBaseline(): Promise<void> {
    const all: Record<string, Record<string, ResourceIdentity>> = {};
    for (const stack of stackNames()) {
        all[stack] = identities(await runProgram(stack));
    }
    fs.writeFileSync(BASELINE_FILE, JSON.stringify(all, null, 1) + "\n");
    console.log(`wrote ${BASELINE_FILE}: ${Object.entries(all).map(([s, v]) => `${s} ${Object.keys(v).length}`).join(", ")}`);
}

if (require.main === module) {
    writeBaseline().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}

// ---- matching a run against the baseline ---------------------------------------------------------

/** The URN of a resource named `name` of type `type` under `parentUrn` (none, or the stack: top level). */
export function urnFor(stack: string, project: string, type: string, name: string, parentUrn?: string): string {
    const parentType = parentUrn?.split("::")[2];
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * The URN Pulumi's mocks give the same resource: they keep only the parent's own type, not its whole
 * chain (@pulumi/pulumi runtime/mocks.js `newUrn`). Runs and the committed baseline are recorded under
 * mocks, so an alias whose parent is two levels deep is matched in this form as well.
 */
export function mockUrnFor(stack: string, project: string, type: string, name: string, parentUrn?: string): string {
    const parentType = parentUrn?.split("::")[2]?.split("$").pop();
    return urnFor(stack, project, type, name, parentUrn && parentType ? `urn:pulumi:${stack}::${project}::${parentType}::parent` : undefined);
}

/**
 * Every URN a resource answers to, as the engine computes it: its own, each alias, and, because a
 * child's URN embeds its parent's type chain, the same alias set again under every URN its parent
 * answers to (a parent alias implies the child's old URN).
 */
export function knownUrns(run: ProgramRun, project: string): (r: RecordedResource) => Set<string> {
    const memo = new Map<string, Set<string>>();
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const parentsOf = (parentUrn: string | undefined): Array<string | undefined> => {
        if (!parentUrn) return [undefined];
        const parent = byUrn.get(parentUrn);
        return parent ? [...urnsOf(parent)] : [parentUrn];
    };
    const urnsOf = (r: RecordedResource): Set<string> => {
        const hit = memo.get(r.urn);
        if (hit) return hit;
        const out = new Set<string>([r.urn]);
        memo.set(r.urn, out);
        for (const p of parentsOf(r.parent)) out.add(urnFor(run.stack, project, r.type, r.name, p));
        for (const a of r.aliases) {
            if ("urn" in a) {
                out.add(a.urn);
                continue;
            }
            const parents = a.noParent ? [undefined] : parentsOf(a.parentUrn ?? r.parent);
            for (const p of parents) {
                out.add(urnFor(a.stack ?? run.stack, a.project ?? project, a.type ?? r.type, a.name ?? r.name, p));
                out.add(mockUrnFor(a.stack ?? run.stack, a.project ?? project, a.type ?? r.type, a.name ?? r.name, p));
            }
        }
        return out;
    };
    return urnsOf;
}

export interface BaselineComparison {
    /** New URN → the baseline URN it keeps (itself, or through an alias). */
    matched: Map<string, string>;
    /** Resources in the baseline that no resource of the run answers to: they would be deleted. */
    missing: string[];
    /** Matched resources whose physical name changed: they would be replaced. */
    renamed: Array<{ urn: string; baselineUrn: string; was: Record<string, unknown>; now: Record<string, unknown> }>;
    /** Baseline URNs claimed by two resources of the run. */
    claimedTwice: Array<{ baselineUrn: string; urns: string[] }>;
    /** Resources not in the baseline and aliasing none of it: created by the change. */
    added: string[];
}

export function compareWithBaseline(run: ProgramRun, baseline: Record<string, ResourceIdentity>, project: string): BaselineComparison {
    const urnsOf = knownUrns(run, project);
    const now = identities(run);
    const matched = new Map<string, string>();
    const claims = new Map<string, string[]>();
    const renamed: BaselineComparison["renamed"] = [];
    const added: string[] = [];
    for (const r of run.resources) {
        if (r.type.startsWith("pulumi:providers:")) continue;
        const old = [...urnsOf(r)].find((u) => u in baseline);
        if (!old) {
            added.push(r.urn);
            continue;
        }
        matched.set(r.urn, old);
        claims.set(old, [...(claims.get(old) ?? []), r.urn]);
        if (JSON.stringify(baseline[old].physical) !== JSON.stringify(now[r.urn].physical)) {
            renamed.push({ urn: r.urn, baselineUrn: old, was: baseline[old].physical, now: now[r.urn].physical });
        }
    }
    const missing = Object.keys(baseline).filter((u) => !claims.has(u));
    const claimedTwice = [...claims].filter(([, urns]) => urns.length > 1).map(([baselineUrn, urns]) => ({ baselineUrn, urns }));
    return { matched, missing, renamed, claimedTwice, added };
}

export function readBaseline(): Record<string, Record<string, ResourceIdentity>> {
    return JSON.parse(fs.readFileSync(BASELINE_FILE, "utf8"));
}
