/**
 * The security headers: the header table built from stack config, the origin-response
 * handler on CloudFront event fixtures, and the esbuild bundle that Lambda@Edge runs.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import type { CloudFrontResultResponse, Context } from "aws-lambda";
import { bundleForConfig, securityHeadersConfigFor, VIEWER_PACKAGE_LIMIT_BYTES } from "../../edge/bundle";
import {
    buildSecurityHeaders,
    contentSecurityPolicy,
    createSecurityHeadersHandler,
    HeaderTable,
    SecurityHeadersConfig,
} from "../../edge/securityHeaders";
import { originResponseEvent, s3ErrorHeaders, s3HtmlHeaders, stackConfig } from "./fixtures";
import { managedLoginOrigins } from "../../components/identity/identity";

/** The stack's CSP inputs, with identity's managed-login origins as index.ts passes them. */
const headersFor = (cfg: ReturnType<typeof stackConfig>) => securityHeadersConfigFor(cfg, managedLoginOrigins(cfg.identity.domainPrefix, cfg.region));

const SEVEN = ["strict-transport-security", "content-security-policy", "x-content-type-options", "x-frame-options", "x-xss-protection", "referrer-policy", "permissions-policy"];

/** The CSP as a directive -> sources map. */
function directives(csp: string): Map<string, string[]> {
    return new Map(
        csp.split(";").map((d) => {
            const [name, ...values] = d.trim().split(/\s+/);
            return [name, values] as [string, string[]];
        }),
    );
}

const SAMPLE: SecurityHeadersConfig = {
    connectSources: ["https://*.execute-api.eu-west-3.amazonaws.com", "wss://ws.flodrama.com"],
    siteSources: ["https://www.flodrama.com"],
    formActions: ["https://flodrama-auth.auth.eu-west-3.amazoncognito.com"],
};

async function invoke(table: HeaderTable, status: string, headers = s3HtmlHeaders()): Promise<CloudFrontResultResponse> {
    const handler = createSecurityHeadersHandler(table);
    const result = await handler(originResponseEvent(status, headers), {} as Context, () => undefined);
    assert.ok(result, "the handler returns the response");
    return result as CloudFrontResultResponse;
}

function assertSecurityHeaders(response: CloudFrontResultResponse, table: HeaderTable): void {
    const h = response.headers!;
    for (const [name, value] of table) {
        assert.deepEqual(h[name.toLowerCase()], [{ key: name, value }], `${name} set once with the expected value`);
    }
    for (const name of SEVEN) {
        assert.equal(h[name]?.length, 1, `${name} present exactly once`);
    }
}

