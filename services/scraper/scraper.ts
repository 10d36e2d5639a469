/**
 * The periodic job: every interval, fetch each source, keep the raw page in S3 and one item per page
 * in MongoDB. Runs never overlap; one failing source does not stop the others.
 */
import { createHash } from "crypto";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { Logger } from "../common/log";
import { Source } from "./sources";
import { ItemRepository, PageStore } from "./stores";

export const USER_AGENT = "FloDramaScraper/1.0 (+https://github.com/flodrama)";
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;
export const FETCH_TIMEOUT_MS = 15_000;

export interface ScraperDeps {
    items: ItemRepository;
    pages: PageStore;
    /** Key prefix of the raw pages (`SCRAPER_PREFIX`). */
    prefix: string;
    log: Logger;
    registry: Registry;
    fetchImpl?: typeof fetch;
    now?: () => Date;
}

export function pageTitle(html: string): string | undefined {
    const m = /<title[^>]*>([^<]{1,500})<\/title>/i.exec(html);
    return m ? m[1].replace(/\s+/g, " ").trim() : undefined;
}

const EXTENSIONS: Record<string, string> = { "text/html": "html", "application/json": "json", "application/xml": "xml", "text/xml": "xml", "application/rss+xml": "xml", "text/plain": "txt" };

/** `<prefix><source>/<yyyy-mm-dd>/<sha256>.<ext>`: content-addressed, so an unchanged page is the same object. */
export function rawPageKey(prefix: string, source: string, fetchedAt: Date, sha256: string, contentType: string): string {
    const ext = EXTENSIONS[contentType.split(";")[0].trim().toLowerCase()] ?? "bin";
    return `${prefix}${source}/${fetchedAt.toISOString().slice(0, 10)}/${sha256}.${ext}`;
}

export class Scraper {
    private readonly pagesTotal: Counter<"source" | "result">;
    private readonly lastSuccess: Gauge<"source">;
    private readonly runDuration: Histogram;
    private timer?: NodeJS.Timeout;
    private running?: Promise<void>;
    private stopped = false;
    private readonly abort = new AbortController();

    constructor(private readonly deps: ScraperDeps) {
        const registers = [deps.registry];
        this.pagesTotal = new Counter({ name: "scraper_pages_total", help: "Pages scraped, by source and result (ok, fetch_error, store_error)", labelNames: ["source", "result"] as const, registers });
        this.lastSuccess = new Gauge({ name: "scraper_last_success_timestamp_seconds", help: "Unix time of the last successful scrape of each source", labelNames: ["source"] as const, registers });
        this.runDuration = new Histogram({ name: "scraper_run_duration_seconds", help: "Duration of a whole scrape run", buckets: [1, 5, 15, 60, 300, 900], registers });
    }

    /** One pass over every source; resolves with the count of sources that succeeded and failed. */
    async runOnce(sources: Source[]): Promise<{ ok: number; failed: number }> {
        const end = this.runDuration.startTimer();
        let ok = 0;
        for (const source of sources) {
            if (this.stopped) {
                break;
            }
            if (await this.scrape(source)) {
                ok++;
            }
        }
        end();
        const result = { ok, failed: sources.length - ok };
        this.deps.log.info("scrape_run_finished", result);
        return result;
    }

    private async scrape(source: Source): Promise<boolean> {
        const fetchImpl = this.deps.fetchImpl ?? fetch;
        let body: Buffer;
        let contentType: string;
        try {
            const res = await fetchImpl(source.url, {
                headers: { "user-agent": USER_AGENT },
                redirect: "follow",
                signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
            });
            if (!res.ok) {
                throw new Error(`HTTP ${res.status}`);
            }
            body = Buffer.from(await res.arrayBuffer());
            if (body.length > MAX_PAGE_BYTES) {
                throw new Error(`page is ${body.length} bytes, more than ${MAX_PAGE_BYTES}`);
            }
            contentType = res.headers.get("content-type") ?? "application/octet-stream";
        } catch (err) {
            this.pagesTotal.inc({ source: source.name, result: "fetch_error" });
            // The source's name, not its URL: a configured URL may carry a key in its query string.
            this.deps.log.warn("scrape_fetch_failed", { source: source.name, error: err as Error });
            return false;
        }
        try {
            const fetchedAt = (this.deps.now ?? (() => new Date()))();
            const sha256 = createHash("sha256").update(body).digest("hex");
            const rawKey = rawPageKey(this.deps.prefix, source.name, fetchedAt, sha256, contentType);
            await this.deps.pages.put(rawKey, body, contentType);
            const title = contentType.includes("html") ? pageTitle(body.toString("utf8")) : undefined;
            await this.deps.items.upsert({ _id: `${source.name}:${source.url}`, source: source.name, url: source.url, title, contentType, bytes: body.length, sha256, rawKey, fetchedAt });
            this.pagesTotal.inc({ source: source.name, result: "ok" });
            this.lastSuccess.set({ source: source.name }, fetchedAt.getTime() / 1000);
            return true;
        } catch (err) {
            this.pagesTotal.inc({ source: source.name, result: "store_error" });
            this.deps.log.warn("scrape_store_failed", { source: source.name, error: err as Error });
            return false;
        }
    }

    /** Run now, then every `intervalMs` after the previous run ended (never two at once). */
    start(sources: Source[], intervalMs: number): void {
        if (sources.length === 0) {
            this.deps.log.info("scraper_idle", { reason: "no sources configured" });
            return;
        }
        const loop = () => {
            this.running = this.runOnce(sources).then(() => {
                if (!this.stopped) {
                    this.timer = setTimeout(loop, intervalMs);
                }
            });
        };
        loop();
    }

    /** Stop scheduling, abort fetches in flight and wait for the current run to end. */
    async stop(): Promise<void> {
        this.stopped = true;
        clearTimeout(this.timer);
        this.abort.abort();
        await this.running;
    }
}
