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
