/**
 * The scraper process: the periodic job, probes and metrics on MANAGEMENT_PORT. It serves no app
 * traffic (its Kubernetes object has no Service), so it opens no app port.
 */
import { mongoStore, Store } from "../common/datastores";
import { commonConfig, Env } from "../common/env";
import { ServiceHost, runMain } from "../common/host";
import { createLogger, Logger } from "../common/log";
import { createMetrics } from "../common/metrics";
import { Scraper } from "./scraper";
import { scraperConfig } from "./sources";
import { ItemRepository, ITEMS_COLLECTION, ItemsCollection, MongoItemRepository, PageStore, S3PageStore, s3Client } from "./stores";

export const SERVICE_NAME = "scraper";

export interface ScraperOverrides {
    /** Replace MongoDB and S3 (tests). */
    items?: Store<ItemRepository>;
    pages?: PageStore;
    host?: string;
    log?: Logger;
}

/** The scraper uses MongoDB and S3, not Redis: readiness checks MongoDB only. */
export async function startScraper(env: Env, overrides: ScraperOverrides = {}): Promise<{ host: ServiceHost; scraper: Scraper }> {
    const config = commonConfig(env, { mongo: overrides.items === undefined, redis: false });
    const scraping = scraperConfig(env);
    const log = overrides.log ?? createLogger({ service: SERVICE_NAME });
    const metrics = createMetrics(SERVICE_NAME);

    const store = overrides.items ?? mongoStore(config.mongoUri, config.dataSecretDir, log, ITEMS_COLLECTION, (c: () => ItemsCollection) => new MongoItemRepository(c));
    const s3 = overrides.pages ? undefined : s3Client(env.AWS_REGION || undefined);
    const pages = overrides.pages ?? new S3PageStore(s3!, scraping.bucket, scraping.prefix);

    const scraper = new Scraper({ items: store.repository, pages, prefix: scraping.prefix, log, registry: metrics.registry });
    const host = new ServiceHost({ name: SERVICE_NAME, config, log, metrics, host: overrides.host, checks: { mongodb: store.check } });
    host.onShutdown("scrape-run", () => scraper.stop());
    host.onShutdown("mongodb", () => store.close?.() ?? Promise.resolve());
    host.onShutdown("s3", async () => s3?.destroy());
    await host.start();
    scraper.start(scraping.sources, scraping.intervalMs);
    log.info("scraper_configured", { sources: scraping.sources.map((s) => s.name), intervalSeconds: scraping.intervalMs / 1000, prefix: scraping.prefix });
    return { host, scraper };
}

/** Start the service as a process: JSON logs to stdout, drained and exited on SIGTERM. */
export function main(): void {
    runMain(SERVICE_NAME, createLogger({ service: SERVICE_NAME }), async () => (await startScraper(process.env)).host);
}

// Run directly (`node services/scraper/main.js`) or through the image's entry point, which calls main().
if (require.main === module) {
    main();
}
