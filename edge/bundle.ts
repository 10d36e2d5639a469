/**
 * Deploy-time side of the edge function: which origins the stack's CSP allows, and the esbuild bundle
 * with the header table baked in. Runs in the Pulumi program (in-process `esbuild.buildSync`, no
 * network, no files written), so `pulumi preview` already shows a code change as a diff.
 */
import { createHash } from "crypto";
import * as path from "path";
import * as esbuild from "esbuild";
import type { DomainConfig } from "../lib/contracts";

/** The config the CSP depends on: the region and the custom domains of the API and the site. */
export interface CspInputs {
    region: string;
    api: { domain?: DomainConfig; websocketDomain?: DomainConfig };
    cdn: { domain?: DomainConfig };
}
import { buildSecurityHeaders, HeaderTable, SecurityHeadersConfig } from "./securityHeaders";

/** Lambda@Edge's limit on a viewer-trigger package; origin triggers allow 50 MB, the bundle stays far below both. */
export const VIEWER_PACKAGE_LIMIT_BYTES = 1024 * 1024;

/** The Node.js runtime of the function and the esbuild target that matches it (nodejs20.x can no longer be created: docs/decisions.md#edge-security-headers). */
export const EDGE_RUNTIME = "nodejs22.x";
export const EDGE_TARGET = "node22";

/**
 * The CSP inputs of a stack, from its config alone. The API is created after the site (it needs the
 * site URL for CORS), so its generated hostnames are unknown here. connect-src therefore allows the
 * configured custom API domain (`api.domain` over https, `api.websocketDomain` over wss) and, only for
 * an API without one, the region's execute-api hosts: that wildcard also matches every other account's
 * APIs, an exfiltration path the CSP should not open where a custom domain exists. Plus Cognito: both
 * managed-login origins, the viewers' and the admin console's (served under `/admin` of this site), as
 * identity derives them (the caller passes identity's `managedLoginOrigins`); the SPA exchanges the PKCE code with fetch, so they are in connect-src as well
 * as form-action.
 */
export function securityHeadersConfigFor(cfg: CspInputs, managedLogin: string[]): SecurityHeadersConfig {
    const apiOrigins = (scheme: "https" | "wss", domain: DomainConfig | undefined) =>
        domain ? domain.names.map((n) => `${scheme}://${n}`) : [`${scheme}://*.execute-api.${cfg.region}.amazonaws.com`];
    return {
        connectSources: [
            ...apiOrigins("https", cfg.api.domain),
            ...apiOrigins("wss", cfg.api.websocketDomain),
            `https://cognito-idp.${cfg.region}.amazonaws.com`,
            ...managedLogin,
        ],
        siteSources: (cfg.cdn.domain?.names ?? []).map((n) => `https://${n}`),
        formActions: managedLogin,
    };
}

export interface EdgeBundle {
    /** The CommonJS module, exporting `handler`. */
    code: string;
    /** Size of `code` in bytes. */
    bytes: number;
    /** SHA-256 of `code`, hex: changes exactly when the deployed code would. */
    sha256: string;
}

/**
 * Bundles edge/handler.ts with the header table inlined (esbuild `define`): minified CommonJS for the
 * Lambda Node.js runtime, no source map, no process.env, no dependency left to resolve at run time.
 */
export function bundleSecurityHeaders(table: HeaderTable): EdgeBundle {
    const result = esbuild.buildSync({
        entryPoints: [path.join(__dirname, "handler.ts")],
        bundle: true,
        platform: "node",
        target: EDGE_TARGET,
        format: "cjs",
        minify: true,
        write: false,
        sourcemap: false,
        legalComments: "none",
        logLevel: "silent",
        define: { __SECURITY_HEADERS__: JSON.stringify(table) },
    });
    if (result.errors.length > 0 || result.outputFiles.length !== 1) {
        throw new Error(`edge bundle failed: ${result.errors.map((e) => e.text).join("; ") || "no output"}`);
    }
    const code = result.outputFiles[0].text;
    if (/process\.env/.test(code)) {
        throw new Error("edge bundle reads process.env, which Lambda@Edge does not provide");
    }
    const bytes = Buffer.byteLength(code);
    if (bytes >= VIEWER_PACKAGE_LIMIT_BYTES) {
        throw new Error(`edge bundle is ${bytes} bytes, over Lambda@Edge's ${VIEWER_PACKAGE_LIMIT_BYTES}-byte limit`);
    }
    return { code, bytes, sha256: createHash("sha256").update(code).digest("hex") };
}

/** Convenience: the bundle for a stack's header inputs. */
export function bundleForConfig(cfg: SecurityHeadersConfig): EdgeBundle {
    return bundleSecurityHeaders(buildSecurityHeaders(cfg));
}
