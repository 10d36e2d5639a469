/**
 * The security headers of the site, and the Lambda@Edge handler that sets them on origin-response.
 *
 * Everything here is pure: `buildSecurityHeaders` turns the stack's values (origins the SPA may call,
 * the Cognito hosted UI, the site's own domain names) into the header table, and
 * `createSecurityHeadersHandler` closes over a table. Lambda@Edge has no environment variables, so the
 * bundler (edge/bundle.ts) computes the table at deploy time and bakes it into the bundle. Only types
 * are imported: the bundle has no runtime dependency.
 *
 * Origin-response, not viewer-response: CloudFront stores the headers with the cached object, so the
 * function runs on cache misses only.
 */
import type { CloudFrontHeaders, CloudFrontResponseEvent, CloudFrontResponseHandler, CloudFrontResultResponse } from "aws-lambda";

/** Per-stack inputs of the header values; edge/bundle.ts derives them from the stack config. */
export interface SecurityHeadersConfig {
    /** Origins the SPA reaches with fetch, XHR or WebSocket besides its own (APIs, Cognito), e.g. `wss://ws.flodrama.com`. */
    connectSources: string[];
    /** Other origins of the site's own content (its other domain names), for images and media. Default none. */
    siteSources: string[];
    /** Origins forms may submit to besides the site (the Cognito hosted UI). */
    formActions: string[];
}

/** `[Header-Name, value]` pairs in the canonical spelling viewers see; CloudFront keys are the lower-cased names. */
export type HeaderTable = ReadonlyArray<readonly [string, string]>;

/** Two years, the HSTS preload list's expectation (its minimum is one year). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/** Browser features: the video player keeps what it needs, the rest is denied to the page and every frame. */
export const PERMISSIONS_POLICY: Record<string, string> = {
    fullscreen: "(self)",
    autoplay: "(self)",
    "encrypted-media": "(self)",
    "picture-in-picture": "(self)",
    accelerometer: "()",
    "ambient-light-sensor": "()",
    bluetooth: "()",
    camera: "()",
    "display-capture": "()",
    geolocation: "()",
    gyroscope: "()",
    hid: "()",
    magnetometer: "()",
    microphone: "()",
    midi: "()",
    payment: "()",
    serial: "()",
    usb: "()",
    "xr-spatial-tracking": "()",
    "browsing-topics": "()",
};

const ORIGIN = /^(https|wss):\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

function checkOrigins(kind: string, origins: string[]): string[] {
    for (const o of origins) {
        if (!ORIGIN.test(o)) {
            throw new Error(`security headers: ${kind} entry ${JSON.stringify(o)} is not an https:// or wss:// origin (scheme and host only, no path)`);
        }
    }
    return [...new Set(origins)];
}

/** The Content-Security-Policy of the SPA: same-origin by default, with the stack's API and Cognito origins. */
export function contentSecurityPolicy(cfg: SecurityHeadersConfig): string {
    const connect = checkOrigins("connectSources", cfg.connectSources);
    const site = checkOrigins("siteSources", cfg.siteSources);
    const forms = checkOrigins("formActions", cfg.formActions);
    const directives: Array<[string, string[]]> = [
        ["default-src", ["'self'"]],
        ["script-src", ["'self'"]],
        // React and player libraries set style attributes at run time; inline styles cannot run script.
        ["style-src", ["'self'", "'unsafe-inline'"]],
        ["img-src", ["'self'", "data:", "blob:", ...site]],
        ["font-src", ["'self'", "data:"]],
        // Media Source Extensions (HLS/DASH players) play from blob: URLs.
        ["media-src", ["'self'", "blob:", ...site]],
        ["connect-src", ["'self'", ...connect]],
        ["worker-src", ["'self'", "blob:"]],
        ["manifest-src", ["'self'"]],
        ["frame-ancestors", ["'none'"]],
        ["object-src", ["'none'"]],
        ["base-uri", ["'self'"]],
        ["form-action", ["'self'", ...forms]],
        ["upgrade-insecure-requests", []],
    ];
    return directives.map(([name, values]) => [name, ...values].join(" ")).join("; ");
}

export function permissionsPolicy(): string {
    return Object.entries(PERMISSIONS_POLICY)
        .map(([feature, allow]) => `${feature}=${allow}`)
        .join(", ");
}

/** The header table the edge function sets on every response. */
export function buildSecurityHeaders(cfg: SecurityHeadersConfig): HeaderTable {
    return [
        ["Strict-Transport-Security", `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload`],
        ["Content-Security-Policy", contentSecurityPolicy(cfg)],
        ["X-Content-Type-Options", "nosniff"],
        ["X-Frame-Options", "DENY"],
        // "0", not "1; mode=block": the legacy XSS auditor is gone from current browsers, and where it
        // survives it enabled cross-site leaks (OWASP, MDN). The CSP above is the XSS defence.
        ["X-XSS-Protection", "0"],
        ["Referrer-Policy", "strict-origin-when-cross-origin"],
        ["Permissions-Policy", permissionsPolicy()],
        ["Cross-Origin-Opener-Policy", "same-origin"],
    ];
}

/**
 * Sets each header of the table on a CloudFront header map, replacing any value the origin sent for
 * the same header (compared case-insensitively, as CloudFront keys are lower-case), so no header is
 * ever duplicated and a weaker upstream value never wins. Every other header (Content-Type,
 * Cache-Control, ETag, Last-Modified, ...) is left exactly as the origin sent it.
 */
export function applySecurityHeaders(headers: CloudFrontHeaders, table: HeaderTable): CloudFrontHeaders {
    for (const [name, value] of table) {
        headers[name.toLowerCase()] = [{ key: name, value }];
    }
    return headers;
}

/** The origin-response handler for a header table. */
export function createSecurityHeadersHandler(table: HeaderTable): CloudFrontResponseHandler {
    return async (event: CloudFrontResponseEvent): Promise<CloudFrontResultResponse> => {
        const response = event.Records[0].cf.response;
        applySecurityHeaders(response.headers, table);
        return response;
    };
}
