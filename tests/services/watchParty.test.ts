import { strict as assert } from "assert";
import { WebSocket } from "ws";
import { DIRECT_WEBSOCKET_PATH, IDENTITY_HEADERS, METRICS_PATH, WEBSOCKET_HEADERS, WEBSOCKET_MANAGEMENT_ENDPOINT_ENV, WEBSOCKET_ROUTES } from "../../lib/serviceContract";
import { ConnectionPoster } from "../../services/watch-party/hub";
import { DIRECT_WEBSOCKET_ENV, startWatchParty, WatchParty } from "../../services/watch-party/main";
import { memoryLogger, testEnv, waitFor, waitReady } from "./helpers";
import { RedisServer, startRedis } from "./redisServer";

/** Records PostToConnection calls instead of calling AWS; `gone` ids answer 410. */
class RecordingPoster implements ConnectionPoster {
    posts: Array<{ endpoint: string; connectionId: string; data: Record<string, unknown> }> = [];
    gone = new Set<string>();
    async post(endpoint: string, connectionId: string, data: string): Promise<"ok" | "gone"> {
        this.posts.push({ endpoint, connectionId, data: JSON.parse(data) });
        return this.gone.has(connectionId) ? "gone" : "ok";
    }
}

interface Client {
    ws: WebSocket;
    events: Array<Record<string, unknown>>;
}

