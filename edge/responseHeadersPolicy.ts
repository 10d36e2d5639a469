/**
 * The security headers as a CloudFront response headers policy, built from the same header table the
 * Lambda@Edge handler sets (edge/securityHeaders.ts `buildSecurityHeaders`): one source of truth.
 *
 * Why both: the origin-response function runs only on responses that come from S3. Responses
 * CloudFront generates itself (WAF blocks, CloudFront errors, the HTTP→HTTPS redirect) never reach it;
 * a response headers policy applies to every response of the behaviours it is attached to. The
 * function stays because the seed asks for Lambda@Edge and because it stores the headers with the
 * cached object. Both write the same values with override, so whichever runs last agrees.
 *
 * Pure, no SDK import: the component passes the result to `aws.cloudfront.ResponseHeadersPolicy`, and
 * tests and the policy pack can read it without the SDK.
 */
import type { HeaderTable } from "./securityHeaders";

/** The policy's header settings, with plain values (what `responseHeadersPolicyConfig` returns). */
export interface ResponseHeadersPolicyConfig {
    securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: number; includeSubdomains: boolean; preload: boolean; override: boolean };
        contentSecurityPolicy: { contentSecurityPolicy: string; override: boolean };
        contentTypeOptions: { override: boolean };
        frameOptions: { frameOption: "DENY" | "SAMEORIGIN"; override: boolean };
        xssProtection: { protection: boolean; modeBlock?: boolean; reportUri?: string; override: boolean };
        referrerPolicy: { referrerPolicy: string; override: boolean };
    };
    customHeadersConfig: { items: Array<{ header: string; value: string; override: boolean }> };
}

/** CloudFront's limit on a Content-Security-Policy or custom header value in a response headers policy (not adjustable). */
export const POLICY_HEADER_VALUE_MAX_CHARS = 1783;

/** The referrer policies a response headers policy accepts. */
const REFERRER_POLICIES = [
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

function fail(header: string, value: string, allowed: string): never {
    throw new Error(`security headers: ${header} value ${JSON.stringify(value)} cannot be expressed in a CloudFront response headers policy; allowed: ${allowed}`);
}

function checkLength(header: string, value: string): string {
    if (value.length > POLICY_HEADER_VALUE_MAX_CHARS) {
        throw new Error(`security headers: ${header} is ${value.length} characters, over CloudFront's ${POLICY_HEADER_VALUE_MAX_CHARS} for a response headers policy; allow fewer origins (e.g. set api.domain instead of the execute-api wildcard)`);
    }
    return value;
}

/**
 * The response headers policy settings for a header table: the six headers CloudFront models go to
 * `securityHeadersConfig`, every other one (Permissions-Policy, Cross-Origin-Opener-Policy) to
 * `customHeadersConfig`. Every header overrides the origin's value, as the edge handler does.
 * Fails on a value the policy cannot express, naming the header.
 */
export function responseHeadersPolicyConfig(table: HeaderTable): ResponseHeadersPolicyConfig {
    const get = (name: string) => table.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    const need = (name: string) => get(name) ?? fail(name, "", "the header must be in the table");

    const hsts = need("Strict-Transport-Security");
    const hstsParts = hsts.split(";").map((p) => p.trim().toLowerCase());
    const maxAge = /^max-age=(\d+)$/.exec(hstsParts[0])?.[1];
    if (!maxAge || hstsParts.slice(1).some((p) => p !== "includesubdomains" && p !== "preload")) {
        fail("Strict-Transport-Security", hsts, "max-age=<seconds>[; includeSubDomains][; preload]");
    }
    const xss = need("X-XSS-Protection");
    const xssMatch = /^(0|1)(?:; ?mode=block)?(?:; ?report=(\S+))?$/.exec(xss) ?? fail("X-XSS-Protection", xss, "0, 1, 1; mode=block, 1; report=<uri>");
    const frame = need("X-Frame-Options");
    if (frame !== "DENY" && frame !== "SAMEORIGIN") {
        fail("X-Frame-Options", frame, "DENY, SAMEORIGIN");
    }
    const nosniff = need("X-Content-Type-Options");
    if (nosniff !== "nosniff") {
        fail("X-Content-Type-Options", nosniff, "nosniff");
    }
    const referrer = need("Referrer-Policy");
    if (!REFERRER_POLICIES.includes(referrer)) {
        fail("Referrer-Policy", referrer, REFERRER_POLICIES.join(", "));
    }
    const modeled = new Set(["strict-transport-security", "content-security-policy", "x-content-type-options", "x-frame-options", "x-xss-protection", "referrer-policy"]);
    return {
        securityHeadersConfig: {
            strictTransportSecurity: {
                accessControlMaxAgeSec: Number(maxAge),
                includeSubdomains: hstsParts.includes("includesubdomains"),
                preload: hstsParts.includes("preload"),
                override: true,
            },
            contentSecurityPolicy: { contentSecurityPolicy: checkLength("Content-Security-Policy", need("Content-Security-Policy")), override: true },
            contentTypeOptions: { override: true },
            frameOptions: { frameOption: frame as "DENY" | "SAMEORIGIN", override: true },
            xssProtection: {
                protection: xssMatch[1] === "1",
                ...(xssMatch[1] === "1" && /mode=block/.test(xss) ? { modeBlock: true } : {}),
                ...(xssMatch[2] ? { reportUri: xssMatch[2] } : {}),
                override: true,
            },
            referrerPolicy: { referrerPolicy: referrer, override: true },
        },
        customHeadersConfig: {
            items: table.filter(([n]) => !modeled.has(n.toLowerCase())).map(([header, value]) => ({ header, value: checkLength(header, value), override: true })),
        },
    };
}

/**
 * The headers CloudFront writes for a policy's settings, in the form the edge handler produces
 * (`[Header-Name, value]`), following the policy reference: HSTS directives in max-age,
 * includeSubDomains, preload order; X-XSS-Protection `0`, `1`, `1; mode=block` or `1; report=<uri>`.
 * Tests compare it with the handler's output, so the two paths cannot drift apart.
 */
export function headersOfPolicy(cfg: { securityHeadersConfig?: any; customHeadersConfig?: any }): Array<[string, string]> {
    const s = cfg.securityHeadersConfig ?? {};
    const out: Array<[string, string]> = [];
    if (s.strictTransportSecurity) {
        const h = s.strictTransportSecurity;
        out.push(["Strict-Transport-Security", [`max-age=${h.accessControlMaxAgeSec}`, ...(h.includeSubdomains ? ["includeSubDomains"] : []), ...(h.preload ? ["preload"] : [])].join("; ")]);
    }
    if (s.contentSecurityPolicy) {
        out.push(["Content-Security-Policy", s.contentSecurityPolicy.contentSecurityPolicy]);
    }
    if (s.contentTypeOptions) {
        out.push(["X-Content-Type-Options", "nosniff"]);
    }
    if (s.frameOptions) {
        out.push(["X-Frame-Options", s.frameOptions.frameOption]);
    }
    if (s.xssProtection) {
        const x = s.xssProtection;
        out.push(["X-XSS-Protection", !x.protection ? "0" : x.modeBlock ? "1; mode=block" : x.reportUri ? `1; report=${x.reportUri}` : "1"]);
    }
    if (s.referrerPolicy) {
        out.push(["Referrer-Policy", s.referrerPolicy.referrerPolicy]);
    }
    for (const item of cfg.customHeadersConfig?.items ?? []) {
        out.push([item.header, item.value]);
    }
    return out;
}
