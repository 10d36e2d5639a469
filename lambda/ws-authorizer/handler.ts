/**
 * Lambda REQUEST authorizer of the Watch Party WebSocket API's `$connect` route.
 *
 * Browsers cannot set headers on a WebSocket handshake, so the SPA passes the viewer's Cognito token
 * as `?token=` and this function verifies it before API Gateway opens the connection: RS256 signature
 * against the user pool's JWKS (node:crypto, no dependency), issuer, audience (`aud` of an ID token or
 * `client_id` of an access token must be the SPA client), `token_use`, expiry and not-before. Bad
 * tokens never reach the cluster. The verified `sub` becomes the principal, which API Gateway hands to
 * the service as the `X-User-Id` header on every route of the connection.
 *
 * Configuration comes from the environment: `ISSUER` (https://cognito-idp.<region>.amazonaws.com/<pool>)
 * and `AUDIENCE` (the SPA client id). Bundled by esbuild at deploy time (components/api.ts).
 */
import { createPublicKey, JsonWebKey, KeyObject, verify } from "node:crypto";
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from "aws-lambda";

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
export const CLOCK_SKEW_SECONDS = 60;
/** How long fetched keys are trusted before the JWKS is read again; Cognito rotates keys rarely. */
export const JWKS_TTL_MS = 60 * 60 * 1000;
/** Minimum interval between two JWKS fetches triggered by an unknown key id. */
export const JWKS_MIN_REFETCH_MS = 60 * 1000;
/** The query-string parameter carrying the token. */
export const TOKEN_PARAMETER = "token";

export interface VerifierOptions {
    issuer: string;
    audience: string;
    /** Returns the issuer's JWKS document (`{ keys: [...] }`). */
    fetchJwks: (url: string) => Promise<{ keys: Array<JsonWebKey & { kid?: string }> }>;
    /** Current time in milliseconds (tests pin it). */
    now?: () => number;
}

export interface VerifiedToken {
    sub: string;
    username: string;
    groups: string[];
    tokenUse: "id" | "access";
}

export class TokenError extends Error {}

function decodePart(part: string): any {
    try {
        return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    } catch {
        throw new TokenError("malformed token");
    }
}

/** A verifier bound to one issuer and audience, with a JWKS cache shared across invocations. */
export function createVerifier(opts: VerifierOptions): (token: string) => Promise<VerifiedToken> {
    const now = opts.now ?? Date.now;
    const issuer = opts.issuer.replace(/\/+$/, "");
    let keys = new Map<string, KeyObject>();
    let fetchedAt = -Infinity;

    async function refresh(): Promise<void> {
        const jwks = await opts.fetchJwks(`${issuer}/.well-known/jwks.json`);
        const next = new Map<string, KeyObject>();
        for (const jwk of jwks.keys ?? []) {
            if (jwk.kid && jwk.kty === "RSA" && (jwk.use === undefined || jwk.use === "sig")) {
                next.set(jwk.kid, createPublicKey({ key: jwk, format: "jwk" }));
            }
        }
        keys = next;
        fetchedAt = now();
    }

    async function keyFor(kid: string): Promise<KeyObject> {
        const age = now() - fetchedAt;
        // An unknown kid (after a key rotation) triggers a refetch, at most once a minute so that
        // tokens with forged kids cannot turn the function into a JWKS request amplifier.
        if (age > JWKS_TTL_MS || (!keys.has(kid) && age > JWKS_MIN_REFETCH_MS)) {
            await refresh();
        }
        const key = keys.get(kid);
        if (!key) {
            throw new TokenError("unknown signing key");
        }
        return key;
    }

    return async (token: string) => {
        const parts = token.split(".");
        if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
            throw new TokenError("malformed token");
        }
        const header = decodePart(parts[0]);
        const claims = decodePart(parts[1]);
        // Only RS256: refusing `none` and HMAC algorithms closes the classic algorithm-confusion attacks.
        if (header.alg !== "RS256" || typeof header.kid !== "string") {
            throw new TokenError("unsupported algorithm");
        }
        const key = await keyFor(header.kid);
        const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
        if (!verify("RSA-SHA256", signed, key, Buffer.from(parts[2], "base64url"))) {
            throw new TokenError("bad signature");
        }
        if (claims.iss !== issuer) {
            throw new TokenError("wrong issuer");
        }
        const tokenUse = claims.token_use;
        if (tokenUse === "id") {
            const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
            if (!aud.includes(opts.audience)) {
                throw new TokenError("wrong audience");
            }
        } else if (tokenUse === "access") {
            if (claims.client_id !== opts.audience) {
                throw new TokenError("wrong audience");
            }
        } else {
            throw new TokenError("not a Cognito ID or access token");
        }
        const t = now() / 1000;
        if (typeof claims.exp !== "number" || claims.exp + CLOCK_SKEW_SECONDS <= t) {
            throw new TokenError("expired");
        }
        if (typeof claims.nbf === "number" && claims.nbf - CLOCK_SKEW_SECONDS > t) {
            throw new TokenError("not yet valid");
        }
        if (typeof claims.iat === "number" && claims.iat - CLOCK_SKEW_SECONDS > t) {
            throw new TokenError("issued in the future");
        }
        if (typeof claims.sub !== "string" || claims.sub.length === 0) {
            throw new TokenError("no subject");
        }
        return {
            sub: claims.sub,
            username: String(claims["cognito:username"] ?? claims.username ?? claims.sub),
            groups: Array.isArray(claims["cognito:groups"]) ? claims["cognito:groups"].map(String) : [],
            tokenUse,
        };
    };
}

