/**
 * HTTP and WebSocket checks of a deployed stack: the CloudFront site (security headers, SPA deep
 * links, long-cached hashed assets), the HTTP API (public health route, protected route without a
 * token) and the WebSocket API (handshake without a token refused). Node's own fetch and http/https
 * only, so they run wherever `npm run verify` does.
 */
import * as http from "http";
import * as https from "https";
import { randomBytes } from "crypto";
import { Check, Outcome } from "./runner";

/** The seven headers the edge function adds to every site response. */
export const SECURITY_HEADERS = [
    "strict-transport-security",
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "x-xss-protection",
    "referrer-policy",
    "permissions-policy",
] as const;

export const DEEP_LINK = "/some/deep/link";
const TIMEOUT_MS = 15_000;

export interface Fetched {
    status: number;
    headers: Headers;
    body: string;
}

async function get(url: string): Promise<Fetched> {
    const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    return { status: res.status, headers: res.headers, body: await res.text() };
}

function join(base: string, p: string): string {
    return `${base.replace(/\/+$/, "")}${p}`;
}

const pass = (detail: string): Outcome => ({ ok: true, detail });
const fail = (detail: string): Outcome => ({ ok: false, detail });

/** The first hashed asset (`/assets/<name>-<hash>.js|css`) that index.html references. */
export function hashedAssetOf(indexHtml: string): string | undefined {
    const m = /(?:src|href)=["'](\/?assets\/[^"']+\.(?:js|css|mjs))["']/i.exec(indexHtml);
    return m ? (m[1].startsWith("/") ? m[1] : `/${m[1]}`) : undefined;
}

/** The site checks; they share one fetch of index.html. */
export function siteChecks(siteUrl: string): Check[] {
    let index: Promise<Fetched> | undefined;
    const indexHtml = () => (index ??= get(join(siteUrl, "/")));
    return [
        {
            name: "site serves index.html with the security headers",
            run: async () => {
                const r = await indexHtml();
                if (r.status !== 200 || !/<html/i.test(r.body)) {
                    return fail(`GET ${siteUrl}/ answered ${r.status}${r.status === 200 ? " without an HTML document" : ""}, expected 200 with index.html`);
                }
                const missing = SECURITY_HEADERS.filter((h) => !r.headers.get(h));
                return missing.length ? fail(`missing ${missing.join(", ")} (the edge function adds them on origin-response)`) : pass(`200, ${SECURITY_HEADERS.length} security headers present`);
            },
        },
        {
            name: "deep link answers 200 with index.html",
            run: async () => {
                const [home, deep] = await Promise.all([indexHtml(), get(join(siteUrl, DEEP_LINK))]);
                if (deep.status !== 200) {
                    return fail(`GET ${DEEP_LINK} answered ${deep.status}, expected 200 (the distribution maps 403/404 to /index.html)`);
                }
                return deep.body === home.body ? pass(`${DEEP_LINK} → 200, same document as /`) : fail(`GET ${DEEP_LINK} answered 200 with a different document than /`);
            },
        },
        {
            name: "hashed assets are cached for a year, immutable",
            run: async () => {
                const asset = hashedAssetOf((await indexHtml()).body);
                if (!asset) {
                    return fail("index.html references no /assets/* script or stylesheet to check");
                }
                const r = await get(join(siteUrl, asset));
                const cc = r.headers.get("cache-control") ?? "";
                if (r.status !== 200) {
                    return fail(`GET ${asset} answered ${r.status}`);
                }
                return /max-age=31536000/.test(cc) && /immutable/.test(cc) ? pass(`${asset}: cache-control "${cc}"`) : fail(`${asset}: cache-control "${cc}", expected max-age=31536000 and immutable (upload metadata of hashed assets)`);
            },
        },
    ];
}

export function apiChecks(httpApiUrl: string, protectedRoute = "/me"): Check[] {
    return [
        {
            name: "HTTP API GET /health answers 200",
            run: async () => {
                const r = await get(join(httpApiUrl, "/health"));
                return r.status === 200 ? pass("200") : fail(`GET ${join(httpApiUrl, "/health")} answered ${r.status}, expected 200 (NLB targets healthy? api pods ready?)`);
            },
        },
        {
            name: `HTTP API GET ${protectedRoute} without a token answers 401`,
            run: async () => {
                const r = await get(join(httpApiUrl, protectedRoute));
                return r.status === 401 ? pass("401") : fail(`GET ${protectedRoute} without a token answered ${r.status}, expected 401 (the JWT authorizer must guard every non-public route)`);
            },
        },
    ];
}

/** Opens a WebSocket handshake without credentials: 101 means accepted, otherwise the HTTP status. */
export function websocketHandshake(url: string): Promise<{ accepted: boolean; status: number }> {
    const u = new URL(url.replace(/^ws/, "http"));
    const client = u.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = client.request(u, {
            method: "GET",
            headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": randomBytes(16).toString("base64") },
            timeout: TIMEOUT_MS,
        });
        req.on("upgrade", (res, socket) => {
            socket.destroy();
            resolve({ accepted: true, status: res.statusCode ?? 101 });
        });
        req.on("response", (res) => {
            res.resume();
            resolve({ accepted: false, status: res.statusCode ?? 0 });
        });
        req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${TIMEOUT_MS / 1000} s`)));
        req.on("error", reject);
        req.end();
    });
}

export function websocketCheck(websocketUrl: string): Check {
    return {
        name: "WebSocket connect without a token is refused",
        run: async () => {
            const r = await websocketHandshake(websocketUrl);
            if (r.accepted) {
                return fail(`${websocketUrl} accepted a connection without a token (the $connect route needs the Lambda authorizer)`);
            }
            return r.status === 401 || r.status === 403 ? pass(`handshake refused with ${r.status}`) : fail(`handshake answered ${r.status}, expected 401 or 403`);
        },
    };
}
