/**
 * The WebSocket `$connect` authorizer (lambda/ws-authorizer) on signed-token fixtures: tokens signed with
 * locally generated keys, the JWKS served by a local HTTP server (the verifier's fetcher is pointed at it),
 * valid and invalid in each way that matters, and nothing of the token in any log line.
 */
import { strict as assert } from "assert";
import { createHmac, generateKeyPairSync, KeyObject, sign } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import type { APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import { NonRetryableFetchError } from "aws-jwt-verify/error";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { AuthorizerLog, createHandler, createVerifier, extraClaimChecks, reasonOf, settingsFromEnvironment } from "../../lambda/ws-authorizer/handler";

const POOL = "eu-west-3_Test1";
const ISSUER = `https://cognito-idp.eu-west-3.amazonaws.com/${POOL}`;
const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
const CLIENT = "spaclient123";
const METHOD_ARN = "arn:aws:execute-api:eu-west-3:123456789012:abc123/live/$connect";

type Key = { kid: string; privateKey: KeyObject; publicKey: KeyObject; jwk: Record<string, unknown> };

function rsaKey(kid: string, extra: Record<string, unknown> = { alg: "RS256", use: "sig" }): Key {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, ...extra } };
}

function ecKey(kid: string): Key {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" } };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

function token(key: Key, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    const h = b64({ alg: "RS256", kid: key.kid, typ: "JWT", ...header });
    const p = b64(claims);
    const sig = sign("sha256", Buffer.from(`${h}.${p}`), key.privateKey).toString("base64url");
    return `${h}.${p}.${sig}`;
}

const now = () => Math.floor(Date.now() / 1000);
const accessClaims = (over: Record<string, unknown> = {}) => ({
    sub: "8a1b2c3d-user-1",
    "cognito:groups": ["premium", "beta"],
    iss: ISSUER,
    client_id: CLIENT,
    origin_jti: "o-1",
    event_id: "e-1",
    token_use: "access",
    scope: "openid email",
    auth_time: now() - 60,
    iat: now() - 60,
    exp: now() + 3600,
    jti: "j-1",
    username: "viewer1",
    ...over,
});

function event(tok?: string): APIGatewayRequestAuthorizerEvent {
    return {
        type: "REQUEST",
        methodArn: METHOD_ARN,
        queryStringParameters: tok === undefined ? {} : { token: tok },
        requestContext: { requestId: "req-1" },
    } as unknown as APIGatewayRequestAuthorizerEvent;
}

/** A JWKS on 127.0.0.1 that counts its requests; the verifier's fetcher maps the Cognito URI onto it. */
class JwksServer {
    keys: Array<Record<string, unknown>> = [];
    hits = 0;
    status = 200;
    private server = http.createServer((_req, res) => {
        this.hits++;
        res.writeHead(this.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: this.keys }));
    });
    async start(): Promise<void> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    }
    stop(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
    /** A JWKS cache whose fetches go to this server, and only for the pool's JWKS URI. */
    cache(): SimpleJwksCache {
        const port = (this.server.address() as AddressInfo).port;
        return new SimpleJwksCache({
            fetcher: {
                fetch: async (uri: string) => {
                    assert.equal(uri, JWKS_URI, "the verifier asks for the pool's JWKS");
                    const res = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`);
                    if (res.status !== 200) {
                        throw new NonRetryableFetchError(uri, `Status code is ${res.status}, expected 200`);
                    }
                    return res.arrayBuffer();
                },
            },
        });
    }
}

describe("api: WebSocket authorizer", () => {
    const k1 = rsaKey("key-1");
    const k2 = rsaKey("key-2");
    const ec = ecKey("key-ec");
    const enc = rsaKey("key-enc", { alg: "RS256", use: "enc" });
    const oct = { kid: "key-oct", jwk: { kty: "oct", kid: "key-oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQ", alg: "HS256" } };
    const server = new JwksServer();
    const lines: Array<{ level: string; line: string }> = [];
    const log: AuthorizerLog = { info: (line) => lines.push({ level: "info", line }), error: (line) => lines.push({ level: "error", line }) };
    let handler: ReturnType<typeof createHandler>;

    before(() => server.start());
    after(() => server.stop());
    beforeEach(() => {
        server.keys = [k1.jwk, ec.jwk, enc.jwk, oct.jwk];
        server.hits = 0;
        server.status = 200;
        lines.length = 0;
        handler = createHandler(createVerifier({ userPoolId: POOL, clientId: CLIENT }, server.cache()), log);
    });

    it("allows a valid access token: principal is the subject, policy is this route only, context carries userId and groups", async () => {
        const res = await handler(event(token(k1, accessClaims())));
        assert.equal(res.principalId, "8a1b2c3d-user-1");
        assert.deepEqual(res.policyDocument, { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: METHOD_ARN }] });
        assert.deepEqual(res.context, { userId: "8a1b2c3d-user-1", groups: "premium,beta" });
        assert.equal(server.hits, 1, "the JWKS came from the server");
        assert.deepEqual(lines, [{ level: "info", line: JSON.stringify({ decision: "allow", sub: "8a1b2c3d-user-1", requestId: "req-1" }) }]);
    });

    it("gives an empty groups context to a viewer in no group", async () => {
        const res = await handler(event(token(k1, accessClaims({ "cognito:groups": undefined }))));
        assert.deepEqual(res.context, { userId: "8a1b2c3d-user-1", groups: "" });
    });

    const hmac = (claims: Record<string, unknown>, secret: string | Buffer, kid = "key-1") => {
        const h = b64({ alg: "HS256", kid, typ: "JWT" });
        const p = b64(claims);
        return `${h}.${p}.${createHmac("sha256", secret).update(`${h}.${p}`).digest("base64url")}`;
    };
    const cases: Array<[string, () => string | undefined, string]> = [
        ["a missing token", () => undefined, "no-token"],
        ["an expired token (one second past exp: no grace)", () => token(k1, accessClaims({ exp: now() - 1 })), "expired"],
        ["a token without exp", () => token(k1, accessClaims({ exp: undefined })), "no-expiry"],
        ["a token whose exp is not a number", () => token(k1, accessClaims({ exp: String(now() + 3600) })), "malformed"],
        ["a token whose nbf is not a number", () => token(k1, accessClaims({ nbf: "0" })), "malformed"],
        ["a token not valid yet (nbf in the future)", () => token(k1, accessClaims({ nbf: now() + 600 })), "not-yet-valid"],
        ["a token issued in the future (iat)", () => token(k1, accessClaims({ iat: now() + 600 })), "issued-in-future"],
        ["a token without iat", () => token(k1, accessClaims({ iat: undefined })), "no-issued-at"],
        ["a token with an empty sub", () => token(k1, accessClaims({ sub: "" })), "no-subject"],
        ["a token with a blank sub", () => token(k1, accessClaims({ sub: "  " })), "no-subject"],
        ["a token without sub", () => token(k1, accessClaims({ sub: undefined })), "no-subject"],
        ["an access token for another client", () => token(k1, accessClaims({ client_id: "otherclient" })), "wrong-client"],
        ["an ID token, even for the SPA client", () => token(k1, accessClaims({ token_use: "id", aud: CLIENT, client_id: undefined })), "wrong-token-use"],
        ["a token without token_use", () => token(k1, accessClaims({ token_use: undefined })), "wrong-token-use"],
        ["a token from another user pool", () => token(k1, accessClaims({ iss: "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Other" })), "wrong-issuer"],
        ["a token without iss", () => token(k1, accessClaims({ iss: undefined })), "wrong-issuer"],
        ["alg none without a signature", () => `${b64({ alg: "none", kid: "key-1" })}.${b64(accessClaims())}.`, "malformed"],
        ["alg none with a signature", () => `${b64({ alg: "none", kid: "key-1" })}.${b64(accessClaims())}.c2ln`, "unsupported-algorithm"],
        ["HS256 signed with the RSA public key (algorithm confusion)", () => hmac(accessClaims(), k1.publicKey.export({ format: "pem", type: "spki" })), "unsupported-algorithm"],
        ["a token signed by a key not in the JWKS (unknown kid)", () => token(k2, accessClaims()), "unknown-key"],
        ["a token without kid", () => token(k1, accessClaims(), { kid: undefined }), "unknown-key"],
        ["a tampered payload", () => {
            const [h, , s] = token(k1, accessClaims()).split(".");
            return `${h}.${b64(accessClaims({ sub: "admin" }))}.${s}`;
        }, "bad-signature"],
        ["a token whose JWKS key is for encryption (use: enc)", () => token(enc, accessClaims()), "key-not-for-signing"],
        ["a token whose JWKS key is symmetric (kty: oct)", () => hmac(accessClaims(), "secret-secret-secret", "key-oct"), "key-not-for-signing"],
        ["an ES256 token verified by an EC key of the JWKS (aws-jwt-verify accepts it; Cognito never signs so)", () => {
            const h = b64({ alg: "ES256", kid: ec.kid, typ: "JWT" });
            const p = b64(accessClaims());
            const s = sign("sha256", Buffer.from(`${h}.${p}`), { key: ec.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url");
            return `${h}.${p}.${s}`;
        }, "key-not-rsa"],
        ["an RS512 token from the pool's RSA key without alg", () => {
            const bare = rsaKey("key-bare", {});
            server.keys.push(bare.jwk);
            const h = b64({ alg: "RS512", kid: bare.kid, typ: "JWT" });
            const p = b64(accessClaims());
            return `${h}.${p}.${sign("sha512", Buffer.from(`${h}.${p}`), bare.privateKey).toString("base64url")}`;
        }, "unsupported-algorithm"],
        ["garbage", () => "not-a-jwt", "malformed"],
    ];
    for (const [name, tok, reason] of cases) {
        it(`refuses ${name}: Unauthorized, reason ${reason}`, async () => {
            await assert.rejects(handler(event(tok())), (e: Error) => e.message === "Unauthorized" && e.cause === undefined);
            assert.deepEqual(lines, [{ level: "info", line: JSON.stringify({ decision: "deny", reason, requestId: "req-1" }) }]);
        });
    }

    it("the valid fixture passes extraClaimChecks, so each refusal above is the mutation's doing", () => {
        const [h, p] = token(k1, accessClaims()).split(".").slice(0, 2).map((x) => JSON.parse(Buffer.from(x, "base64url").toString()));
        assert.doesNotThrow(() => extraClaimChecks({ header: h, payload: p, jwk: k1.jwk as any }));
    });

    it("caches the JWKS across invocations: one fetch for many tokens", async () => {
        for (let i = 0; i < 5; i++) {
            await handler(event(token(k1, accessClaims({ jti: `j-${i}` }))));
        }
        assert.equal(server.hits, 1);
    });

    it("hydrate fetches the JWKS ahead of the first token", async () => {
        const verifier = createVerifier({ userPoolId: POOL, clientId: CLIENT }, server.cache());
        await verifier.hydrate();
        assert.equal(server.hits, 1);
        await createHandler(verifier, log)(event(token(k1, accessClaims())));
        assert.equal(server.hits, 1, "no fetch at verification time");
    });

    it("accepts a key cached with cacheJwks without any fetch", async () => {
        const verifier = createVerifier({ userPoolId: POOL, clientId: CLIENT }, server.cache());
        verifier.cacheJwks({ keys: [k1.jwk] } as any);
        const res = await createHandler(verifier, log)(event(token(k1, accessClaims())));
        assert.equal(res.principalId, "8a1b2c3d-user-1");
        assert.equal(server.hits, 0);
    });

    it("refetches the JWKS for a rotated key, and an unknown kid cannot make it fetch again for a while", async () => {
        await handler(event(token(k1, accessClaims())));
        server.keys = [k1.jwk, k2.jwk];
        const res = await handler(event(token(k2, accessClaims())));
        assert.equal(res.principalId, "8a1b2c3d-user-1");
        assert.equal(server.hits, 2);
        const stranger = rsaKey("key-forged");
        await assert.rejects(handler(event(token(stranger, accessClaims()))));
        await assert.rejects(handler(event(token(stranger, accessClaims()))));
        await assert.rejects(handler(event(token(rsaKey("key-forged-2"), accessClaims()))));
        assert.equal(server.hits, 3, "one fetch for the first unknown kid, then the penalty box");
    });

    it("denies, at error level, when the JWKS cannot be read", async () => {
        server.status = 503;
        await assert.rejects(handler(event(token(k1, accessClaims()))), (e: Error) => e.message === "Unauthorized");
        assert.deepEqual(lines, [{ level: "error", line: JSON.stringify({ decision: "deny", reason: "jwks-unavailable", requestId: "req-1" }) }]);
    });

    it("maps anything unexpected to `internal`, never to an allow", async () => {
        assert.equal(reasonOf(new TypeError("boom")), "internal");
        const failing = createHandler({ verify: () => Promise.reject(new Error("boom")) }, log);
        await assert.rejects(failing(event(token(k1, accessClaims()))), (e: Error) => e.message === "Unauthorized");
        assert.equal(lines[0].level, "error");
    });

    it("writes no part of the token to stdout or stderr, whatever the outcome (default logger)", async () => {
        const consoleHandler = createHandler(createVerifier({ userPoolId: POOL, clientId: CLIENT }, server.cache()));
        const tokens = [...cases.map(([, tok]) => tok()).filter((t): t is string => !!t), token(k1, accessClaims())];
        const captured: string[] = [];
        const originals = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug };
        const out = process.stdout.write.bind(process.stdout);
        const err = process.stderr.write.bind(process.stderr);
        const capture = (...args: unknown[]) => void captured.push(args.map(String).join(" "));
        Object.assign(console, { log: capture, error: capture, warn: capture, info: capture, debug: capture });
        process.stdout.write = ((chunk: unknown) => (captured.push(String(chunk)), true)) as typeof process.stdout.write;
        process.stderr.write = ((chunk: unknown) => (captured.push(String(chunk)), true)) as typeof process.stderr.write;
        try {
            for (const t of tokens) {
                await consoleHandler(event(t)).catch(() => undefined);
            }
            server.status = 500;
            await createHandler(createVerifier({ userPoolId: POOL, clientId: CLIENT }, server.cache()))(event(tokens[0])).catch(() => undefined);
        } finally {
            Object.assign(console, originals);
            process.stdout.write = out;
            process.stderr.write = err;
        }
        assert.ok(captured.length >= tokens.length, "every decision was logged");
        const all = captured.join("\n");
        for (const t of tokens) {
            for (const part of t.split(".").filter((x) => x.length >= 8)) {
                assert.ok(!all.includes(part), `a token part reached the logs: ${part.slice(0, 12)}…`);
            }
        }
        assert.doesNotMatch(all, /token=|queryString|eyJ/);
    });
});

describe("api: WebSocket authorizer configuration", () => {
    it("reads the pool id from the issuer URL and the client id from AUDIENCE", () => {
        assert.deepEqual(settingsFromEnvironment(ISSUER, CLIENT), { userPoolId: POOL, clientId: CLIENT });
    });

    it("refuses an issuer that is not a Cognito pool of its own region, naming the variable", () => {
        assert.throws(() => settingsFromEnvironment("https://example.com/pool", CLIENT), /ISSUER must be https:\/\/cognito-idp/);
        assert.throws(() => settingsFromEnvironment("https://cognito-idp.eu-west-3.amazonaws.com/us-east-1_abc", CLIENT), /ISSUER/);
        assert.throws(() => settingsFromEnvironment(undefined, CLIENT), /ISSUER/);
        assert.throws(() => settingsFromEnvironment(ISSUER, ""), /AUDIENCE must be the SPA app client id/);
    });
});
