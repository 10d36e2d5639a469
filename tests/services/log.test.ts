import { strict as assert } from "assert";
import { SECRET_NAME_PATTERN } from "../../lib/serviceContract";
import { pathOnly } from "../../services/common/log";
import { memoryLogger } from "./helpers";

describe("services: JSON logs", () => {
    it("writes one JSON object per event with time, level, event and the fields", () => {
        const { log, events } = memoryLogger();
        log.child({ pod: "p1" }).warn("thing_happened", { count: 2, error: new Error("boom") });
        const [e] = events();
        assert.equal(e.level, "warn");
        assert.equal(e.event, "thing_happened");
        assert.equal(e.pod, "p1");
        assert.equal(e.count, 2);
        assert.deepEqual(e.error, { name: "Error", message: "boom" });
        assert.ok(!Number.isNaN(Date.parse(String(e.time))));
    });

    it("never writes a field named like a secret, a query string, a URI or headers", () => {
        const { log, lines } = memoryLogger();
        log.info("x", { authorization: "Bearer abc", idToken: "t1", DB_PASSWORD: "p", apiKey: "k", cookie: "c", query: "token=q", uri: "mongodb://u:p@h", headers: { a: 1 } });
        for (const leaked of ["Bearer abc", "t1", '"p"', '"k"', '"c"', "token=q", "mongodb://", '"a":1']) {
            assert.ok(!lines[0].includes(leaked), `${leaked} leaked: ${lines[0]}`);
        }
    });

    it("the secret-name pattern is the one the program uses to refuse plaintext env values", () => {
        for (const name of ["DB_PASSWORD", "CLIENT_SECRET", "GITHUB_TOKEN", "STRIPE_API_KEY", "APIKEY", "TLS_PRIVATE_KEY", "AWS_CREDENTIALS"]) {
            assert.ok(SECRET_NAME_PATTERN.test(name), name);
        }
        for (const name of ["PORT", "LOG_LEVEL", "SCRAPER_PREFIX", "CATALOG_CACHE_TTL_SECONDS"]) {
            assert.ok(!SECRET_NAME_PATTERN.test(name), name);
        }
    });

    it("keeps only the path of a request URL", () => {
        assert.equal(pathOnly("/ws?token=abc"), "/ws");
        assert.equal(pathOnly("/catalog/1#x"), "/catalog/1");
        assert.equal(pathOnly(undefined), "/");
    });
});
