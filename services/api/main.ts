/**
 * The REST API process: app routes on PORT, probes and metrics on MANAGEMENT_PORT, MongoDB and Redis
 * from the data Secret, drained on SIGTERM.
 */
import * as http from "http";
import { PERSONALIZE_ENV } from "../../lib/serviceContract";
import { closeRedis, mongoStore, redisCheck, redisClient, Store } from "../common/datastores";
import { commonConfig, Env, intEnv } from "../common/env";
import { ServiceHost, runMain } from "../common/host";
import { router } from "../common/http";
import { createLogger, Logger } from "../common/log";
import { createMetrics } from "../common/metrics";
import { apiRoutes } from "./app";
import { JsonCache } from "./cache";
import { CATALOG_COLLECTION, CatalogCollection, CatalogRepository, MongoCatalogRepository } from "./catalog";

export const SERVICE_NAME = "api";
/** Seconds a catalog response stays in Redis (service setting, set through `services[].env`). */
export const CACHE_TTL_ENV = "CATALOG_CACHE_TTL_SECONDS";

export interface ApiOverrides {
    /** Replace MongoDB (tests: the in-memory catalog and a check that says whether it is "reachable"). */
    catalog?: Store<CatalogRepository>;
    host?: string;
    log?: Logger;
}

export async function startApi(env: Env, overrides: ApiOverrides = {}): Promise<ServiceHost> {
    const config = commonConfig(env, { mongo: overrides.catalog === undefined, redis: true });
    const ttl = intEnv(env, CACHE_TTL_ENV, 60, 1, 86400);
    const log = overrides.log ?? createLogger({ service: SERVICE_NAME });
    const metrics = createMetrics(SERVICE_NAME);

    const redis = redisClient(config.redisUrl, log, `${SERVICE_NAME}-cache`);
    const store = overrides.catalog ?? mongoStore(config.mongoUri, config.dataSecretDir, log, CATALOG_COLLECTION, (c: () => CatalogCollection) => new MongoCatalogRepository(c));

    const cache = new JsonCache(redis, ttl, log, metrics.registry);
    const app = http.createServer(router(apiRoutes({ catalog: store.repository, cache, personalization: Boolean(env[PERSONALIZE_ENV.trackingId]) }), log, metrics));
    const host = new ServiceHost({ name: SERVICE_NAME, config, log, metrics, app, host: overrides.host, checks: { mongodb: store.check, redis: redisCheck(redis) } });
    host.onShutdown("mongodb", () => store.close?.() ?? Promise.resolve());
    host.onShutdown("redis", () => closeRedis(redis));
    await host.start();
    return host;
}

/** Start the service as a process: JSON logs to stdout, drained and exited on SIGTERM. */
export function main(): void {
    runMain(SERVICE_NAME, createLogger({ service: SERVICE_NAME }), () => startApi(process.env));
}

// Run directly (`node services/api/main.js`) or through the image's entry point, which calls main().
if (require.main === module) {
    main();
}