function connect(wp: WatchParty, userId: string): Promise<Client> {
    return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${wp.host.appPort}${DIRECT_WEBSOCKET_PATH}`, { headers: { [IDENTITY_HEADERS.userId]: userId } });
        const client: Client = { ws, events: [] };
        ws.on("message", (d) => client.events.push(JSON.parse(d.toString())));
        ws.once("open", () => resolve(client));
        ws.once("error", reject);
    });
}

const route = (key: string) => WEBSOCKET_ROUTES.find((r) => r.routeKey === key)!.path;
const settle = () => new Promise((r) => setTimeout(r, 150));
const ofType = (events: Array<Record<string, unknown>>, type: string) => events.filter((e) => e.type === type);

describe("services: watch-party across two instances and one real Redis", () => {
    let redis: RedisServer;
    let pod1: WatchParty;
    let pod2: WatchParty;
    const poster1 = new RecordingPoster();
    const poster2 = new RecordingPoster();
    const clients: Client[] = [];

    before(async () => {
        redis = await startRedis();
        const env = testEnv({ redisUrl: redis.url }, { AWS_REGION: "eu-west-3", [DIRECT_WEBSOCKET_ENV]: "true" });
        pod1 = await startWatchParty(env, { poster: poster1, host: "127.0.0.1", log: memoryLogger().log });
        pod2 = await startWatchParty(env, { poster: poster2, host: "127.0.0.1", log: memoryLogger().log });
        await Promise.all([waitReady(pod1.host), waitReady(pod2.host)]);
    });
    after(async () => {
        for (const c of clients) {
            c.ws.terminate();
        }
        await Promise.all([pod1?.host.shutdown(), pod2?.host.shutdown()]);
        await redis?.stop();
    });

    const gatewayCall = (pod: WatchParty, key: string, connectionId: string, body?: unknown, userId = "gw-user") =>
        fetch(`http://127.0.0.1:${pod.host.appPort}${route(key)}`, {
            method: "POST",
            headers: {
                [WEBSOCKET_HEADERS.connectionId]: connectionId,
                [WEBSOCKET_HEADERS.apiId]: "abc123",
                [WEBSOCKET_HEADERS.domainName]: "ws.example.com",
                [WEBSOCKET_HEADERS.stage]: "live",
                [WEBSOCKET_HEADERS.routeKey]: key,
                [WEBSOCKET_HEADERS.userId]: userId,
                "content-type": "application/json",
            },
            body: body === undefined ? undefined : JSON.stringify(body),
        });

    it("refuses a direct WebSocket without the identity header", async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${pod1.host.appPort}${DIRECT_WEBSOCKET_PATH}`);
        const status = await new Promise<number>((resolve) => ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)));
        assert.equal(status, 401);
    });

    it("delivers play/pause/seek to every member exactly once, across pods and transports", async () => {
        const alice = await connect(pod1, "alice");
        const bob = await connect(pod2, "bob");
        clients.push(alice, bob);
        alice.ws.send(JSON.stringify({ action: "join", room: "movie-night" }));
        await waitFor("alice joined", async () => (ofType(alice.events, "joined").length > 0 ? true : undefined));
        bob.ws.send(JSON.stringify({ action: "join", room: "movie-night" }));
        await waitFor("alice sees bob join", async () => (ofType(alice.events, "joined").some((e) => e.userId === "bob") ? true : undefined));
        // A viewer through API Gateway, connected and joined through pod 2.
        assert.equal((await gatewayCall(pod2, "$connect", "gw-1")).status, 200);
        assert.equal((await gatewayCall(pod2, "$default", "gw-1", { action: "join", room: "movie-night" })).status, 200);
        await settle();
        poster1.posts = [];
        poster2.posts = [];
        alice.events.length = 0;
        bob.events.length = 0;

        alice.ws.send(JSON.stringify({ action: "play", position: 12.5 }));
        bob.ws.send(JSON.stringify({ action: "pause", position: 20 }));
        assert.equal((await gatewayCall(pod1, "$default", "gw-1", { action: "seek", position: 42 })).status, 200);
        await waitFor("all three events at both sockets", async () => (alice.events.length >= 3 && bob.events.length >= 3 ? true : undefined));
        await settle();

        for (const [name, c] of [["alice", alice], ["bob", bob]] as const) {
            assert.deepEqual(c.events.map((e) => e.type).sort(), ["pause", "play", "seek"], `${name} got ${JSON.stringify(c.events)}`);
        }
        assert.deepEqual(ofType(alice.events, "play")[0], { ...ofType(alice.events, "play")[0], room: "movie-night", userId: "alice", position: 12.5 });
        assert.deepEqual(ofType(bob.events, "seek")[0], { ...ofType(bob.events, "seek")[0], userId: "gw-user", position: 42 });
        // The gateway member gets each event once, posted by the pod that handled the message only.
        const posts = [...poster1.posts, ...poster2.posts];
        assert.deepEqual(posts.map((p) => p.data.type).sort(), ["pause", "play", "seek"]);
        assert.ok(posts.every((p) => p.connectionId === "gw-1" && p.endpoint === "https://abc123.execute-api.eu-west-3.amazonaws.com/live"));
        assert.deepEqual(poster1.posts.map((p) => p.data.type).sort(), ["play", "seek"]);
        assert.deepEqual(poster2.posts.map((p) => p.data.type), ["pause"]);
    });

    it("stops delivering to a member that left, and tells the others", async () => {
        const [alice, bob] = clients;
        alice.events.length = 0;
        bob.events.length = 0;
        bob.ws.send(JSON.stringify({ action: "leave" }));
        await waitFor("alice sees bob leave", async () => (ofType(alice.events, "left").length > 0 ? true : undefined));
        alice.ws.send(JSON.stringify({ action: "play" }));
        await waitFor("alice's play", async () => (ofType(alice.events, "play").length > 0 ? true : undefined));
        await settle();
        assert.equal(ofType(bob.events, "play").length, 0);
    });

    it("answers protocol errors to the sender only, and drops gateway connections that are gone", async () => {
        const [alice] = clients;
        alice.events.length = 0;
        alice.ws.send("not json");
        await waitFor("error reply", async () => (ofType(alice.events, "error").length > 0 ? true : undefined));
        poster1.posts = [];
        poster1.gone.add("gw-1");
        alice.ws.send(JSON.stringify({ action: "pause" }));
        await waitFor("a post to the gone connection", async () => (poster1.posts.length > 0 ? true : undefined));
        await settle();
        poster1.posts = [];
        alice.ws.send(JSON.stringify({ action: "play" }));
        await waitFor("alice's play", async () => (ofType(alice.events, "play").length > 0 ? true : undefined));
        await settle();
        assert.deepEqual(poster1.posts, [], "no post after 410 Gone");
    });

    it("refuses gateway calls without a verified user, and handles $disconnect", async () => {
        assert.equal((await gatewayCall(pod1, "$connect", "gw-2", undefined, "")).status, 401);
        assert.equal((await gatewayCall(pod1, "$disconnect", "gw-1")).status, 200);
    });

    it("opens no direct WebSocket endpoint unless asked to (in the cluster every client comes through API Gateway)", async () => {
        const pod = await startWatchParty(testEnv({ redisUrl: redis.url }), { poster: new RecordingPoster(), host: "127.0.0.1", log: memoryLogger().log });
        try {
            const ws = new WebSocket(`ws://127.0.0.1:${pod.host.appPort}${DIRECT_WEBSOCKET_PATH}`, { headers: { [IDENTITY_HEADERS.userId]: "u" } });
            const outcome = await new Promise<string>((resolve) => {
                ws.once("open", () => resolve("open"));
                ws.once("error", () => resolve("refused"));
            });
            assert.equal(outcome, "refused");
        } finally {
            await pod.host.shutdown();
        }
    });

    it("uses the configured management endpoint when WEBSOCKET_MANAGEMENT_ENDPOINT is set", async () => {
        const poster = new RecordingPoster();
        const pod = await startWatchParty(testEnv({ redisUrl: redis.url }, { [WEBSOCKET_MANAGEMENT_ENDPOINT_ENV]: "http://127.0.0.1:1/local" }), { poster, host: "127.0.0.1", log: memoryLogger().log });
        try {
            await waitReady(pod.host);
            await gatewayCall(pod, "$connect", "gw-3");
            await gatewayCall(pod, "$default", "gw-3", { action: "join", room: "solo" });
            assert.equal(poster.posts[0]?.endpoint, "http://127.0.0.1:1/local");
        } finally {
            await pod.host.shutdown();
        }
    });

    it("exposes its metrics on the management port", async () => {
        const text = await (await fetch(`http://127.0.0.1:${pod1.host.managementPort}${METRICS_PATH}`)).text();
        assert.match(text, /watch_party_deliveries_total\{[^}]*transport="direct"[^}]*\} [1-9]/);
        assert.match(text, /watch_party_local_connections/);
    });
});
