/**
 * The API's pure parts: constants, the component's arguments, target group and route specs, CORS,
 * access log formats, IAM documents and the authorizer bundle. The components of this folder
 * (privateIngress.ts, httpApi.ts, websocketApi.ts, composed by apiGateway.ts) build on them; tests
 * read them without mocks.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DomainConfig } from "../../lib/contracts";
import { ClusterInfo, DeployedService, IdentityInfo, NetworkInfo, SiteInfo } from "../../lib/contracts";
import { internalPathOf } from "../../lib/contracts";
import { PolicyDocument } from "../../lib/irsaRole";
import { bundleLambda } from "../../lib/lambdaBundle";
import { GROUPS_CLAIM, IDENTITY_HEADERS, WEBSOCKET_HEADERS, WEBSOCKET_ROUTES } from "../../lib/serviceContract";
import type { ApiConfig } from "./config";

// ---- constants -----------------------------------------------------------------------------------

/** The HTTP API's stage: `$default` serves the API at the root of its URL, without a stage path. */
export const HTTP_STAGE_NAME = "$default";
/** The WebSocket API's stage (WebSocket APIs have no `$default` stage). */
export const WEBSOCKET_STAGE_NAME = "live";

/**
 * NLB listener port per exposure. The config allows exactly one service per exposure, so two fixed
 * ports never collide, and a service's own port can change without touching the API side.
 */
export const LISTENER_PORTS = { "http-api": 8080, "websocket-api": 8081 } as const;
export type Exposure = keyof typeof LISTENER_PORTS;

/** Methods each authenticated route prefix accepts. Not `ANY`: see `httpRoutes`. */
export const PROTECTED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Query-string parameter that carries the viewer's token on the WebSocket handshake. */
export const WEBSOCKET_TOKEN_PARAMETER = "token";

/** Drain time of REST targets: in-flight requests finish well within it. */
export const HTTP_DEREGISTRATION_DELAY_SECONDS = 30;

/** Path on the Watch Party service that each WebSocket route posts to (the services' contract). */
export { WEBSOCKET_ROUTES };

// ---- args ----------------------------------------------------------------------------------------

export interface ApiGatewayArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** The stack's region (`aws:region`), for the WebSocket management endpoint and ARNs. */
    region: string;
    network: NetworkInfo;
    cluster: ClusterInfo;
    /** Every deployed service; those with `expose: http-api` / `websocket-api` get a target group and a route. */
    services: DeployedService[];
    /** The viewer pool's issuer and SPA client: the JWT authorizer and the WebSocket authorizer check both. */
    identity: { viewer: Pick<IdentityInfo["viewer"], "issuerUrl" | "clientId"> };
    /** The site's origin: the origin CORS allows. */
    site: Pick<SiteInfo, "url">;
    /** Further CORS origins, e.g. a local dev server in dev (`api.extraCorsOrigins`). Default none. */
    extraCorsOrigins?: string[];
    /** Default route throttling of both stages (steady rate per second, burst). */
    throttling: { burstLimit: number; rateLimit: number };
    /** HTTP API routes reachable without a token, e.g. `GET /health`. */
    publicRoutes: string[];
    /** Path prefixes routed (with a token) to the REST API, e.g. `/catalog`: `METHOD /p` and `METHOD /p/{proxy+}` each. */
    routePrefixes: string[];
    /** Custom domain of the HTTP API (one name in a Route 53 zone); absent keeps the execute-api URL. */
    domain?: DomainConfig;
    /** Custom domain of the WebSocket API (one name in a Route 53 zone). */
    websocketDomain?: DomainConfig;
    /** Retention of the access-log and authorizer log groups, in days. */
    logRetentionDays: number;
    /** Deletion protection on the NLB. */
    protect: boolean;
    /** `api.manageAccountSettings`: create the account's CloudWatch role setting here, or rely on the stack that does. */
    manageAccountSettings: boolean;
}

/**
 * What `flodrama:api` sets, as is: platform.ts spreads the config into the args, so every config key
 * must be an argument of the same type (`Pick` fails to compile otherwise).
 */
export type ApiSettings = Pick<ApiGatewayArgs, keyof ApiConfig>;

// ---- pure spec builders --------------------------------------------------------------------------

/** The service exposed through one exposure kind, or an error naming the config key to fix. */
export function exposedService(services: DeployedService[], expose: Exposure): DeployedService {
    const found = services.filter((s) => s.config.expose === expose);
    if (found.length !== 1) {
        throw new Error(`flodrama:services must have exactly one service with expose: ${expose}, found ${found.length} (${found.map((s) => s.config.name).join(", ") || "none"})`);
    }
    if (!found[0].serviceName) {
        throw new Error(`service ${found[0].config.name} is exposed through ${expose} but has no Kubernetes Service`);
    }
    return found[0];
}

/**
 * NLB deregistration delay of a service's targets. The pod keeps serving for its termination grace
 * period after the controller deregisters it, so the drain may last that long and no longer: Watch
 * Party gets all of it (messages in flight to a stopping pod finish), the REST API a short drain.
 */
