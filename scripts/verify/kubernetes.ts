/**
 * Kubernetes checks of `npm run verify`: every Deployment's rollout is complete and every
 * HorizontalPodAutoscaler reads its metrics. The client talks to the API server with plain HTTPS and
 * the stack's `kubeconfig` output: server and CA from its cluster, a bearer token from its user, either
 * static or from the exec credential plugin the kubeconfig names (for EKS: `aws eks get-token`, so the
 * operator needs the AWS CLI and credentials that the cluster's access entries admit, as for kubectl).
 */
import { execFile } from "child_process";
import * as https from "https";
import { parse as parseYaml } from "yaml";
import { Check } from "./runner";

/** What the checks read from the cluster: `items` of a list call. */
export interface KubeClient {
    deployments(): Promise<any[]>;
    horizontalPodAutoscalers(): Promise<any[]>;
}

/** Why a Deployment's rollout is not complete (kubectl rollout status's rules), or undefined when it is. */
export function rolloutProblem(d: any): string | undefined {
    const name = `${d.metadata?.namespace}/${d.metadata?.name}`;
    const want = d.spec?.replicas ?? 1;
    const s = d.status ?? {};
    if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        return `${name}: the controller has not observed generation ${d.metadata.generation} yet`;
    }
    const progressing = (s.conditions ?? []).find((c: any) => c.type === "Progressing");
    if (progressing?.reason === "ProgressDeadlineExceeded") {
        return `${name}: rollout exceeded its progress deadline (${progressing.message ?? "no message"})`;
    }
    if ((s.updatedReplicas ?? 0) < want) {
        return `${name}: ${s.updatedReplicas ?? 0} of ${want} replicas updated`;
    }
    if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) {
        return `${name}: ${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas pending termination`;
    }
    if ((s.availableReplicas ?? 0) < want) {
        return `${name}: ${s.availableReplicas ?? 0} of ${want} updated replicas available`;
    }
    return undefined;
}

/** Why an HPA cannot scale on its metrics, or undefined when it reads them. */
export function hpaProblem(h: any): string | undefined {
    const name = `${h.metadata?.namespace}/${h.metadata?.name}`;
    const active = (h.status?.conditions ?? []).find((c: any) => c.type === "ScalingActive");
    if (!active) {
        return `${name}: no ScalingActive condition yet (the controller has not evaluated it)`;
    }
    if (active.status !== "True") {
        return `${name}: ScalingActive ${active.status}, ${active.reason}: ${active.message ?? ""} (metrics-server running? resource requests set?)`.trim();
    }
    if (!(h.status?.currentMetrics ?? []).length) {
        return `${name}: no current metrics`;
    }
    return undefined;
}

export function kubernetesChecks(client: () => Promise<KubeClient>): Check[] {
    let c: Promise<KubeClient> | undefined;
    const kube = () => (c ??= client());
    return [
        {
            name: "every Deployment's rollout is complete",
            run: async () => {
                const all = await (await kube()).deployments();
                const problems = all.map(rolloutProblem).filter((p): p is string => !!p);
                if (all.length === 0) {
                    return { ok: false, detail: "the cluster has no Deployment: the workloads were not deployed" };
                }
                return problems.length ? { ok: false, detail: problems.join("; ") } : { ok: true, detail: `${all.length} Deployments rolled out` };
            },
        },
        {
            name: "every HorizontalPodAutoscaler reads its metrics",
            run: async () => {
                const all = await (await kube()).horizontalPodAutoscalers();
                const problems = all.map(hpaProblem).filter((p): p is string => !!p);
                if (all.length === 0) {
                    return { ok: false, detail: "the cluster has no HorizontalPodAutoscaler: the workloads' autoscaling is missing" };
                }
                return problems.length ? { ok: false, detail: problems.join("; ") } : { ok: true, detail: `${all.length} HPAs read their metrics` };
            },
        },
    ];
}

// ---- REST client from a kubeconfig ----------------------------------------------------------------

interface Endpoint {
    server: string;
    ca?: Buffer;
    token: string;
    insecure: boolean;
}

function execToken(exec: any): Promise<string> {
    const env = { ...process.env };
    for (const e of exec.env ?? []) {
        env[e.name] = e.value;
    }
    return new Promise((resolve, reject) => {
        execFile(exec.command, exec.args ?? [], { env, timeout: 60_000 }, (err, stdout, stderr) => {
            if (err) {
                reject(new Error(`kubeconfig credential command \`${[exec.command, ...(exec.args ?? [])].join(" ")}\` failed: ${stderr.trim() || err.message} (is ${exec.command} installed and are AWS credentials set?)`));
                return;
            }
            try {
                resolve(JSON.parse(stdout).status.token);
            } catch {
                reject(new Error(`kubeconfig credential command \`${exec.command}\` printed no ExecCredential with status.token`));
            }
        });
    });
}

/** Server, CA and bearer token of the kubeconfig's current context. */
export async function endpointOf(kubeconfig: unknown): Promise<Endpoint> {
    const doc: any = typeof kubeconfig === "string" ? parseYaml(kubeconfig) : kubeconfig;
    const contextName = doc?.["current-context"] ?? doc?.contexts?.[0]?.name;
    const context = (doc?.contexts ?? []).find((c: any) => c.name === contextName)?.context ?? {};
    const cluster = (doc?.clusters ?? []).find((c: any) => c.name === context.cluster)?.cluster ?? doc?.clusters?.[0]?.cluster;
    const user = (doc?.users ?? []).find((u: any) => u.name === context.user)?.user ?? doc?.users?.[0]?.user ?? {};
    if (!cluster?.server) {
        throw new Error("the kubeconfig output names no cluster server");
    }
    const token = user.token ?? (user.exec ? await execToken(user.exec) : undefined);
    if (!token) {
        throw new Error("the kubeconfig output's user has neither a token nor an exec credential command");
    }
    const caData = cluster["certificate-authority-data"];
    return { server: cluster.server, ca: caData ? Buffer.from(caData, "base64") : undefined, token, insecure: cluster["insecure-skip-tls-verify"] === true };
}

function getJson(e: Endpoint, path: string): Promise<any> {
    return new Promise((resolve, reject) => {
        const req = https.request(new URL(path, e.server), { headers: { Authorization: `Bearer ${e.token}`, Accept: "application/json" }, ca: e.ca, rejectUnauthorized: !e.insecure, timeout: 30_000 }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d) => (body += d));
            res.on("end", () => {
                if (res.statusCode !== 200) {
                    reject(new Error(`GET ${path} on the cluster answered ${res.statusCode}: ${body.slice(0, 200)} (does an access entry admit your identity?)`));
                    return;
                }
                resolve(JSON.parse(body));
            });
        });
        req.on("timeout", () => req.destroy(new Error(`the cluster API ${e.server} did not answer within 30 s (private endpoint? run from inside the VPC)`)));
        req.on("error", reject);
        req.end();
    });
}

export async function restKubeClient(kubeconfig: unknown): Promise<KubeClient> {
    const e = await endpointOf(kubeconfig);
    return {
        deployments: async () => (await getJson(e, "/apis/apps/v1/deployments")).items ?? [],
        horizontalPodAutoscalers: async () => (await getJson(e, "/apis/autoscaling/v2/horizontalpodautoscalers")).items ?? [],
    };
}
