/**
 * Lambda REQUEST authorizer of the Watch Party WebSocket API's `$connect` route.
 *
 * Browsers cannot set headers on a WebSocket handshake, so the SPA passes the viewer's Cognito access
 * token as `?token=` and this function verifies it before API Gateway opens the connection. Verification
 * is AWS's `aws-jwt-verify` (CognitoJwtVerifier): signature against the user pool's JWKS, the JWK's
 * `kty`/`use`/`alg`, issuer (the pool), `token_use: access`, `client_id` = the SPA client, `exp` and `nbf`
 * without grace. `extraClaimChecks` adds what the library leaves open (read from its source, 5.2.1): a
 * token without `exp` or `iat`, an `iat` in the future, an empty `sub`, and keys or algorithms other
 * than RSA/RS256 (the library also accepts EC and EdDSA keys, which a Cognito pool never publishes).
 *
 * The verified `sub` becomes the principal, and `{ userId, groups }` the authorizer context, which API
 * Gateway hands to the service on every route of the connection.
 *
 * Configuration comes from the environment, set by components/api/websocketApi.ts: `ISSUER`
 * (https://cognito-idp.<region>.amazonaws.com/<pool id>) and `AUDIENCE` (the SPA client id). The token
 * never reaches a log: the function logs the decision, a fixed reason code and the request id, never the
 * event, the query string or an error object (the library's messages quote claim values).
 */
import { CognitoJwtVerifier } from "aws-jwt-verify";
import {
    CognitoJwtInvalidClientIdError,
    CognitoJwtInvalidTokenUseError,
    FetchError,
    JwkInvalidKtyError,
    JwkInvalidUseError,
    JwkValidationError,
    JwksValidationError,
    JwtExpiredError,
    JwtInvalidIssuerError,
    JwtInvalidSignatureAlgorithmError,
    JwtInvalidSignatureError,
    JwtNotBeforeError,
    JwtParseError,
    JwtWithoutValidKidError,
    KidNotFoundInJwksError,
    ParameterValidationError,
    WaitPeriodNotYetEndedJwkError,
} from "aws-jwt-verify/error";
import type { JwksCache, Jwk } from "aws-jwt-verify/jwk";
import type { JwtHeader, JwtPayload } from "aws-jwt-verify/jwt-model";
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from "aws-lambda";

/** The query-string parameter carrying the token (the authorizer's identity source, components/api/websocketApi.ts). */
export const TOKEN_PARAMETER = "token";
/** The only algorithm a Cognito user pool signs with. */
export const SIGNING_ALGORITHM = "RS256";
/** `iat` is in whole seconds: one second absorbs the rounding, and grants nothing an attacker could use. */
export const IAT_LEEWAY_SECONDS = 1;

/** Why a token was refused by `extraClaimChecks`. */
export class ClaimCheckError extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

/** What the verifier needs: the pool and the SPA client. */
export interface AuthorizerSettings {
    userPoolId: string;
    clientId: string;
}

const ISSUER_URL = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/(([a-z0-9-]+)_[A-Za-z0-9]+)$/;

/** The pool id from the issuer URL components/api/websocketApi.ts passes (`IdentityInfo.viewer.issuerUrl`). */
export function settingsFromEnvironment(issuer: string | undefined, clientId: string | undefined): AuthorizerSettings {
    const m = ISSUER_URL.exec(issuer ?? "");
    if (!m || m[1] !== m[3]) {
        throw new Error(`ISSUER must be https://cognito-idp.<region>.amazonaws.com/<region>_<id> (the viewer pool's issuer), got ${JSON.stringify(issuer ?? "")}`);
    }
    if (!clientId || !/^[a-z0-9]+$/.test(clientId)) {
        throw new Error(`AUDIENCE must be the SPA app client id (lower-case letters and digits), got ${JSON.stringify(clientId ?? "")}`);
    }
    return { userPoolId: m[2], clientId };
}

/**
 * The checks aws-jwt-verify 5.2.1 does not make, run after its signature and claim checks:
 * - it checks `exp` only when present: a token without `exp` would never expire;
 * - it never looks at `iat`;
 * - it checks `sub` is a string when present, not that it names anyone;
 * - it accepts EC (ES256/384/512) and OKP (EdDSA) keys and RS384/RS512: Cognito signs with RSA and RS256 only.
 */
export function extraClaimChecks(props: { header: JwtHeader; payload: JwtPayload; jwk: Jwk }, nowSeconds = Date.now() / 1000): void {
    const { header, payload, jwk } = props;
    if (jwk.kty !== "RSA") {
        throw new ClaimCheckError("key-not-rsa");
    }
    if (header.alg !== SIGNING_ALGORITHM) {
        throw new ClaimCheckError("unsupported-algorithm");
    }
    if (typeof payload.exp !== "number") {
        throw new ClaimCheckError("no-expiry");
    }
    if (typeof payload.iat !== "number") {
        throw new ClaimCheckError("no-issued-at");
    }
    if (payload.iat > nowSeconds + IAT_LEEWAY_SECONDS) {
        throw new ClaimCheckError("issued-in-future");
    }
    if (typeof payload.sub !== "string" || payload.sub.trim() === "") {
        throw new ClaimCheckError("no-subject");
    }
}