describe("security headers: values", () => {
    const table = buildSecurityHeaders(SAMPLE);
    const get = (name: string) => table.find(([n]) => n === name)?.[1];

    it("sets all seven headers of the seed, plus Cross-Origin-Opener-Policy, each once", () => {
        const names = table.map(([n]) => n.toLowerCase());
        assert.deepEqual(names.slice(0, 7).sort(), [...SEVEN].sort());
        assert.ok(names.includes("cross-origin-opener-policy"));
        assert.equal(new Set(names).size, names.length);
    });

    it("asks for HSTS for two years, with subdomains and preload", () => {
        assert.equal(get("Strict-Transport-Security"), "max-age=63072000; includeSubDomains; preload");
        assert.ok(Number(/max-age=(\d+)/.exec(get("Strict-Transport-Security")!)![1]) >= 31_536_000, "at least one year");
    });

    it("sets the fixed headers to their hardened values", () => {
        assert.equal(get("X-Content-Type-Options"), "nosniff");
        assert.equal(get("X-Frame-Options"), "DENY");
        assert.equal(get("X-XSS-Protection"), "0", "the legacy XSS auditor is disabled; the CSP protects");
        assert.equal(get("Referrer-Policy"), "strict-origin-when-cross-origin");
        assert.equal(get("Cross-Origin-Opener-Policy"), "same-origin");
    });

    it("lets the video player use fullscreen, autoplay, encrypted media and picture-in-picture, and denies the rest", () => {
        const policy = new Map(get("Permissions-Policy")!.split(", ").map((p) => p.split("=") as [string, string]));
        for (const allowed of ["fullscreen", "autoplay", "encrypted-media", "picture-in-picture"]) {
            assert.equal(policy.get(allowed), "(self)", allowed);
        }
        for (const denied of ["camera", "microphone", "geolocation", "payment", "usb", "display-capture"]) {
            assert.equal(policy.get(denied), "()", denied);
        }
    });

    it("builds the CSP from the config: same origin by default, the stack's origins where they belong", () => {
        const d = directives(contentSecurityPolicy(SAMPLE));
        assert.deepEqual(d.get("default-src"), ["'self'"]);
        assert.deepEqual(d.get("script-src"), ["'self'"]);
        assert.deepEqual(d.get("connect-src"), ["'self'", ...SAMPLE.connectSources]);
        assert.deepEqual(d.get("img-src"), ["'self'", "data:", "blob:", "https://www.flodrama.com"]);
        assert.deepEqual(d.get("media-src"), ["'self'", "blob:", "https://www.flodrama.com"]);
        assert.deepEqual(d.get("frame-ancestors"), ["'none'"]);
        assert.deepEqual(d.get("object-src"), ["'none'"]);
        assert.deepEqual(d.get("base-uri"), ["'self'"]);
        assert.deepEqual(d.get("form-action"), ["'self'", "https://flodrama-auth.auth.eu-west-3.amazoncognito.com"]);
        assert.deepEqual(d.get("upgrade-insecure-requests"), []);
        assert.ok(![...d.values()].flat().includes("'unsafe-eval'"));
        assert.ok(!d.get("script-src")!.includes("'unsafe-inline'"));
    });

    it("rejects an origin that is not https:// or wss:// scheme-and-host", () => {
        for (const bad of ["http://api.flodrama.com", "https://api.flodrama.com/path", "api.flodrama.com", "https://x.com; script-src *"]) {
            assert.throws(() => contentSecurityPolicy({ ...SAMPLE, connectSources: [bad] }), /not an https:\/\/ or wss:\/\/ origin/, bad);
        }
    });

    it("keeps the execute-api wildcard only for the API kind without a custom domain", () => {
        const dev = stackConfig("dev");
        const httpOnly = headersFor({ ...dev, api: { ...dev.api, domain: { names: ["api.example.com"], hostedZone: "example.com" } } });
        assert.deepEqual(httpOnly.connectSources.slice(0, 2), ["https://api.example.com", "wss://*.execute-api.eu-west-3.amazonaws.com"]);
    });

    it("derives the stack's origins from config alone (dev: no custom domains)", () => {
        const dev = headersFor(stackConfig("dev"));
        assert.deepEqual(dev.connectSources, [
            "https://*.execute-api.eu-west-3.amazonaws.com",
            "wss://*.execute-api.eu-west-3.amazonaws.com",
            "https://cognito-idp.eu-west-3.amazonaws.com",
            "https://flodrama-dev-auth.auth.eu-west-3.amazoncognito.com",
            "https://flodrama-dev-auth-admin.auth.eu-west-3.amazoncognito.com",
        ]);
        assert.deepEqual(dev.siteSources, []);
        assert.deepEqual(dev.formActions, ["https://flodrama-dev-auth.auth.eu-west-3.amazoncognito.com", "https://flodrama-dev-auth-admin.auth.eu-west-3.amazoncognito.com"]);
    });

    it("uses prod's custom API, WebSocket and site domains, without the execute-api wildcards", () => {
        const prod = headersFor(stackConfig("prod"));
        assert.deepEqual(prod.connectSources, [
            "https://api.flodrama.com",
            "wss://ws.flodrama.com",
            "https://cognito-idp.eu-west-3.amazonaws.com",
            "https://flodrama-auth.auth.eu-west-3.amazoncognito.com",
            "https://flodrama-auth-admin.auth.eu-west-3.amazoncognito.com",
        ]);
        assert.ok(!prod.connectSources.some((s) => s.includes("execute-api")), "no wildcard that any account's API matches");
        assert.deepEqual(prod.siteSources, ["https://flodrama.com", "https://www.flodrama.com"]);
        assert.deepEqual(prod.formActions, ["https://flodrama-auth.auth.eu-west-3.amazoncognito.com", "https://flodrama-auth-admin.auth.eu-west-3.amazoncognito.com"]);
        // Every value is a valid CSP source.
        assert.doesNotThrow(() => buildSecurityHeaders(prod));
    });
});

