/**
 * The WebSocket authorizer as Lambda runs it: the esbuild bundle components/api.ts deploys. Its size is
 * bounded so that a dependency creeping in shows here; it needs nothing but Node.js built-ins.
 */
import { strict as assert } from "assert";
import Module from "module";
import * as zlib from "zlib";
import { bundleAuthorizer } from "../../components/api/apiSpecs";

/** Measured with aws-jwt-verify 5.2.1: 20,220 bytes raw, 6,775 gzip. The bounds leave room for small changes, not for a new library. */
export const AUTHORIZER_MAX_BYTES = 32 * 1024;
export const AUTHORIZER_MAX_GZIP_BYTES = 10 * 1024;

describe("api: authorizer bundle", () => {
    const code = bundleAuthorizer();

    it(`stays small: under ${AUTHORIZER_MAX_BYTES} bytes raw and ${AUTHORIZER_MAX_GZIP_BYTES} gzip`, () => {
        const raw = Buffer.byteLength(code);
        const gzip = zlib.gzipSync(code).length;
        assert.ok(raw < AUTHORIZER_MAX_BYTES, `${raw} bytes raw`);
        assert.ok(gzip < AUTHORIZER_MAX_GZIP_BYTES, `${gzip} bytes gzip`);
    });

    it("bundles aws-jwt-verify and requires only Node.js built-ins", () => {
        const requires = [...new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]))].sort();
        assert.deepEqual(requires.filter((r) => !Module.builtinModules.includes(r.replace(/^node:/, ""))), []);
        assert.match(code, /cognito-idp/, "the Cognito verifier is inside");
    });

    it("reads only ISSUER and AUDIENCE from the environment", () => {
        assert.deepEqual([...new Set(code.match(/process\.env\.\w+/g))].sort(), ["process.env.AUDIENCE", "process.env.ISSUER"]);
    });

    it("exports the handler, which refuses to run without its configuration", async () => {
        const m = new Module("ws-authorizer-bundle");
        const saved = { ISSUER: process.env.ISSUER, AUDIENCE: process.env.AUDIENCE };
        delete process.env.ISSUER;
        delete process.env.AUDIENCE;
        try {
            (m as any)._compile(code, "ws-authorizer-bundle.js");
        } finally {
            Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)));
        }
        assert.equal(typeof m.exports.handler, "function");
        await assert.rejects(m.exports.handler({ methodArn: "arn", queryStringParameters: { token: "x" } }), /ISSUER and AUDIENCE must be set/);
    });
});