/**
 * The verifier of the viewer pool's access tokens for the SPA client. Its JWKS cache lives as long as
 * the verifier: built once per execution environment, it fetches the JWKS once, again only for an
 * unknown `kid` (key rotation), and then at most once per 10 s (the library's penalty box).
 */
export function createVerifier(settings: AuthorizerSettings, jwksCache?: JwksCache) {
    return CognitoJwtVerifier.create(
        {
            userPoolId: settings.userPoolId,
            clientId: settings.clientId,
            tokenUse: "access",
            customJwtCheck: (props) => extraClaimChecks(props),
        },
        jwksCache ? { jwksCache } : undefined,
    );
}

/** Anything with the verifier's `verify` (tests pass the real one). */
export interface TokenVerifier {
    verify(token: string): Promise<JwtPayload>;
}

/** Library errors → fixed reason codes, the only thing logged about a refusal. Order matters: subclasses first. */
const REASONS: Array<[abstract new (...args: any[]) => Error, string]> = [
    [JwtExpiredError, "expired"],
    [JwtNotBeforeError, "not-yet-valid"],
    [JwtInvalidIssuerError, "wrong-issuer"],
    [CognitoJwtInvalidTokenUseError, "wrong-token-use"],
    [CognitoJwtInvalidClientIdError, "wrong-client"],
    [JwtInvalidSignatureAlgorithmError, "unsupported-algorithm"],
    [JwtInvalidSignatureError, "bad-signature"],
    [JwkInvalidUseError, "key-not-for-signing"],
    [JwkInvalidKtyError, "key-not-for-signing"],
    [JwkValidationError, "bad-key"],
    [JwtWithoutValidKidError, "unknown-key"],
    [KidNotFoundInJwksError, "unknown-key"],
    [WaitPeriodNotYetEndedJwkError, "unknown-key"],
    [JwtParseError, "malformed"],
    // With two issuer formats configured, an unconfigured or missing `iss` fails the issuer lookup.
    [ParameterValidationError, "wrong-issuer"],
    [JwksValidationError, "jwks-unavailable"],
    [FetchError, "jwks-unavailable"],
];

/** The reason code of a verification failure; `internal` for anything unexpected. */
export function reasonOf(e: unknown): string {
    if (e instanceof ClaimCheckError) {
        return e.reason;
    }
    return REASONS.find(([cls]) => e instanceof cls)?.[1] ?? "internal";
}

/** Reasons that are not the viewer's fault: logged at error level so they count in the function's alarms. */
const OPERATIONAL_REASONS = new Set(["jwks-unavailable", "internal"]);

/** The IAM policy API Gateway expects back: invoke this one route ARN, with the viewer as context. */
export function allowPolicy(methodArn: string, payload: JwtPayload): APIGatewayAuthorizerResult {
    const groups = payload["cognito:groups"];
    return {
        principalId: String(payload.sub),
        policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: methodArn }] },
        // Context values must be strings, numbers or booleans: groups are comma-separated, as the services expect.
        context: { userId: String(payload.sub), groups: Array.isArray(groups) ? groups.map(String).join(",") : "" },
    };
}

export interface AuthorizerLog {
    info(line: string): void;
    error(line: string): void;
}

const consoleLog: AuthorizerLog = { info: (l) => console.log(l), error: (l) => console.error(l) };

/**
 * The handler for a verifier. API Gateway answers `Unauthorized` (401) when the function throws that
 * exact message; the reason is logged, never returned to the client.
 */
export function createHandler(verifier: TokenVerifier, log: AuthorizerLog = consoleLog) {
    return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
        const requestId = event.requestContext?.requestId;
        const token = event.queryStringParameters?.[TOKEN_PARAMETER];
        if (!token) {
            log.info(JSON.stringify({ decision: "deny", reason: "no-token", requestId }));
            throw new Error("Unauthorized");
        }
        let payload: JwtPayload;
        try {
            payload = await verifier.verify(token);
        } catch (e) {
            const reason = reasonOf(e);
            const line = JSON.stringify({ decision: "deny", reason, requestId });
            (OPERATIONAL_REASONS.has(reason) ? log.error : log.info)(line);
            throw new Error("Unauthorized");
        }
        log.info(JSON.stringify({ decision: "allow", sub: payload.sub, requestId }));
        return allowPolicy(event.methodArn, payload);
    };
}

/** Built once per execution environment, at init: the verifier and its JWKS cache outlive invocations. */
function deploy(): ReturnType<typeof createHandler> {
    const verifier = createVerifier(settingsFromEnvironment(process.env.ISSUER, process.env.AUDIENCE));
    // Fetch the JWKS during init so the first connect does not wait for it; on failure the first
    // verification fetches again.
    verifier.hydrate().catch(() => consoleLog.error(JSON.stringify({ event: "jwks-hydrate-failed" })));
    return createHandler(verifier);
}

const deployed = process.env.ISSUER !== undefined || process.env.AUDIENCE !== undefined ? deploy() : undefined;

/** The Lambda entry point. */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    if (!deployed) {
        throw new Error("ISSUER and AUDIENCE must be set in the function's environment (components/api/websocketApi.ts sets them)");
    }
    return deployed(event);
}
