import { strict as assert } from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { verify } from "../../scripts/verify";
import { Alarm, AlarmClient } from "../../scripts/verify/alarms";
import { buildChecks, VerifyDeps } from "../../scripts/verify/checks";
import { hashedAssetOf, SECURITY_HEADERS } from "../../scripts/verify/http";
import { endpointOf, hpaProblem, KubeClient, rolloutProblem } from "../../scripts/verify/kubernetes";
import { runChecks, VerifyReport } from "../../scripts/verify/runner";

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-3f9a1c.js"></script></head><body><div id="root"></div></body></html>';

/** What the fake platform gets wrong; everything right by default. */
interface Faults {
    missingHeader?: string;
    deepLinkStatus?: number;
    assetCacheControl?: string;
    healthStatus?: number;
    meStatus?: number;
    websocket?: "accept" | 401 | 403 | 500;
}

function fakePlatform(faults: Faults): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer((req, res) => {
        const headers: Record<string, string> = {};
        for (const h of SECURITY_HEADERS) {
            if (h !== faults.missingHeader) {
                headers[h] = "set";
            }
        }
        const send = (status: number, body: string, extra: Record<string, string> = {}) => {
            res.writeHead(status, { "content-type": "text/html", ...headers, ...extra });
            res.end(body);
        };
        switch (req.url) {
            case "/":
                return send(200, INDEX);
            case "/some/deep/link":
                return faults.deepLinkStatus ? send(faults.deepLinkStatus, "not found") : send(200, INDEX);
            case "/assets/index-3f9a1c.js":
                return send(200, "export {}", { "cache-control": faults.assetCacheControl ?? "public, max-age=31536000, immutable" });
            case "/api/health":
                return send(faults.healthStatus ?? 200, "{}");
            case "/api/me":
                return send(faults.meStatus ?? 401, '{"message":"Unauthorized"}');
            default:
                return send(404, "no");
        }
    });
    server.on("upgrade", (_req, socket) => {
        const ws = faults.websocket ?? 401;
        socket.end(ws === "accept" ? "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" : `HTTP/1.1 ${ws} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
        }),
    );
}

const rolledOut = (name: string) => ({ metadata: { namespace: "flodrama", name, generation: 2 }, spec: { replicas: 2 }, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 } });
const scaling = (name: string) => ({ metadata: { namespace: "flodrama", name }, status: { conditions: [{ type: "ScalingActive", status: "True", reason: "ValidMetricFound" }], currentMetrics: [{ type: "Resource" }] } });

function fakeKube(deployments: any[], hpas: any[]): KubeClient {
    return { deployments: async () => deployments, horizontalPodAutoscalers: async () => hpas };
}

function fakeAlarms(alarms: Alarm[]): AlarmClient & { asked: string[] } {
    const asked: string[] = [];
    return { asked, alarmsWithPrefix: async (region, prefix) => (asked.push(`${region} ${prefix}`), alarms.filter((a) => a.region === region && a.name.startsWith(prefix))) };
}

async function verifyAgainst(
    faults: Faults,
    kube = fakeKube([rolledOut("api")], [scaling("api")]),
    alarms = fakeAlarms([{ name: "flodrama-dev-api-5xx", state: "OK", region: "eu-west-3" }]),
    printed: { json: boolean; out: string[]; err: string[] } = { json: true, out: [], err: [] },
): Promise<VerifyReport> {
    const p = await fakePlatform(faults);
    try {
        const deps: VerifyDeps = {
            outputs: async () => ({ siteUrl: p.url, httpApiUrl: `${p.url}/api`, websocketUrl: p.url.replace("http", "ws"), kubeconfig: { fake: true }, region: "eu-west-3", stack: "dev" }),
            kube: async () => kube,
            alarms: () => alarms,
        };
        return await verify("dev", printed.json, deps, (l) => printed.out.push(l), (l) => printed.err.push(l));
    } finally {
        await p.close();
    }
}

const failedNames = (r: VerifyReport) => r.checks.filter((c) => !c.ok).map((c) => c.name);

describe("npm run verify", function () {
    this.timeout(10_000);

    it("passes every check against a platform that honours the contract", async () => {
        const r = await verifyAgainst({});
        assert.deepEqual(failedNames(r), [], JSON.stringify(r.checks, null, 1));
        assert.equal(r.checks.length, 9);
        assert.equal(r.ok, true);
    });

    const cases: Array<[string, Faults, RegExp, RegExp]> = [
        ["a missing security header", { missingHeader: "permissions-policy" }, /security headers/, /missing permissions-policy/],
        ["a deep link that is not rewritten to index.html", { deepLinkStatus: 404 }, /deep link/, /answered 404/],
        ["hashed assets without the long cache header", { assetCacheControl: "no-cache" }, /cached for a year/, /"no-cache", expected max-age=31536000 and immutable/],
        ["an unhealthy API", { healthStatus: 503 }, /\/health answers 200/, /answered 503/],
        ["a protected route open without a token", { meStatus: 200 }, /\/me without a token/, /answered 200, expected 401/],
        ["a WebSocket API that accepts a connection without a token", { websocket: "accept" }, /WebSocket/, /accepted a connection without a token/],
        ["a WebSocket handshake failing for another reason", { websocket: 500 }, /WebSocket/, /answered 500, expected 401 or 403/],
    ];
    for (const [what, faults, check, detail] of cases) {
        it(`fails on ${what}, and only that check`, async () => {
            const r = await verifyAgainst(faults);
            const failed = r.checks.filter((c) => !c.ok);
            assert.equal(failed.length, 1, JSON.stringify(failed));
            assert.match(failed[0].name, check);
            assert.match(failed[0].detail, detail);
            assert.equal(r.ok, false);
        });
    }

    it("accepts a 403 WebSocket refusal", async () => {
        assert.deepEqual(failedNames(await verifyAgainst({ websocket: 403 })), []);
    });

    it("fails on an incomplete rollout and an HPA without metrics", async () => {
        const stuck = { ...rolledOut("watch-party"), status: { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 1 } };
        const blind = { metadata: { namespace: "flodrama", name: "api" }, status: { conditions: [{ type: "ScalingActive", status: "False", reason: "FailedGetResourceMetric", message: "no metrics" }] } };
        const r = await verifyAgainst({}, fakeKube([rolledOut("api"), stuck], [blind]));
        assert.deepEqual(failedNames(r), ["every Deployment's rollout is complete", "every HorizontalPodAutoscaler reads its metrics"]);
        assert.match(r.checks.find((c) => /rollout/.test(c.name))!.detail, /flodrama\/watch-party: 1 old replicas pending termination/);
        assert.match(r.checks.find((c) => /HorizontalPod/.test(c.name))!.detail, /ScalingActive False, FailedGetResourceMetric/);
    });

    it("fails when an alarm is in ALARM or none exists, and looks in the stack region and us-east-1", async () => {
        const firing = fakeAlarms([
            { name: "flodrama-dev-api-5xx", state: "OK", region: "eu-west-3" },
            { name: "flodrama-dev-cdn-5xx-rate", state: "ALARM", region: "us-east-1" },
        ]);
        const r = await verifyAgainst({}, undefined, firing);
        assert.deepEqual(failedNames(r), ["CloudWatch alarms exist and none is in ALARM"]);
        assert.match(r.checks.at(-1)!.detail, /in ALARM: flodrama-dev-cdn-5xx-rate \(us-east-1\)/);
        assert.deepEqual(firing.asked, ["eu-west-3 flodrama-dev-", "us-east-1 flodrama-dev-"]);
        const none = await verifyAgainst({}, undefined, fakeAlarms([]));
        assert.match(none.checks.at(-1)!.detail, /no alarm named flodrama-dev-\*/);
    });

    it("fails the checks whose stack output is missing, naming it", async () => {
        const checks = buildChecks("dev", { region: "eu-west-3" }, { kube: async () => fakeKube([], []), alarms: () => fakeAlarms([]) });
        const r = await runChecks("dev", checks);
        assert.equal(r.failed, 9);
        assert.match(r.checks[0].detail, /stack output siteUrl missing/);
        assert.match(r.checks[6].detail, /stack output kubeconfig missing/);
    });

    it("prints progress lines and a summary table, or with --json one JSON report on stdout and progress on stderr", async () => {
        const human = { json: false, out: [] as string[], err: [] as string[] };
        await verifyAgainst({}, undefined, undefined, human);
        assert.match(human.out[0], /Verifying stack `dev` \(9 checks\)/);
        assert.match(human.out[1], /^\[1\/9\] PASS {2}site serves index\.html/);
        assert.match(human.out.at(-1)!, /Verification of stack `dev`: 9 passed, 0 failed/);
        const ci = { json: true, out: [] as string[], err: [] as string[] };
        await verifyAgainst({ meStatus: 200 }, undefined, undefined, ci);
        assert.equal(ci.out.length, 1);
        const report = JSON.parse(ci.out[0]);
        assert.equal(report.ok, false);
        assert.equal(report.failed, 1);
        assert.equal(ci.err.length, 9);
    });

    it("runs checks in order, turning a thrown error into a failure", async () => {
        const lines: string[] = [];
        const report = await runChecks("dev", [{ name: "a", run: async () => ({ ok: true, detail: "fine" }) }, { name: "b", run: async () => { throw new Error("boom"); } }], (l) => lines.push(l));
        assert.match(lines[0], /^\[1\/2\] PASS {2}a: fine/);
        assert.match(lines[1], /^\[2\/2\] FAIL {2}b: boom/);
        assert.equal(report.ok, false);
    });
});

describe("verify helpers", () => {
    it("finds the hashed asset index.html references", () => {
        assert.equal(hashedAssetOf(INDEX), "/assets/index-3f9a1c.js");
        assert.equal(hashedAssetOf('<link rel="stylesheet" href="assets/main-ab12.css">'), "/assets/main-ab12.css");
        assert.equal(hashedAssetOf("<html></html>"), undefined);
    });

    it("judges rollouts like kubectl rollout status", () => {
        assert.equal(rolloutProblem(rolledOut("api")), undefined);
        assert.match(rolloutProblem({ ...rolledOut("api"), status: { observedGeneration: 1 } })!, /not observed generation 2/);
        assert.match(rolloutProblem({ ...rolledOut("api"), status: { ...rolledOut("api").status, availableReplicas: 1 } })!, /1 of 2 updated replicas available/);
        assert.match(rolloutProblem({ ...rolledOut("api"), status: { observedGeneration: 2, conditions: [{ type: "Progressing", reason: "ProgressDeadlineExceeded" }] } })!, /progress deadline/);
        assert.equal(hpaProblem(scaling("api")), undefined);
        assert.match(hpaProblem({ metadata: { namespace: "n", name: "h" }, status: {} })!, /no ScalingActive condition/);
    });

    it("reads server, CA and token from a kubeconfig, running its exec credential command", async () => {
        const kubeconfig = {
            "current-context": "c",
            contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
            clusters: [{ name: "k", cluster: { server: "https://example.eks", "certificate-authority-data": Buffer.from("CA").toString("base64") } }],
            users: [{ name: "u", user: { exec: { command: process.execPath, args: ["-e", 'console.log(JSON.stringify({status:{token:"k8s-aws-v1.x"}}))'] } } }],
        };
        const e = await endpointOf(JSON.stringify(kubeconfig));
        assert.equal(e.server, "https://example.eks");
        assert.equal(e.ca!.toString(), "CA");
        assert.equal(e.token, "k8s-aws-v1.x");
        await assert.rejects(endpointOf({ clusters: [] }), /names no cluster server/);
    });
});
