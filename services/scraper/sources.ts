/** The scraper's configuration: its sources (SCRAPER_SOURCES, JSON), interval, bucket and prefix. */
import { DEFAULT_SCRAPER_INTERVAL_SECONDS, SCRAPER_ENV } from "../../lib/serviceContract";
import { Env, EnvError, intEnv, requiredEnv } from "../common/env";

export interface Source {
    /** Short name: the S3 key segment and part of each item's id. */
    name: string;
    url: string;
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const EXAMPLE = `[{"name":"catalog-feed","url":"https://example.com/feed"}]`;

export function parseSources(raw: string | undefined): Source[] {
    if (raw === undefined || raw.trim() === "") {
        return [];
    }
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        throw new EnvError(`${SCRAPER_ENV.sources} is not JSON; set a list such as ${EXAMPLE}, or [] for none`);
    }
    if (!Array.isArray(value)) {
        throw new EnvError(`${SCRAPER_ENV.sources} must be a JSON list such as ${EXAMPLE}, got ${typeof value}`);
    }
    const seen = new Set<string>();
    return value.map((entry, i) => {
        const e = entry as { name?: unknown; url?: unknown };
        if (typeof e?.name !== "string" || !SOURCE_NAME.test(e.name)) {
            throw new EnvError(`${SCRAPER_ENV.sources}[${i}].name must be 1-63 lower-case letters, digits or -, got ${JSON.stringify(e?.name)}`);
        }
        if (seen.has(e.name)) {
            throw new EnvError(`${SCRAPER_ENV.sources}[${i}].name ${e.name} appears twice; names must be unique`);
        }
        seen.add(e.name);
        let url: URL;
        try {
            url = new URL(String(e.url));
        } catch {
            throw new EnvError(`${SCRAPER_ENV.sources}[${i}].url ${JSON.stringify(e.url)} is not a URL; use https://...`);
        }
        if (url.protocol !== "https:" && url.protocol !== "http:") {
            throw new EnvError(`${SCRAPER_ENV.sources}[${i}].url must be http or https, got ${url.protocol}`);
        }
        return { name: e.name, url: url.toString() };
    });
}

export interface ScraperConfig {
    sources: Source[];
    intervalMs: number;
    bucket: string;
    /** Key prefix the scraper's IAM role may write (`<service name>/`). */
    prefix: string;
}

export function scraperConfig(env: Env): ScraperConfig {
    const sources = parseSources(env[SCRAPER_ENV.sources]);
    const prefix = env[SCRAPER_ENV.prefix] ?? "";
    if (prefix !== "" && !prefix.endsWith("/")) {
        throw new EnvError(`${SCRAPER_ENV.prefix}=${JSON.stringify(prefix)} must end with "/" (the program sets "<service>/")`);
    }
    return {
        sources,
        intervalMs: intEnv(env, SCRAPER_ENV.intervalSeconds, DEFAULT_SCRAPER_INTERVAL_SECONDS, 10, 7 * 86400) * 1000,
        // Without sources nothing is written, so the bucket may be absent (local runs).
        bucket: sources.length > 0 ? requiredEnv(env, SCRAPER_ENV.bucket, "the program sets it to the scraper bucket; locally name any bucket you can write") : (env[SCRAPER_ENV.bucket] ?? ""),
        prefix,
    };
}
