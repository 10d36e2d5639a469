/**
 * The checks `npm run verify -- <stack>` runs, built from the stack's outputs. Outputs are read with
 * the Pulumi Automation API (the Pulumi CLI and the stack's backend login, as for `pulumi up`); the
 * Kubernetes and CloudWatch clients are injectable so the tests run against fakes.
 */
import * as path from "path";
import { AlarmClient, alarmCheck, sdkAlarmClient } from "./alarms";
import { apiChecks, siteChecks, websocketCheck } from "./http";
import { KubeClient, kubernetesChecks, restKubeClient } from "./kubernetes";
import { Check } from "./runner";

export type Outputs = Record<string, unknown>;

export interface VerifyDeps {
    outputs(stack: string): Promise<Outputs>;
    kube(kubeconfig: unknown): Promise<KubeClient>;
    alarms(): AlarmClient;
}

/** Stack outputs through the Automation API (`pulumi stack output --json --show-secrets`). */
export async function automationOutputs(stack: string, workDir = path.resolve(__dirname, "..", "..")): Promise<Outputs> {
    // Loaded here: the Automation API is only needed against a real backend.
    const { LocalWorkspace } = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
    try {
        const s = await LocalWorkspace.selectStack({ stackName: stack, workDir });
        const outs = await s.outputs();
        return Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, v.value]));
    } catch (e) {
        const first = (e instanceof Error ? e.message : String(e)).split("\n").map((l) => l.trim()).find((l) => /ENOENT|error|failed|not found|no stack/i.test(l)) ?? String(e);
        throw new Error(`cannot read the outputs of stack ${stack} through the Pulumi Automation API (${first}). Install the Pulumi CLI, \`pulumi login\` to the stack's backend and run from the project directory.`);
    }
}

export const liveDeps: VerifyDeps = { outputs: (stack) => automationOutputs(stack), kube: restKubeClient, alarms: sdkAlarmClient };

/** Checks that need outputs the stack lacks fail with the missing output's name instead of running. */
function needing(outputs: Outputs, keys: string[], build: (values: string[]) => Check[], names: string[]): Check[] {
    const missing = keys.filter((k) => typeof outputs[k] !== "string" && !(k === "kubeconfig" && outputs[k]));
    if (missing.length === 0) {
        return build(keys.map((k) => outputs[k] as string));
    }
    return names.map((name) => ({ name, run: async () => ({ ok: false, detail: `stack output ${missing.join(", ")} missing (has \`pulumi up\` completed for this stack?)` }) }));
}

export function buildChecks(stack: string, outputs: Outputs, deps: Pick<VerifyDeps, "kube" | "alarms">): Check[] {
    const region = typeof outputs.region === "string" ? outputs.region : "eu-west-3";
    const stackName = typeof outputs.stack === "string" ? outputs.stack : stack;
    const expectedAlarms = Array.isArray(outputs.alarmNames) ? outputs.alarmNames.map(String) : [];
    return [
        ...needing(outputs, ["siteUrl"], ([u]) => siteChecks(u), ["site serves index.html with the security headers", "deep link answers 200 with index.html", "hashed assets are cached for a year, immutable"]),
        ...needing(outputs, ["httpApiUrl"], ([u]) => apiChecks(u), ["HTTP API GET /health answers 200", "HTTP API GET /me without a token answers 401"]),
        ...needing(outputs, ["websocketUrl"], ([u]) => [websocketCheck(u)], ["WebSocket connect without a token is refused"]),
        ...needing(outputs, ["kubeconfig"], () => kubernetesChecks(() => deps.kube(outputs.kubeconfig)), ["every Deployment's rollout is complete", "every HorizontalPodAutoscaler reads its metrics"]),
        alarmCheck(deps.alarms, [region, "us-east-1"], `flodrama-${stackName}-`, expectedAlarms),
    ];
}