describe("security headers: origin-response handler", () => {
    const table = buildSecurityHeaders(SAMPLE);

    it("adds every header to a 200 HTML response and keeps S3's own headers untouched", async () => {
        const before = s3HtmlHeaders();
        const response = await invoke(table, "200", s3HtmlHeaders());
        assert.equal(response.status, "200");
        assertSecurityHeaders(response, table);
        for (const [k, v] of Object.entries(before)) {
            assert.deepEqual(response.headers![k], v, `${k} preserved`);
        }
        assert.equal(Object.keys(response.headers!).length, Object.keys(before).length + table.length);
    });

    it("adds every header to a 404 (the SPA fallback is fetched through it too) without touching the status", async () => {
        const response = await invoke(table, "404", s3ErrorHeaders());
        assert.equal(response.status, "404");
        assertSecurityHeaders(response, table);
        assert.deepEqual(response.headers!["content-type"], [{ key: "Content-Type", value: "application/xml" }]);
    });

    it("sets them on a 304 revalidation too, keeping the validators CloudFront refreshes the cache with", async () => {
        const headers = { etag: [{ key: "ETag", value: '"a1b2c3"' }], "last-modified": [{ key: "Last-Modified", value: "Tue, 24 Nov 2026 05:00:00 GMT" }] };
        const response = await invoke(table, "304", headers);
        assert.equal(response.status, "304");
        assertSecurityHeaders(response, table);
        assert.deepEqual(response.headers!.etag, [{ key: "ETag", value: '"a1b2c3"' }]);
        assert.deepEqual(response.headers!["last-modified"], [{ key: "Last-Modified", value: "Tue, 24 Nov 2026 05:00:00 GMT" }]);
    });

    it("replaces a header the origin already set, never duplicating it", async () => {
        const headers = {
            ...s3HtmlHeaders(),
            "strict-transport-security": [{ key: "Strict-Transport-Security", value: "max-age=60" }],
            "x-frame-options": [
                { key: "X-Frame-Options", value: "SAMEORIGIN" },
                { key: "x-frame-options", value: "ALLOW-FROM https://evil.example" },
            ],
        };
        const response = await invoke(table, "200", headers);
        assertSecurityHeaders(response, table);
        assert.deepEqual(response.headers!["strict-transport-security"], [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains; preload" }]);
        assert.deepEqual(response.headers!["x-frame-options"], [{ key: "X-Frame-Options", value: "DENY" }]);
        assert.deepEqual(response.headers!.etag, [{ key: "ETag", value: '"a1b2c3"' }]);
    });
});

describe("security headers: Lambda@Edge bundle", () => {
    for (const stack of ["dev", "prod"]) {
        it(`bundles ${stack}'s handler: small, no process.env, runs on its own`, async () => {
            const cfg = headersFor(stackConfig(stack));
            const bundle = bundleForConfig(cfg);
            // Measured: 1,911 bytes for dev, 1,952 for prod, under 1 KB gzipped; the viewer-trigger limit is 1 MB.
            assert.ok(bundle.bytes < 4 * 1024, `bundle is ${bundle.bytes} bytes`);
            assert.ok(zlib.gzipSync(bundle.code).length < 2 * 1024, "compressed package size");
            assert.ok(bundle.bytes < VIEWER_PACKAGE_LIMIT_BYTES / 100);
            assert.ok(!/process\.env/.test(bundle.code));
            assert.ok(!/\brequire\(/.test(bundle.code), "no runtime dependency left to resolve");
            assert.match(bundle.sha256, /^[0-9a-f]{64}$/);

            // Load it as Lambda would: a CommonJS module in a fresh directory, without node_modules around.
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edge-"));
            const file = path.join(dir, "index.js");
            fs.writeFileSync(file, bundle.code);
            const mod = require(file);
            assert.equal(typeof mod.handler, "function");
            const response = (await mod.handler(originResponseEvent("200", s3HtmlHeaders()))) as CloudFrontResultResponse;
            assertSecurityHeaders(response, buildSecurityHeaders(cfg));
            assert.equal(response.headers!["content-type"][0].value, "text/html; charset=utf-8");
            fs.rmSync(dir, { recursive: true, force: true });
        });
    }

    it("bakes the per-stack values into the code, so a config change changes the bundle", () => {
        const dev = bundleForConfig(headersFor(stackConfig("dev")));
        const prod = bundleForConfig(headersFor(stackConfig("prod")));
        assert.notEqual(dev.sha256, prod.sha256);
        assert.ok(prod.code.includes("wss://ws.flodrama.com"));
        assert.ok(!dev.code.includes("flodrama.com"));
        assert.equal(bundleForConfig(headersFor(stackConfig("dev"))).sha256, dev.sha256, "deterministic");
    });
});
