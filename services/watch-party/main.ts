/**
 * The Watch Party process: API Gateway route calls and the direct WebSocket endpoint on PORT, rooms in
 * Redis with pub/sub fan-out across pods, probes and metrics on MANAGEMENT_PORT.
 */
import { randomUUID } from "crypto";
import * as http from "http";
import * as os from "os";
import { WEBSOCKET_MANAGEMENT_ENDPOINT_ENV } from "../../lib/serviceContract";
import { closeRedis, redisCheck, redisClient } from "../common/datastores";
import { commonConfig, Env } from "../common/env";
import { ServiceHost, runMain } from "../common/host";
import { router } from "../common/http";
import { createLogger, Logger } from "../common/log";
import { createMetrics } from "../common/metrics";
import { DirectTransport } from "./direct";
import { ApiGatewayPoster, gatewayRoutes } from "./gateway";
import { ConnectionPoster, RoomHub } from "./hub";

export const SERVICE_NAME = "watch-party";
/**
 * `true` opens the direct WebSocket endpoint (local use, tests). Off by default: in the cluster every
 * client comes through API Gateway, and an endpoint that trusts an upgrade header has no place there.
 */
export const DIRECT_WEBSOCKET_ENV = "WATCH_PARTY_DIRECT_WEBSOCKET";

export interface WatchPartyOverrides {
    /** Replaces PostToConnection (tests record the posts). */
    poster?: ConnectionPoster;
    host?: string;
    log?: Logger;
}

export interface WatchParty {
    host: ServiceHost;
    hub: RoomHub;
}

/** Watch Party keeps no data in MongoDB: it needs and checks Redis only. */
export async function startWatchParty(env: Env, overrides: WatchPartyOverrides = {}): Promise<WatchParty> {
    const config = commonConfig(env, { mongo: false, redis: true });
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
    const podId = `${os.hostname()}-${randomUUID().slice(0, 8)}`;
    const log = (overrides.log ?? createLogger({ service: SERVICE_NAME })).child({ pod: podId });
    const metrics = createMetrics(SERVICE_NAME);

    const redis = redisClient(config.redisUrl, log, `${SERVICE_NAME}-commands`);
    // A subscribed connection can run no other command: pub/sub has its own.
    const subscriber = redisClient(config.redisUrl, log, `${SERVICE_NAME}-events`);
    const gatewayPoster = overrides.poster ? undefined : new ApiGatewayPoster(region);
    const hub = new RoomHub(redis, subscriber, podId, overrides.poster ?? gatewayPoster!, log, metrics.registry);
    await hub.start();

    const app = http.createServer(router(gatewayRoutes(hub, env[WEBSOCKET_MANAGEMENT_ENDPOINT_ENV] || undefined, region), log, metrics));
    const direct = env[DIRECT_WEBSOCKET_ENV] === "true" ? new DirectTransport(hub, log) : undefined;
    direct?.attach(app);

    const checks = { redis: redisCheck(redis), redisEvents: () => hub.subscriptionCheck() };
    const host = new ServiceHost({ name: SERVICE_NAME, config, log, metrics, app, host: overrides.host, checks });
    // Sockets close before the HTTP drain (an upgraded socket would hold server.close() until its
    // deadline) and clients reconnect elsewhere; then their memberships go, then the Redis clients.
    host.beforeDrain("websockets", async () => direct?.close());
    host.onShutdown("rooms", () => hub.detachAll());
    host.onShutdown("redis", async () => {
        await closeRedis(subscriber);
        await closeRedis(redis);
        gatewayPoster?.close();
    });
    await host.start();
    return { host, hub };
}

/** Start the service as a process: JSON logs to stdout, drained and exited on SIGTERM. */
export function main(): void {
    runMain(SERVICE_NAME, createLogger({ service: SERVICE_NAME }), async () => (await startWatchParty(process.env)).host);
}

// Run directly (`node services/watch-party/main.js`) or through the image's entry point, which calls main().
if (require.main === module) {
    main();
}
