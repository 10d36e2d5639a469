/** `flodrama:api`: throttling, public routes, custom domains and CORS origins of the HTTP and WebSocket APIs. */
import { z } from "zod";
import { bool, domain, int, isHttpsOrLocal, list, num, obj, optional, parseUrl, text } from "../../lib/configSchema";
import { INTERNAL_PATHS, internalPathOf } from "../../lib/contracts";
import { API_PATHS } from "../../lib/serviceContract";

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \/[A-Za-z0-9._~\-/{}+]*$/;
/** 10 routes per prefix (5 methods, bare and `{proxy+}`) against API Gateway's 300 routes per API. */
const MAX_ROUTE_PREFIXES = 25;

/** A path prefix routed to the REST API: `/name` segments, no trailing slash, no variables, not a management path. */
function routePrefix() {
    const description = "a path prefix such as /catalog (segments of letters, digits, . _ ~ -; no trailing slash, no {variables}, not /)";
    return text(description, {
        check: (s) => {
            if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(s)) {
                return description;
            }
            return internalPathOf(s) ? `a path other than the management paths ${INTERNAL_PATHS.join(", ")} (they stay off the API)` : undefined;
        },
    });
}

/** A public route key that is not a catch-all and names no management path. */
function publicRoute() {
    const description = "an HTTP API route key such as `GET /health` or `GET /catalog/{proxy+}`";
    return text(description, {
        check: (s) => {
            if (!ROUTE_KEY.test(s)) {
                return description;
            }
            const path = s.slice(s.indexOf(" ") + 1);
            if (path === "/" || /^\/\{[^}]*\+\}$/.test(path)) {
                return `${description}, narrower than the whole API (a catch-all would make every request public)`;
            }
            return internalPathOf(path) ? `${description}, not a management path (${INTERNAL_PATHS.join(", ")})` : undefined;
        },
    });
}

/**
 * A browser origin (`scheme://host[:port]`, no path): https, or http://localhost where plain http is
 * allowed. `httpsOnly` undefined (the environment did not parse) accepts both, so that one missing key
 * does not add a false problem per origin.
 */
export function origin(httpsOnly: boolean | undefined) {
    const description = httpsOnly
        ? "an https:// origin such as https://admin.flodrama.com (no path; plain http is only accepted in dev)"
        : "an https:// origin, or http://localhost:<port> in dev (no path)";
    return text(description, {
        check: (s) => {
            const u = parseUrl(s);
            if (!u) {
                return description;
            }
            if (u.origin !== s) {
                return `${description}; write ${u.origin === "null" ? "an origin" : u.origin}`;
            }
            return isHttpsOrLocal(u, !httpsOnly) ? undefined : description;
        },
    });
}

export function apiSchema(environment: "dev" | "prod" | undefined) {
    return obj({
        throttling: obj({ burstLimit: int(1, 100000), rateLimit: num(1, 100000) }),
        /** Routes reachable without a token, e.g. `GET /health`. */
        publicRoutes: list(publicRoute(), { unique: true }).default([]),
        /**
         * Path prefixes routed to the REST API with a token: `METHOD /prefix` and `METHOD /prefix/{proxy+}`
         * per method. Nothing else reaches the service (no catch-all). Default: the reference API's paths.
         */
        routePrefixes: list(routePrefix(), { min: 1, max: MAX_ROUTE_PREFIXES, unique: true }).default([API_PATHS.catalog, API_PATHS.me]),
        /** Custom domain of the HTTP API (one name). */
        domain: optional(domain(true)),
        /** Custom domain of the WebSocket API (one name). */
        websocketDomain: optional(domain(true)),
        /** CORS origins besides the site's own, e.g. a local dev server (`http://localhost` only in dev). */
        extraCorsOrigins: list(origin(environment === undefined ? undefined : environment !== "dev"), { unique: true }).default([]),
        /**
         * Whether this stack owns API Gateway's account setting (the CloudWatch role of REST and WebSocket
         * logs, one per account and region): true in exactly one stack per account and region (prod here;
         * both when dev and prod are in separate accounts). No default: the choice is deliberate (docs/destroy.md).
         */
        manageAccountSettings: bool(),
    });
}

export type ApiConfig = z.infer<ReturnType<typeof apiSchema>>;
