/**
 * The WebSocket `$connect` authorizer (lambda/ws-authorizer) on fixtures: tokens signed with a test
 * RSA key published in a fake JWKS, valid and invalid in each way that matters.
 */
import { strict as assert } from "assert";
import { generateKeyPairSync, KeyObject, sign } from "crypto";
import type { APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import { createHandler, createVerifier, JWKS_TTL_MS } from "../../lambda/ws-authorizer/handler";

const ISSUER = "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Test1";
const CLIENT = "spaclient123";
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const METHOD_ARN = "arn:aws:execute-api:eu-west-3:123456789012:abc123/live/$connect";

function keyPair(kid: string) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

function token(key: { kid: string; privateKey: KeyObject }, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    const h = b64({ alg: "RS256", kid: key.kid, typ: "JWT", ...header });
    const p = b64(claims);
    const sig = sign("RSA-SHA256", Buffer.from(`${h}.${p}`), key.privateKey).toString("base64url");
    return `${h}.${p}.${sig}`;
}

const t = NOW / 1000;
const idClaims = (over: Record<string, unknown> = {}) => ({
    sub: "user-1",
    iss: ISSUER,
    aud: CLIENT,
    token_use: "id",
    "cognito:username": "viewer1",
    "cognito:groups": ["premium"],
    iat: t - 60,
    exp: t + 3600,
    ...over,
});
const accessClaims = (over: Record<string, unknown> = {}) => ({ sub: "user-1", iss: ISSUER, client_id: CLIENT, token_use: "access", username: "viewer1", iat: t - 60, exp: t + 3600, ...over });

function event(tok?: string): APIGatewayRequestAuthorizerEvent {
    return {
        type: "REQUEST",
        methodArn: METHOD_ARN,
        queryStringParameters: tok === undefined ? {} : { token: tok },
        requestContext: { requestId: "req-1" },
    } as unknown as APIGatewayRequestAuthorizerEvent;
}

describe("api: WebSocket authorizer", () => {
    const k1 = keyPair("key-1");
    const k2 = keyPair("key-2");
    let jwks = [k1.jwk];
    let fetches: string[] = [];
    let now = NOW;
    const logs: string[] = [];
    const build = () =>
        createHandler(
            createVerifier({
                issuer: ISSUER,
                audience: CLIENT,
                now: () => now,
                fetchJwks: async (url) => {
                    fetches.push(url);
                    return { keys: jwks as any };
                },
            }),
            (m) => logs.push(m),
        );
    let handler = build();
    beforeEach(() => {
        jwks = [k1.jwk];
        fetches = [];
        now = NOW;
        handler = build();
    });

    it("allows a valid ID token: principal is the subject, policy is this route only, context carries the viewer", async () => {
        const res = await handler(event(token(k1, idClaims())));
        assert.equal(res.principalId, "user-1");
        assert.deepEqual(res.policyDocument, { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: METHOD_ARN }] });
        assert.deepEqual(res.context, { sub: "user-1", username: "viewer1", groups: "premium", tokenUse: "id" });
        assert.deepEqual(fetches, [`${ISSUER}/.well-known/jwks.json`]);
    });

    it("allows a valid access token whose client_id is the SPA client", async () => {
        const res = await handler(event(token(k1, accessClaims())));
        assert.equal(res.principalId, "user-1");
        assert.equal(res.context?.tokenUse, "access");
    });

    const rejects = (name: string, tok: () => string | undefined, reason: string) =>
        it(`rejects ${name}`, async () => {
            logs.length = 0;
            await assert.rejects(handler(event(tok())), (e: Error) => e.message === "Unauthorized");
            assert.match(logs.at(-1)!, new RegExp(`"reason":"${reason}"`));
        });

    rejects("a missing token", () => undefined, "no token");
    rejects("an expired token", () => token(k1, idClaims({ exp: t - 120 })), "expired");
    rejects("a token not valid yet", () => token(k1, idClaims({ nbf: t + 600 })), "not yet valid");
    rejects("a token for another client (aud)", () => token(k1, idClaims({ aud: "other-client" })), "wrong audience");
    rejects("an access token for another client (client_id)", () => token(k1, accessClaims({ client_id: "other-client" })), "wrong audience");
    rejects("a token from another user pool", () => token(k1, idClaims({ iss: "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Other" })), "wrong issuer");
    rejects("a token without token_use", () => token(k1, idClaims({ token_use: undefined })), "not a Cognito ID or access token");
    rejects("a token signed by a key not in the JWKS", () => token(k2, idClaims()), "unknown signing key");
    rejects("a tampered payload", () => {
        const [h, , s] = token(k1, idClaims()).split(".");
        return `${h}.${b64(idClaims({ sub: "admin" }))}.${s}`;
    }, "bad signature");
    rejects("alg none", () => `${b64({ alg: "none", kid: "key-1" })}.${b64(idClaims())}.`, "malformed token");
    rejects("an HMAC token (algorithm confusion)", () => token(k1, idClaims(), { alg: "HS256" }), "unsupported algorithm");
    rejects("garbage", () => "not-a-jwt", "malformed token");

    it("refetches the JWKS for a new key after a rotation, but not more than once a minute", async () => {
        await handler(event(token(k1, idClaims())));
        jwks = [k1.jwk, k2.jwk];
        // Within the minute: the unknown kid is rejected from the cache.
        await assert.rejects(handler(event(token(k2, idClaims()))));
        assert.equal(fetches.length, 1);
        now = NOW + 61_000;
        const res = await handler(event(token(k2, idClaims({ exp: (NOW + 61_000) / 1000 + 3600 }))));
        assert.equal(res.principalId, "user-1");
        assert.equal(fetches.length, 2);
    });

    it("reuses cached keys until their TTL", async () => {
        await handler(event(token(k1, idClaims())));
        await handler(event(token(k1, idClaims())));
        assert.equal(fetches.length, 1);
        now = NOW + JWKS_TTL_MS + 1;
        await handler(event(token(k1, idClaims({ exp: now / 1000 + 60 }))));
        assert.equal(fetches.length, 2);
    });

    it("denies, without leaking why, when the JWKS cannot be read", async () => {
        const failing = createHandler(
            createVerifier({ issuer: ISSUER, audience: CLIENT, now: () => NOW, fetchJwks: async () => Promise.reject(new Error("timeout")) }),
            () => undefined,
        );
        const original = console.error;
        console.error = () => undefined;
        try {
            await assert.rejects(failing(event(token(k1, idClaims()))), (e: Error) => e.message === "Unauthorized");
        } finally {
            console.error = original;
        }
    });
});