export function deregistrationDelaySeconds(expose: Exposure, terminationGracePeriodSeconds: number): number {
    return expose === "websocket-api" ? terminationGracePeriodSeconds : Math.min(HTTP_DEREGISTRATION_DELAY_SECONDS, terminationGracePeriodSeconds);
}

/**
 * Target group settings of one exposed service (IP targets: pods register directly). The health check
 * is TCP on the app port: the readiness path lives on the management port, which the NLB must never
 * reach; readiness still gates traffic, since the controller registers only ready pods of the Service.
 */
export function targetGroupSpec(svc: { port: number; expose: Exposure; terminationGracePeriodSeconds: number }) {
    return {
        port: svc.port,
        protocol: "TCP",
        targetType: "ip",
        ipAddressType: "ipv4",
        // With client IP preservation, pods would see API Gateway's VPC link addresses anyway; off lets the
        // NLB's security group be the source the node security group admits.
        preserveClientIp: "false",
        deregistrationDelay: deregistrationDelaySeconds(svc.expose, svc.terminationGracePeriodSeconds),
        // Close what is left when the drain ends instead of leaving half-open flows to a dead pod.
        connectionTermination: true,
        healthCheck: {
            enabled: true,
            protocol: "TCP",
            port: "traffic-port",
            intervalSeconds: 10,
            timeout: 6,
            healthyThreshold: 3,
            unhealthyThreshold: 3,
        },
    };
}

/** A route of the HTTP API as data. */
export interface HttpRouteSpec {
    routeKey: string;
    authorizationType: "JWT" | "NONE";
}

/** The path of a route key (`GET /catalog/{proxy+}` → `/catalog/{proxy+}`). */
const routePath = (routeKey: string) => routeKey.slice(routeKey.indexOf(" ") + 1);

/**
 * The HTTP API's routes: the configured public routes without authorization, and for each configured
 * prefix `METHOD /prefix` and `METHOD /prefix/{proxy+}` with the JWT authorizer (a greedy variable does
 * not match the bare prefix). No catch-all `/{proxy+}`: only configured prefixes reach the service, and
 * anything else gets API Gateway's 404. Not `ANY`: an `ANY` route also matches the browser's CORS
 * preflight (`OPTIONS`, sent without the token) and the authorizer would reject it; with no OPTIONS
 * route, API Gateway answers preflights itself from the CORS configuration. A public route with the
 * same key as a generated one replaces it (e.g. `GET /catalog` public, its writes protected).
 */
export function httpRoutes(publicRoutes: string[], routePrefixes: string[]): HttpRouteSpec[] {
    for (const p of routePrefixes) {
        if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(p)) {
            throw new Error(`api.routePrefixes: ${JSON.stringify(p)} is not a path prefix; write /name or /name/sub, without a trailing slash or {variables} (not /)`);
        }
        const internal = internalPathOf(p);
        if (internal) {
            throw new Error(`api.routePrefixes: ${p} would route ${internal}, a management path (metrics, probes) that stays internal; remove it`);
        }
    }
    for (const r of publicRoutes) {
        const path = routePath(r);
        if (/^\/\{[^}]*\+\}$/.test(path) || path === "/") {
            throw new Error(`api.publicRoutes: ${r} would make every ${r.split(" ")[0]} request public; list narrower routes such as GET /catalog/{proxy+}`);
        }
        if (/^(ANY|OPTIONS) /.test(r)) {
            throw new Error(`api.publicRoutes: ${r}: public routes name their method (GET, POST, ...); ANY and OPTIONS would capture CORS preflights`);
        }
        const internal = internalPathOf(path);
        if (internal) {
            throw new Error(`api.publicRoutes: ${r} would route ${internal}, a management path (metrics, probes) that stays internal; remove it`);
        }
    }
    const publicKeys = new Set(publicRoutes);
    const protectedRoutes = routePrefixes.flatMap((p) => PROTECTED_METHODS.flatMap((m) => [`${m} ${p}`, `${m} ${p}/{proxy+}`])).filter((k) => !publicKeys.has(k));
    return [...publicRoutes.map((routeKey) => ({ routeKey, authorizationType: "NONE" as const })), ...protectedRoutes.map((routeKey) => ({ routeKey, authorizationType: "JWT" as const }))];
}

/**
 * Request parameters of the HTTP API's integrations. Protected routes: the identity headers are
 * overwritten from the verified token's claims (`sub`, and the colon-free `groups` claim the viewer
 * pool's pre-token-generation trigger adds, since a mapping cannot name `cognito:groups`), so a client
 * value never reaches the service. Public routes: both headers are removed. Both: API Gateway's request
 * id, which the service logs.
 */
