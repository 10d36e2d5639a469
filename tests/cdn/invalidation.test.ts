/**
 * The invalidation's dynamic provider, driven with the real AWS SDK against a local stand-in of
 * CloudFront's CreateInvalidation API (`AWS_ENDPOINT_URL_CLOUDFRONT`): the request it signs and sends,
 * the paths per change, and the diff that decides when it runs.
 */
import { strict as assert } from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import * as pulumi from "@pulumi/pulumi";
import { invalidationProvider } from "../../components/cdn/cdnInvalidation";

interface Seen {
    method: string;
    url: string;
    authorization: string;
    body: string;
}

const ENV_KEYS = ["AWS_ENDPOINT_URL_CLOUDFRONT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"];

function paths(body: string): string[] {
    return [...body.matchAll(/<Path>([^<]*)<\/Path>/g)].map((m) => m[1]);
}

describe("cdn invalidation: dynamic provider", () => {
    let server: http.Server;
    const seen: Seen[] = [];
    const saved: Record<string, string | undefined> = {};
    let counter = 0;
    const provider = invalidationProvider as Required<typeof invalidationProvider>;
    const inputs = (manifest: Record<string, string>, distributionId = "E2QWRUHEXAMPLE") => ({ distributionId, manifest, region: "us-east-1" });

    before(async () => {
        server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                seen.push({ method: req.method!, url: req.url!, authorization: String(req.headers.authorization ?? ""), body });
                const id = `I${++counter}EXAMPLE`;
                res.writeHead(201, { "content-type": "text/xml", location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/x/invalidation/${id}` });
                res.end(
                    `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>${id}</Id><Status>InProgress</Status>` +
                        `<CreateTime>2026-11-24T05:00:00Z</CreateTime><InvalidationBatch>${body.replace(/<\?xml[^>]*>/, "").replace(/<\/?InvalidationBatch[^>]*>/g, "")}</InvalidationBatch></Invalidation>`,
                );
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        for (const k of ENV_KEYS) {
            saved[k] = process.env[k];
            delete process.env[k];
        }
        process.env.AWS_ENDPOINT_URL_CLOUDFRONT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        process.env.AWS_ACCESS_KEY_ID = "AKIAOFFLINEEXAMPLE";
        process.env.AWS_SECRET_ACCESS_KEY = "offline-secret";
        process.env.AWS_CONFIG_FILE = "/dev/null";
        process.env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null";
    });

    after(async () => {
        for (const k of ENV_KEYS) {
            if (saved[k] === undefined) {
                delete process.env[k];
            } else {
                process.env[k] = saved[k];
            }
        }
        await new Promise((r) => server.close(r));
    });

    beforeEach(() => {
        seen.length = 0;
    });

    it("invalidates /* on the first upload, signed for CloudFront in us-east-1", async () => {
        const result = await provider.create(inputs({ "index.html": "a" }));
        assert.equal(seen.length, 1);
        assert.equal(seen[0].method, "POST");
        assert.equal(seen[0].url, "/2020-05-31/distribution/E2QWRUHEXAMPLE/invalidation");
        assert.match(seen[0].authorization, /Credential=AKIAOFFLINEEXAMPLE\/\d{8}\/us-east-1\/cloudfront\/aws4_request/);
        assert.deepEqual(paths(seen[0].body), ["/*"]);
        assert.match(seen[0].body, /<Quantity>1<\/Quantity>/);
        assert.match(seen[0].body, /<CallerReference>flodrama-\d+-[a-z0-9]+<\/CallerReference>/);
        assert.equal(result.id, "I1EXAMPLE");
        assert.deepEqual(result.outs!.paths, ["/*"]);
    });

    it("invalidates only the changed unhashed paths on a later upload", async () => {
        const olds = { ...inputs({ "index.html": "a", "robots.txt": "r" }), invalidationId: "I0", paths: ["/*"] };
        const news = inputs({ "index.html": "b", "robots.txt": "r" });
        assert.equal((await provider.diff("I0", olds, news)).changes, true);
        const result = await provider.update("I0", olds, news);
        assert.equal(seen.length, 1);
        assert.deepEqual(paths(seen[0].body), ["/", "/index.html"]);
        assert.match(seen[0].body, /<Quantity>2<\/Quantity>/);
        assert.deepEqual(result.outs!.paths, ["/", "/index.html"]);
        assert.notEqual(result.outs!.invalidationId, "I0");
    });

    it("does nothing when the unhashed files did not change", async () => {
        const olds = { ...inputs({ "index.html": "a" }), invalidationId: "I0", paths: ["/*"] };
        assert.equal((await provider.diff("I0", olds, inputs({ "index.html": "a" }))).changes, false);
        const result = await provider.update("I0", olds, inputs({ "index.html": "a" }));
        assert.equal(seen.length, 0);
        assert.equal(result.outs!.invalidationId, "I0");
    });

    it("replaces itself (and invalidates /*) when the distribution changes", async () => {
        const olds = { ...inputs({ "index.html": "a" }), invalidationId: "I0", paths: ["/*"] };
        const diff = await provider.diff("I0", olds, inputs({ "index.html": "a" }, "ENEWDISTRIBUTION"));
        assert.deepEqual([diff.changes, diff.replaces], [true, ["distributionId"]]);
    });

    it("deletes without calling CloudFront", async () => {
        await provider.delete("I0", { ...inputs({}), invalidationId: "I0", paths: [] });
        assert.equal(seen.length, 0);
    });

    it("serializes into a small closure that loads the AWS SDK at run time and captures no Pulumi module", async () => {
        // What pulumi.dynamic.Resource stores in the state and the engine's provider host evaluates.
        const sf = await pulumi.runtime.serializeFunction(() => invalidationProvider, { allowSecrets: true });
        assert.ok(sf.text.length < 10_000, `${sf.text.length} characters`);
        assert.ok(!/@pulumi\//.test(sf.text), "no Pulumi SDK inside the closure");
        assert.match(sf.text, /require\("@aws-sdk\/client-cloudfront"\)/);
    });
});
