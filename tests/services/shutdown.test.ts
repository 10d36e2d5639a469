import { strict as assert } from "assert";
import * as http from "http";
import { WebSocket } from "ws";
import { DIRECT_WEBSOCKET_PATH, IDENTITY_HEADERS, PROBE_PATHS } from "../../lib/serviceContract";
import { exitOnSignals, ServiceHost } from "../../services/common/host";
import { router } from "../../services/common/http";
import { createMetrics } from "../../services/common/metrics";
import { DIRECT_WEBSOCKET_ENV, startWatchParty } from "../../services/watch-party/main";
import { memoryLogger, testEnv, waitReady } from "./helpers";
import { startRedis } from "./redisServer";

describe("services: graceful shutdown", () => {
    it("on SIGTERM: not ready at once, finishes requests in flight, refuses new ones, closes clients, exits 0", async () => {
        const { log, events } = memoryLogger();
        const metrics = createMetrics("test");
        let release!: () => void;
        const slow = new Promise<void>((r) => (release = r));
        const app = http.createServer(router([{ method: "GET", pattern: "/slow", handler: async () => (await slow, { status: 200, body: { done: true } }) }], log, metrics));
        const host = new ServiceHost({ name: "test", config: { port: 0, managementPort: 0, shutdownTimeoutMs: 3000 }, log, metrics, app, host: "127.0.0.1", checks: {} });
        let clientClosed = false;
        host.onShutdown("client", async () => void (clientClosed = true));
        await host.start();
        const exits: number[] = [];
        exitOnSignals(host, log, (code) => exits.push(code));

        const inFlight = fetch(`http://127.0.0.1:${host.appPort}/slow`);
        await new Promise((r) => setTimeout(r, 50));
        process.emit("SIGTERM", "SIGTERM");
        await new Promise((r) => setTimeout(r, 20));
        assert.equal((await fetch(`http://127.0.0.1:${host.managementPort}${PROBE_PATHS.readiness}`)).status, 503, "not ready while draining");
        await assert.rejects(fetch(`http://127.0.0.1:${host.appPort}/slow`), "no new connections once draining");
        assert.deepEqual(exits, [], "waits for the request in flight");
        release();
        const res = await inFlight;
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { done: true });
        await host.shutdown();
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(exits, [0]);
        assert.ok(clientClosed);
        assert.deepEqual(
            events().map((e) => e.event).filter((e) => String(e).startsWith("s")),
            ["service_started", "signal_received", "shutdown_started", "shutdown_complete"],
        );
        process.removeAllListeners("SIGINT");
    });

    it("a request that outlives the shutdown timeout is cut off, and the process still exits", async () => {
        const { log } = memoryLogger();
        const metrics = createMetrics("test");
        const app = http.createServer(router([{ method: "GET", pattern: "/hang", handler: () => new Promise(() => undefined) }], log, metrics));
        const host = new ServiceHost({ name: "test", config: { port: 0, managementPort: 0, shutdownTimeoutMs: 200 }, log, metrics, app, host: "127.0.0.1", checks: {} });
        await host.start();
        const hanging = fetch(`http://127.0.0.1:${host.appPort}/hang`).catch((e: Error) => e);
        await new Promise((r) => setTimeout(r, 50));
        const started = Date.now();
        await host.shutdown();
        assert.ok(Date.now() - started < 1500, `shutdown took ${Date.now() - started} ms`);
        assert.ok((await hanging) instanceof Error);
    });

    it("watch-party closes its WebSockets with 1001 (going away) so clients reconnect elsewhere", async () => {
        const redis = await startRedis();
        try {
            const wp = await startWatchParty(testEnv({ redisUrl: redis.url }, { [DIRECT_WEBSOCKET_ENV]: "true" }), { host: "127.0.0.1", log: memoryLogger().log, poster: { post: async () => "ok" } });
            await waitReady(wp.host);
            const ws = new WebSocket(`ws://127.0.0.1:${wp.host.appPort}${DIRECT_WEBSOCKET_PATH}`, { headers: { [IDENTITY_HEADERS.userId]: "u" } });
            await new Promise((r) => ws.once("open", r));
            const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
            const started = Date.now();
            await wp.host.shutdown();
            assert.equal(await closed, 1001);
            assert.ok(Date.now() - started < 1500, `shutdown took ${Date.now() - started} ms`);
        } finally {
            await redis.stop();
        }
    });
});