/** The IAM policy API Gateway expects back: allow connecting to this one route ARN, with the viewer as context. */
export function allowPolicy(methodArn: string, token: VerifiedToken): APIGatewayAuthorizerResult {
    return {
        principalId: token.sub,
        policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: methodArn }] },
        // Context values must be strings, numbers or booleans.
        context: { sub: token.sub, username: token.username, groups: token.groups.join(","), tokenUse: token.tokenUse },
    };
}

/**
 * The handler for a verifier. API Gateway answers `Unauthorized` (401) when the function throws that
 * exact message; the reason is logged, never returned to the client.
 */
export function createHandler(verifyToken: (token: string) => Promise<VerifiedToken>, log: (msg: string) => void = console.log) {
    return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
        const token = event.queryStringParameters?.[TOKEN_PARAMETER];
        if (!token) {
            log(JSON.stringify({ decision: "deny", reason: "no token", requestId: event.requestContext?.requestId }));
            throw new Error("Unauthorized");
        }
        try {
            const verified = await verifyToken(token);
            log(JSON.stringify({ decision: "allow", sub: verified.sub, requestId: event.requestContext?.requestId }));
            return allowPolicy(event.methodArn, verified);
        } catch (e) {
            const reason = e instanceof TokenError ? e.message : "verification failed";
            log(JSON.stringify({ decision: "deny", reason, requestId: event.requestContext?.requestId }));
            if (!(e instanceof TokenError)) {
                // JWKS unreachable or similar: surface it in the function's errors metric, still deny.
                console.error(e);
            }
            throw new Error("Unauthorized");
        }
    };
}

async function fetchJwks(url: string): Promise<{ keys: Array<JsonWebKey & { kid?: string }> }> {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) {
        throw new Error(`JWKS ${url} answered ${res.status}`);
    }
    return (await res.json()) as { keys: Array<JsonWebKey & { kid?: string }> };
}

let deployed: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point; the verifier (and its key cache) lives as long as the execution environment. */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    if (!deployed) {
        const issuer = process.env.ISSUER;
        const audience = process.env.AUDIENCE;
        if (!issuer || !audience) {
            throw new Error("ISSUER and AUDIENCE must be set");
        }
        deployed = createHandler(createVerifier({ issuer, audience, fetchJwks }));
    }
    return deployed(event);
}