export function httpRequestParameters(kind: "protected" | "public"): Record<string, string> {
    const requestId = { "overwrite:header.x-request-id": "$context.requestId" };
    if (kind === "protected") {
        return {
            ...requestId,
            [`overwrite:header.${IDENTITY_HEADERS.userId}`]: "$context.authorizer.claims.sub",
            [`overwrite:header.${IDENTITY_HEADERS.groups}`]: `$context.authorizer.claims.${GROUPS_CLAIM}`,
        };
    }
    // The value of a remove mapping is ignored; AWS's own examples pass ''.
    return { ...requestId, [`remove:header.${IDENTITY_HEADERS.userId}`]: "''", [`remove:header.${IDENTITY_HEADERS.groups}`]: "''" };
}

/** A logical-name fragment for a route key: `GET /catalog/{proxy+}` → `get-catalog-proxy`. */
export function routeSlug(routeKey: string): string {
    return (
        routeKey
            .toLowerCase()
            .replace(/\{proxy\+\}/g, "proxy")
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-+|-+$/g, "") || "root"
    );
}

/** CORS of the HTTP API: the site's origin (plus configured extras), bearer tokens in `Authorization` (no cookies, so no credentials). */
export function corsConfiguration(siteUrl: string, extraOrigins: string[] = []) {
    const origins = [siteUrl, ...extraOrigins].map((o) => o.replace(/\/+$/, ""));
    if (origins.some((o) => o === "*" || !/^https?:\/\/[^/]+$/.test(o))) {
        throw new Error(`CORS origins must be scheme://host[:port] without a path or wildcard, got ${origins.join(", ")}`);
    }
    return {
        allowOrigins: [...new Set(origins)],
        allowMethods: [...PROTECTED_METHODS, "OPTIONS"],
        allowHeaders: ["authorization", "content-type"],
        exposeHeaders: ["x-request-id"],
        allowCredentials: false,
        maxAge: 3600,
    };
}

/** JSON access-log format of the HTTP API stage: one object per request, every value a string so that the line stays valid JSON when a value is absent. */
export function httpAccessLogFormat(): string {
    return JSON.stringify({
        requestId: "$context.requestId",
        ip: "$context.identity.sourceIp",
        requestTime: "$context.requestTime",
        httpMethod: "$context.httpMethod",
        routeKey: "$context.routeKey",
        path: "$context.path",
        status: "$context.status",
        protocol: "$context.protocol",
        responseLength: "$context.responseLength",
        latency: "$context.responseLatency",
        integrationLatency: "$context.integrationLatency",
        integrationStatus: "$context.integrationStatus",
        integrationError: "$context.integrationErrorMessage",
        authorizerError: "$context.authorizer.error",
        sub: "$context.authorizer.claims.sub",
        userAgent: "$context.identity.userAgent",
    });
}

/** JSON access-log format of the WebSocket stage: one object per connect, message and disconnect. */
export function websocketAccessLogFormat(): string {
    return JSON.stringify({
        requestId: "$context.requestId",
        ip: "$context.identity.sourceIp",
        requestTime: "$context.requestTime",
        eventType: "$context.eventType",
        routeKey: "$context.routeKey",
        connectionId: "$context.connectionId",
        status: "$context.status",
        latency: "$context.integration.latency",
        integrationStatus: "$context.integration.status",
        integrationError: "$context.integration.error",
        authorizerError: "$context.authorizer.error",
        sub: "$context.authorizer.principalId",
    });
}

/**
 * Integration request headers of every WebSocket route. The service builds the management endpoint
 * (`https://<apiId>.execute-api.<region>.amazonaws.com/<stage>`) from them, so it needs no config that
 * would depend on this API (no dependency cycle), and learns the viewer the authorizer verified.
 */
export function websocketRequestParameters(): Record<string, string> {
    const h = WEBSOCKET_HEADERS;
    const header = (name: string) => `integration.request.header.${name}`;
    return {
        [header(h.connectionId)]: "context.connectionId",
        [header(h.apiId)]: "context.apiId",
        [header(h.domainName)]: "context.domainName",
        [header(h.stage)]: "context.stage",
        [header(h.routeKey)]: "context.routeKey",
        // The `$connect` authorizer's context (lambda/ws-authorizer), kept for the connection's later routes.
        [header(h.userId)]: "context.authorizer.userId",
        [header(h.groups)]: "context.authorizer.groups",
    };
}

/**
 * What the Watch Party role may do on this API: post to, read and close its own connections on its
 * one stage, nothing else (no other API, stage or route).
 */
export function manageConnectionsPolicy(executionArn: pulumi.Input<string>, stage: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ManageOwnWebSocketConnections",
                Effect: "Allow",
                Action: "execute-api:ManageConnections",
                Resource: ["POST", "GET", "DELETE"].map((m) => pulumi.interpolate`${executionArn}/${stage}/${m}/@connections/*`),
            },
        ],
    };
}

/** Bundles the WebSocket authorizer (lambda/ws-authorizer) into one CommonJS file for Node.js 22. */
export function bundleAuthorizer(): string {
    return bundleLambda(path.join(__dirname, "..", "..", "lambda", "ws-authorizer", "handler.ts"));
}


export interface Exposed {
    expose: Exposure;
    service: DeployedService;
    targetGroup: aws.lb.TargetGroup;
    listener: aws.lb.Listener;
}
