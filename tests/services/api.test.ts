import { strict as assert } from "assert";
import Redis from "ioredis";
import { API_PATHS, IDENTITY_HEADERS, METRICS_PATH, PROBE_PATHS } from "../../lib/serviceContract";
import { CACHE_KEY_PREFIX } from "../../services/api/cache";
import { InMemoryCatalogRepository } from "../../services/api/catalog";
import { startApi } from "../../services/api/main";
import { ServiceHost } from "../../services/common/host";
import { memoryLogger, testEnv, waitReady } from "./helpers";
import { RedisServer, startRedis } from "./redisServer";

describe("services: api against a real Redis", () => {
    let redis: RedisServer;
    let host: ServiceHost;
    let repo: InMemoryCatalogRepository;
    let inspector: Redis;
    const logs = memoryLogger();
    let mongoUp = true;
    const app = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${host.appPort}${p}`, init);
    const mgmt = (p: string) => fetch(`http://127.0.0.1:${host.managementPort}${p}`);

    before(async () => {
        redis = await startRedis();
        inspector = new Redis(redis.url);
        repo = new InMemoryCatalogRepository([
            { id: "b-show", title: "Second" },
            { id: "a-show", title: "First", year: 2024 },
        ]);
        const check = async () => {
            if (!mongoUp) {
                throw new Error("fake MongoDB down");
            }
        };
        host = await startApi(testEnv({ redisUrl: redis.url }), { catalog: { repository: repo, check }, host: "127.0.0.1", log: logs.log });
        await waitReady(host);
    });
    after(async () => {
        await host?.shutdown();
        inspector?.disconnect();
        await redis?.stop();
    });

    it("answers GET /health on the app port without identity", async () => {
        const res = await app(API_PATHS.health);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { status: "ok" });
    });

    it("serves the catalog from MongoDB once, then from the Redis cache with a TTL", async () => {
        const before = repo.reads;
        const first = await app(`${API_PATHS.catalog}?limit=1`);
        assert.equal(first.status, 200);
        assert.deepEqual(await first.json(), { items: [{ id: "a-show", title: "First", year: 2024 }], limit: 1, offset: 0 });
        const second = await app(`${API_PATHS.catalog}?limit=1`);
        assert.deepEqual(await second.json(), { items: [{ id: "a-show", title: "First", year: 2024 }], limit: 1, offset: 0 });
        assert.equal(repo.reads, before + 1, "the second call must come from Redis");
        const ttl = await inspector.ttl(`${CACHE_KEY_PREFIX}catalog:list:1:0`);
        assert.ok(ttl > 0 && ttl <= 60, `TTL ${ttl}`);
    });

    it("serves one item by id through the cache, 404 for an unknown id (not cached)", async () => {
        const res = await app(`${API_PATHS.catalog}/b-show`);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { id: "b-show", title: "Second" });
        assert.ok(await inspector.get(`${CACHE_KEY_PREFIX}catalog:item:b-show`));
        assert.equal((await app(`${API_PATHS.catalog}/nope`)).status, 404);
        assert.equal(await inspector.exists(`${CACHE_KEY_PREFIX}catalog:item:nope`), 0);
    });

    it("rejects bad paging with 400 and unknown paths with 404", async () => {
        assert.equal((await app(`${API_PATHS.catalog}?limit=1000`)).status, 400);
        assert.equal((await app("/nothing")).status, 404);
        assert.equal((await app(API_PATHS.catalog, { method: "DELETE" })).status, 405);
    });

    it("GET /me echoes the verified identity headers and answers 401 without them", async () => {
        assert.equal((await app(API_PATHS.me)).status, 401);
        // A bearer token alone is not an identity: only API Gateway's header counts.
        assert.equal((await app(API_PATHS.me, { headers: { authorization: "Bearer abc.def.ghi" } })).status, 401);
        const res = await app(API_PATHS.me, { headers: { [IDENTITY_HEADERS.userId]: "user-123", [IDENTITY_HEADERS.groups]: "viewers, admins" } });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { userId: "user-123", groups: ["viewers", "admins"], personalization: false });
    });

    it("serves probes and metrics on the management port only", async () => {
        assert.equal((await mgmt(PROBE_PATHS.liveness)).status, 200);
        assert.equal((await mgmt(PROBE_PATHS.readiness)).status, 200);
        const metrics = await (await mgmt(METRICS_PATH)).text();
        assert.match(metrics, /http_request_duration_seconds_bucket\{.*route="\/catalog\/:id".*\}/);
        assert.match(metrics, /process_cpu_user_seconds_total/);
        assert.match(metrics, /api_cache_lookups_total\{[^}]*result="hit"[^}]*\} [1-9]/);
        for (const p of [METRICS_PATH, PROBE_PATHS.liveness, PROBE_PATHS.readiness]) {
            assert.equal((await app(p)).status, 404, `${p} must not be served on the app port`);
        }
    });

    it("reports not ready while MongoDB is down, and ready again when it is back", async () => {
        mongoUp = false;
        const down = await mgmt(PROBE_PATHS.readiness);
        assert.equal(down.status, 503);
        assert.deepEqual(((await down.json()) as { checks: unknown }).checks, { mongodb: "fake MongoDB down", redis: "ok" });
        assert.equal((await mgmt(PROBE_PATHS.liveness)).status, 200);
        mongoUp = true;
        assert.equal((await mgmt(PROBE_PATHS.readiness)).status, 200);
    });

    it("logs one JSON line per request without query string, token or authorization header", async () => {
        await app(`${API_PATHS.me}?token=secret-token-value`, { headers: { authorization: "Bearer secret-bearer" } });
        const line = logs.lines.find((l) => l.includes('"path":"/me"'));
        assert.ok(line, "a request line for /me");
        assert.ok(!logs.lines.some((l) => l.includes("secret-token-value") || l.includes("secret-bearer")));
        assert.equal(JSON.parse(line!).event, "http_request");
    });
});
