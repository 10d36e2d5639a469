/**
 * A read-through JSON cache in Redis with a TTL. Redis being down never fails a request: the value is
 * read from the store and the miss is counted (readiness reports Redis separately).
 */
import type Redis from "ioredis";
import { Counter, Registry } from "prom-client";
import { Logger } from "../common/log";

export const CACHE_KEY_PREFIX = "flodrama:api:";

export class JsonCache {
    private readonly lookups: Counter<"result">;

    constructor(
        private readonly redis: Redis,
        private readonly ttlSeconds: number,
        private readonly log: Logger,
        registry: Registry,
    ) {
        this.lookups = new Counter({ name: "api_cache_lookups_total", help: "Catalog cache lookups by result (hit, miss, error)", labelNames: ["result"] as const, registers: [registry] });
    }

    async getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T> {
        const fullKey = CACHE_KEY_PREFIX + key;
        try {
            const cached = await this.redis.get(fullKey);
            if (cached !== null) {
                this.lookups.inc({ result: "hit" });
                return JSON.parse(cached) as T;
            }
            this.lookups.inc({ result: "miss" });
        } catch (err) {
            this.lookups.inc({ result: "error" });
            this.log.warn("cache_unavailable", { key: fullKey, error: err as Error });
            return load();
        }
        const value = await load();
        // Absent items are not cached: `undefined` has no JSON form, and a new item shows at once.
        if (value !== undefined) {
            await this.redis.set(fullKey, JSON.stringify(value), "EX", this.ttlSeconds).catch((err: Error) => this.log.warn("cache_write_failed", { key: fullKey, error: err }));
        }
        return value;
    }
}
