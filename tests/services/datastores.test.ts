import { strict as assert } from "assert";
import { ObjectId } from "mongodb";
import { DATA_SECRET_MOUNT_PATH, MONGODB_CA_FILE, PROBE_PATHS } from "../../lib/serviceContract";
import { CatalogCollection, CatalogDocument, idFilter, MongoCatalogRepository } from "../../services/api/catalog";
import { startApi } from "../../services/api/main";
import { BackgroundConnection, mongoClientOptions } from "../../services/common/datastores";
import { memoryLogger, testEnv, waitFor } from "./helpers";
import { freePort } from "./redisServer";

describe("services: data stores", () => {
    describe("MongoDB driver options", () => {
        const ca = `${DATA_SECRET_MOUNT_PATH}/${MONGODB_CA_FILE}`;
        it("trusts the data Secret's CA bundle when the URI asks for TLS", () => {
            const uri = "mongodb://u:p@docdb-1.cluster.local:27017,docdb-2.cluster.local:27017/flodrama?tls=true&replicaSet=rs0&retryWrites=false";
            assert.equal(mongoClientOptions(uri, DATA_SECRET_MOUNT_PATH, (p) => p === ca).tlsCAFile, ca);
            assert.equal(mongoClientOptions("mongodb://h/db?ssl=TRUE", DATA_SECRET_MOUNT_PATH, () => true).tlsCAFile, ca);
        });
        it("leaves TLS alone without tls=true, and keeps a tlsCAFile the URI names", () => {
            assert.equal(mongoClientOptions("mongodb://mongo.flodrama-infra:27017/flodrama", DATA_SECRET_MOUNT_PATH, () => true).tlsCAFile, undefined);
            assert.equal(mongoClientOptions("mongodb://h/db?tls=true&tlsCAFile=/x.pem", DATA_SECRET_MOUNT_PATH, () => false).tlsCAFile, undefined);
        });
        it("says which file is missing when TLS is asked for without the CA bundle", () => {
            assert.throws(() => mongoClientOptions("mongodb://h/db?tls=true", DATA_SECRET_MOUNT_PATH, () => false), /\/etc\/flodrama\/data\/mongodb-ca\.pem does not exist/);
        });
        it("fails server selection fast enough for a readiness probe", () => {
            assert.ok((mongoClientOptions("mongodb://h/db", "/x").serverSelectionTimeoutMS ?? 30000) <= 2000);
            // A URI that sets its own timeout keeps it.
            assert.equal(mongoClientOptions("mongodb://h/db?serverSelectionTimeoutMS=100", "/x").serverSelectionTimeoutMS, undefined);
        });
    });

    describe("catalog repository on the driver", () => {
        const docs: CatalogDocument[] = [{ _id: "a", title: "A", year: 2020 }];
        const calls: Array<{ op: string; args: unknown[] }> = [];
        const collection: CatalogCollection = {
            find: (...args) => (calls.push({ op: "find", args }), { toArray: async () => docs }),
            findOne: async (...args) => (calls.push({ op: "findOne", args }), docs[0]),
        };
        const repo = new MongoCatalogRepository(() => collection);

        it("lists a stable page sorted by _id and maps _id to id", async () => {
            assert.deepEqual(await repo.list({ limit: 5, offset: 10 }), [{ id: "a", title: "A", year: 2020 }]);
            assert.deepEqual(calls.pop(), { op: "find", args: [{}, { sort: { _id: 1 }, skip: 10, limit: 5 }] });
        });
        it("finds by string id, or by string or ObjectId for 24 hex digits", async () => {
            await repo.get("a-show");
            assert.deepEqual(calls.pop(), { op: "findOne", args: [{ _id: "a-show" }] });
            const hex = "65a1b2c3d4e5f60718293a4b";
            assert.deepEqual(idFilter(hex), { _id: { $in: [hex, new ObjectId(hex)] } });
        });
    });

    describe("unreachable stores", () => {
        it("retries a failed connection in the background with capped backoff until stopped", async () => {
            let attempts = 0;
            const conn = new BackgroundConnection("x", async () => {
                attempts++;
                if (attempts < 3) {
                    throw new Error("refused");
                }
                return "client";
            }, async () => undefined, memoryLogger().log, { initialMs: 5, maxMs: 10 });
            conn.start();
            await waitFor("third attempt", async () => conn.current);
            assert.equal(attempts, 3);
            await conn.stop();
            assert.equal(conn.current, undefined);
        });

        it("a service whose MongoDB and Redis are unreachable reports not ready, stays alive and keeps retrying", async () => {
            // Ports that nothing listens on: connections are refused at once.
            const [mongoPort, redisPort] = [await freePort(), await freePort()];
            const logs = memoryLogger();
            const host = await startApi(testEnv({ mongoUri: `mongodb://127.0.0.1:${mongoPort}/flodrama?directConnection=true&serverSelectionTimeoutMS=100&connectTimeoutMS=100`, redisUrl: `redis://127.0.0.1:${redisPort}` }), { host: "127.0.0.1", log: logs.log });
            try {
                const mgmt = (p: string) => fetch(`http://127.0.0.1:${host.managementPort}${p}`);
                const ready = await mgmt(PROBE_PATHS.readiness);
                assert.equal(ready.status, 503);
                const body = (await ready.json()) as { checks: Record<string, string> };
                assert.notEqual(body.checks.mongodb, "ok");
                assert.notEqual(body.checks.redis, "ok");
                assert.equal((await mgmt(PROBE_PATHS.liveness)).status, 200);
                await waitFor("a MongoDB retry", async () => (logs.events().filter((e) => e.event === "datastore_unreachable" && e.store === "mongodb").length >= 2 ? true : undefined), 4000);
                // Still serving after the retries: no crash.
                assert.equal((await mgmt(PROBE_PATHS.liveness)).status, 200);
                assert.equal((await fetch(`http://127.0.0.1:${host.appPort}/health`)).status, 200);
                // The catalog answers 500 without leaking why, and the process lives on.
                assert.equal((await fetch(`http://127.0.0.1:${host.appPort}/catalog`)).status, 500);
                assert.ok(!logs.lines.some((l) => l.includes(`127.0.0.1:${mongoPort}/flodrama`)), "the URI is never logged");
            } finally {
                await host.shutdown();
            }
        });

        it("turns ready when Redis comes up after the service started", async () => {
            const port = await freePort();
            const host = await startApi(testEnv({ redisUrl: `redis://127.0.0.1:${port}` }), {
                catalog: { repository: { list: async () => [], get: async () => undefined }, check: async () => undefined },
                host: "127.0.0.1",
                log: memoryLogger().log,
            });
            const ready = () => fetch(`http://127.0.0.1:${host.managementPort}${PROBE_PATHS.readiness}`).then((r) => r.status);
            const { spawn } = await import("child_process");
            let child: ReturnType<typeof spawn> | undefined;
            try {
                assert.equal(await ready(), 503);
                child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
                await waitFor("ready after Redis started", async () => ((await ready()) === 200 ? true : undefined), 4000);
            } finally {
                await host.shutdown();
                if (child?.pid !== undefined && child.exitCode === null) {
                    const c = child;
                    await new Promise((r) => (c.once("exit", r), process.kill(c.pid!, "SIGTERM")));
                }
            }
        });
    });
});
