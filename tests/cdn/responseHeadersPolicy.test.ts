/**
 * Security headers on every response: the response headers policy is built from the
 * same table as the Lambda@Edge function, is attached to every cache behaviour, and produces the same
 * header set and values as the deployed function on a fixture.
 */
import { strict as assert } from "assert";
import { buildSecurityHeaders, HeaderTable, SecurityHeadersConfig } from "../../edge/securityHeaders";
import { headersOfPolicy, POLICY_HEADER_VALUE_MAX_CHARS, responseHeadersPolicyConfig } from "../../edge/responseHeadersPolicy";
import { ProgramRun, RecordedResource, runProgram, stackNames } from "../../offline/harness";
import { originResponseEvent, s3ErrorHeaders, s3HtmlHeaders } from "./fixtures";

const POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy";

const SAMPLE: SecurityHeadersConfig = {
    connectSources: ["https://api.flodrama.com", "wss://ws.flodrama.com"],
    siteSources: ["https://www.flodrama.com"],
    formActions: ["https://flodrama-auth.auth.eu-west-3.amazoncognito.com"],
};

/** Header name (lower case) → value, failing on a duplicate. */
function asMap(headers: ReadonlyArray<readonly [string, string]>): Map<string, string> {
    const m = new Map<string, string>();
    for (const [k, v] of headers) {
        assert.ok(!m.has(k.toLowerCase()), `${k} twice`);
        m.set(k.toLowerCase(), v);
    }
    return m;
}

/** What the edge function's origin-response handler adds to a response (headers the origin did not send), as name → value. */
async function handlerHeaders(code: string, headers = s3HtmlHeaders()): Promise<Map<string, string>> {
    const mod = { exports: {} as any };
    new Function("module", "exports", code)(mod, mod.exports);
    const fromOrigin = new Set(Object.keys(headers));
    const response = await mod.exports.handler(originResponseEvent("200", structuredClone(headers)));
    const entries = Object.entries(response.headers as Record<string, Array<{ key: string; value: string }>>).filter(([k]) => !fromOrigin.has(k));
    return new Map(entries.map(([k, v]) => [k, v[0].value]));
}

describe("security headers: response headers policy from the same table", () => {
    const table = buildSecurityHeaders(SAMPLE);
    const cfg = responseHeadersPolicyConfig(table);

    it("renders exactly the handler's header set and values", () => {
        assert.deepEqual(asMap(headersOfPolicy(cfg)), asMap(table));
    });

    it("overrides the origin's value of every header, as the handler does", () => {
        const s = cfg.securityHeadersConfig;
        for (const [name, h] of Object.entries(s)) {
            assert.equal(h.override, true, name);
        }
        assert.ok(cfg.customHeadersConfig.items.length > 0);
        assert.ok(cfg.customHeadersConfig.items.every((i) => i.override));
    });

    it("puts the six modelled headers in securityHeadersConfig and the rest (Permissions-Policy, COOP) in custom headers", () => {
        assert.deepEqual(cfg.customHeadersConfig.items.map((i) => i.header).sort(), ["Cross-Origin-Opener-Policy", "Permissions-Policy"]);
        assert.deepEqual(cfg.securityHeadersConfig.strictTransportSecurity, { accessControlMaxAgeSec: 63_072_000, includeSubdomains: true, preload: true, override: true });
        assert.deepEqual(cfg.securityHeadersConfig.xssProtection, { protection: false, override: true });
        assert.deepEqual(cfg.securityHeadersConfig.frameOptions, { frameOption: "DENY", override: true });
    });

    it("refuses values a policy cannot carry, naming the header", () => {
        const swap = (name: string, value: string): HeaderTable => table.map(([n, v]) => [n, n === name ? value : v] as const);
        assert.throws(() => responseHeadersPolicyConfig(swap("X-Frame-Options", "ALLOW-FROM https://x")), /X-Frame-Options value .* allowed: DENY, SAMEORIGIN/);
        assert.throws(() => responseHeadersPolicyConfig(swap("Strict-Transport-Security", "max-age=1; foo")), /Strict-Transport-Security/);
        assert.throws(() => responseHeadersPolicyConfig(swap("Referrer-Policy", "always")), /Referrer-Policy/);
        assert.throws(() => responseHeadersPolicyConfig(swap("Content-Security-Policy", "x".repeat(POLICY_HEADER_VALUE_MAX_CHARS + 1))), /Content-Security-Policy is 1784 characters/);
        assert.throws(() => responseHeadersPolicyConfig(table.filter(([n]) => n !== "X-Content-Type-Options")), /X-Content-Type-Options/);
    });
});

for (const stack of stackNames()) {
    describe(`security headers on every response, stack ${stack}`, () => {
        let run: ProgramRun;
        let policy: RecordedResource;
        let edgeCode: string;
        before(async () => {
            run = await runProgram(stack);
            policy = run.one(POLICY);
            const fn = run.ofType("aws:lambda/function:Function").find((f) => /security-headers/.test(f.inputs.name ?? f.name))!;
            edgeCode = await (await fn.inputs.code.assets)["index.js"].text;
        });

        it("creates one response headers policy, on the distribution's provider, under the site", () => {
            const dist = run.one("aws:cloudfront/distribution:Distribution");
            assert.equal(policy.parent, dist.parent);
            assert.equal(policy.provider, dist.provider);
            assert.equal(policy.inputs.name, `flodrama-${stack}-site-security-headers`);
        });

        it("attaches it to every cache behaviour, beside the edge function", () => {
            const d = run.one("aws:cloudfront/distribution:Distribution").inputs;
            const behaviours = [d.defaultCacheBehavior, ...d.orderedCacheBehaviors];
            assert.ok(behaviours.length >= 3);
            for (const b of behaviours) {
                // The mocks give every resource the id `<logical name>-id`.
                assert.equal(b.responseHeadersPolicyId, `${policy.name}-id`, b.pathPattern ?? "default");
                assert.equal(b.lambdaFunctionAssociations.length, 1, "the edge function stays");
            }
        });

        it("the policy gives the same header set and values as the deployed edge function on a fixture", async () => {
            const fromHandler = await handlerHeaders(edgeCode);
            const fromPolicy = asMap(headersOfPolicy(policy.inputs));
            assert.deepEqual([...fromPolicy.keys()].sort(), [...fromHandler.keys()].sort());
            for (const [k, v] of fromPolicy) {
                assert.equal(v, fromHandler.get(k), k);
            }
        });

        it("the edge function sets the same headers on an S3 error response", async () => {
            assert.deepEqual(await handlerHeaders(edgeCode, s3ErrorHeaders()), await handlerHeaders(edgeCode));
        });
    });
}
