import { strict as assert } from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Registry } from "prom-client";
import { METRICS_PATH, PROBE_PATHS, SCRAPER_ENV } from "../../lib/serviceContract";
import { startScraper } from "../../services/scraper/main";
import { pageTitle, rawPageKey, Scraper } from "../../services/scraper/scraper";
import { parseSources, scraperConfig } from "../../services/scraper/sources";
import { InMemoryItemRepository, ItemsCollection, MongoItemRepository, S3PageStore } from "../../services/scraper/stores";
import { memoryLogger, testEnv } from "./helpers";

describe("services: scraper", () => {
    let site: http.Server;
    let base: string;
    before(async () => {
        site = http.createServer((req, res) => {
            if (req.url === "/page") {
                res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
                res.end("<html><head><title> Drama   list </title></head><body>x</body></html>");
            } else {
                res.writeHead(503).end();
            }
        });
        await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => site.close(() => r())));

    describe("configuration", () => {
        it("has no sources by default and accepts a JSON list", () => {
            assert.deepEqual(parseSources(undefined), []);
            assert.deepEqual(parseSources("[]"), []);
            assert.deepEqual(parseSources('[{"name":"feed","url":"https://example.com/a"}]'), [{ name: "feed", url: "https://example.com/a" }]);
        });
        it("refuses malformed sources with the variable, the entry and the fix", () => {
            assert.throws(() => parseSources("{"), /SCRAPER_SOURCES is not JSON/);
            assert.throws(() => parseSources('{"name":"a"}'), /must be a JSON list/);
            assert.throws(() => parseSources('[{"name":"Bad Name","url":"https://x"}]'), /SCRAPER_SOURCES\[0\]\.name/);
            assert.throws(() => parseSources('[{"name":"a","url":"https://x"},{"name":"a","url":"https://y"}]'), /appears twice/);
            assert.throws(() => parseSources('[{"name":"a","url":"file:///etc/passwd"}]'), /must be http or https/);
        });
        it("requires the bucket only when there is something to scrape, and a prefix ending in /", () => {
            assert.equal(scraperConfig({}).sources.length, 0);
            assert.throws(() => scraperConfig({ [SCRAPER_ENV.sources]: '[{"name":"a","url":"https://x"}]' }), /SCRAPER_BUCKET is not set/);
            assert.throws(() => scraperConfig({ [SCRAPER_ENV.prefix]: "scraper" }), /must end with "\/"/);
            assert.throws(() => scraperConfig({ [SCRAPER_ENV.intervalSeconds]: "1" }), /SCRAPER_INTERVAL_SECONDS="1" is not an integer from 10/);
        });
    });

    it("writes each page raw to S3 under its prefix and one item to MongoDB; a failing source does not stop the run", async () => {
        const items = new InMemoryItemRepository();
        const sent: PutObjectCommand[] = [];
        const pages = new S3PageStore({ send: async (c: PutObjectCommand) => sent.push(c) }, "bucket-1", "scraper/");
        const now = new Date("2026-11-28T10:00:00Z");
        const scraper = new Scraper({ items, pages, prefix: "scraper/", log: memoryLogger().log, registry: new Registry(), now: () => now });
        const result = await scraper.runOnce([
            { name: "broken", url: `${base}/down` },
            { name: "dramas", url: `${base}/page` },
        ]);
        assert.deepEqual(result, { ok: 1, failed: 1 });
        assert.equal(sent.length, 1);
        const input = sent[0].input;
        assert.equal(input.Bucket, "bucket-1");
        assert.match(input.Key!, /^scraper\/dramas\/2026-11-28\/[0-9a-f]{64}\.html$/);
        assert.equal(input.ContentType, "text/html; charset=utf-8");
        const item = items.items.get(`dramas:${base}/page`)!;
        assert.equal(item.title, "Drama list");
        assert.equal(item.rawKey, input.Key);
        assert.equal(item.fetchedAt, now);
    });

    it("refuses S3 keys outside its prefix (its IAM role could not write them)", async () => {
        const store = new S3PageStore({ send: async () => undefined }, "b", "scraper/");
        await assert.rejects(store.put("other/x.html", Buffer.from("x"), "text/html"), /outside the scraper's prefix scraper\//);
    });

    it("builds content-addressed keys and titles", () => {
        assert.equal(rawPageKey("p/", "s", new Date("2026-01-02T00:00:00Z"), "ab", "application/json; charset=utf-8"), "p/s/2026-01-02/ab.json");
        assert.equal(rawPageKey("p/", "s", new Date("2026-01-02T00:00:00Z"), "ab", "image/png"), "p/s/2026-01-02/ab.bin");
        assert.equal(pageTitle("<TITLE>A</TITLE>"), "A");
        assert.equal(pageTitle("<p>none</p>"), undefined);
    });

    it("upserts items through the driver by _id, keeping the first-seen date", async () => {
        const calls: unknown[][] = [];
        const collection: ItemsCollection = { updateOne: async (...args) => calls.push(args) };
        const at = new Date("2026-11-28T00:00:00Z");
        await new MongoItemRepository(() => collection).upsert({ _id: "s:u", source: "s", url: "u", contentType: "text/html", bytes: 1, sha256: "h", rawKey: "k", fetchedAt: at });
        assert.deepEqual(calls, [[{ _id: "s:u" }, { $set: { source: "s", url: "u", contentType: "text/html", bytes: 1, sha256: "h", rawKey: "k", fetchedAt: at }, $setOnInsert: { firstSeenAt: at } }, { upsert: true }]]);
    });

    it("runs as a service: scrapes at start, serves readiness and its metrics, stops cleanly", async () => {
        const items = new InMemoryItemRepository();
        const puts: string[] = [];
        const env = testEnv({}, { [SCRAPER_ENV.sources]: JSON.stringify([{ name: "dramas", url: `${base}/page` }]), [SCRAPER_ENV.bucket]: "b", [SCRAPER_ENV.prefix]: "scraper/" });
        const { host } = await startScraper(env, { items: { repository: items, check: async () => undefined }, pages: { put: async (k) => void puts.push(k) }, host: "127.0.0.1", log: memoryLogger().log });
        try {
            const deadline = Date.now() + 2000;
            while (items.items.size === 0 && Date.now() < deadline) {
                await new Promise((r) => setTimeout(r, 10));
            }
            assert.equal(items.items.size, 1);
            assert.equal((await fetch(`http://127.0.0.1:${host.managementPort}${PROBE_PATHS.readiness}`)).status, 200);
            const metrics = await (await fetch(`http://127.0.0.1:${host.managementPort}${METRICS_PATH}`)).text();
            // Label order is prom-client's business: match each label.
            const ok = metrics.split("\n").find((l) => l.startsWith("scraper_pages_total{") && l.includes('source="dramas"') && l.includes('result="ok"'));
            assert.match(ok ?? "", / 1$/);
            assert.equal(host.appPort, undefined, "the scraper opens no app port");
        } finally {
            await host.shutdown();
        }
    });
});
