/**
 * A small router over node:http (no framework needed for a handful of JSON routes), request
 * metrics and logs, the identity API Gateway sets, and a server that drains on close.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { GROUPS_SEPARATOR, IDENTITY_HEADERS } from "../../lib/serviceContract";
import { Logger, pathOnly } from "./log";
import { ServiceMetrics } from "./metrics";

export interface RequestContext {
    req: http.IncomingMessage;
    params: Record<string, string>;
    query: URLSearchParams;
}
export interface Reply {
    status: number;
    body?: unknown;
}
export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

export interface Route {
    method: string;
    /** `/catalog/:id` style pattern. */
    pattern: string;
    handler: Handler;
}

function match(pattern: string, path: string): Record<string, string> | undefined {
    const want = pattern.split("/");
    const got = path.split("/");
    if (want.length !== got.length) {
        return undefined;
    }
    const params: Record<string, string> = {};
    for (let i = 0; i < want.length; i++) {
        if (want[i].startsWith(":")) {
            if (got[i] === "") {
                return undefined;
            }
            params[want[i].slice(1)] = decodeURIComponent(got[i]);
        } else if (want[i] !== got[i]) {
            return undefined;
        }
    }
    return params;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(text) });
    res.end(text);
}

/** The verified caller, from the headers API Gateway overwrites; undefined when there is none. */
export interface Identity {
    userId: string;
    groups: string[];
}
export function identityOf(req: http.IncomingMessage): Identity | undefined {
    const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    const userId = first(req.headers[IDENTITY_HEADERS.userId])?.trim();
    if (!userId) {
        return undefined;
    }
    const groups = (first(req.headers[IDENTITY_HEADERS.groups]) ?? "")
        .split(GROUPS_SEPARATOR)
        .map((g) => g.trim())
        .filter((g) => g.length > 0);
    return { userId, groups };
}

/** The request body as text, refused with 413 beyond `limitBytes`. */
export async function readBody(req: http.IncomingMessage, limitBytes = 32 * 1024): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > limitBytes) {
            throw new HttpError(413, `body larger than ${limitBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}

export class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

/** A request listener that routes, times every request by route pattern and logs one line per request. */
export function router(routes: Route[], log: Logger, metrics: ServiceMetrics): http.RequestListener {
    return (req, res) => {
        const started = process.hrtime.bigint();
        const path = pathOnly(req.url);
        const method = req.method ?? "GET";
        let routeLabel = "unmatched";
        const finish = (status: number) => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            metrics.httpDuration.observe({ method, route: routeLabel, status: String(status) }, seconds);
            log.info("http_request", { method, path, route: routeLabel, status, durationMs: Math.round(seconds * 1000) });
        };
        void (async () => {
            let status = 500;
            try {
                const candidates = routes.map((r) => ({ r, params: match(r.pattern, path) })).filter((c) => c.params !== undefined);
                const hit = candidates.find((c) => c.r.method === method);
                if (!hit) {
                    status = candidates.length > 0 ? 405 : 404;
                    sendJson(res, status, { error: status === 405 ? "method not allowed" : "not found" });
                    return;
                }
                routeLabel = hit.r.pattern;
                const query = new URL(req.url ?? "/", "http://localhost").searchParams;
                const reply = await hit.r.handler({ req, params: hit.params!, query });
                status = reply.status;
                sendJson(res, status, reply.body);
            } catch (err) {
                status = err instanceof HttpError ? err.status : 500;
                if (status === 500) {
                    log.error("handler_failed", { method, route: routeLabel, error: err as Error });
                }
                if (!res.headersSent) {
                    sendJson(res, status, { error: err instanceof HttpError ? err.message : "internal error" });
                } else {
                    res.destroy();
                }
            } finally {
                finish(status);
            }
        })();
    };
}

export function listen(server: http.Server, port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
            server.off("error", reject);
            resolve((server.address() as AddressInfo).port);
        });
    });
}

/**
 * Stop accepting connections, let requests in flight finish, close idle keep-alive connections at
 * once and every remaining one when the deadline passes.
 */
export function drain(server: http.Server, deadlineMs: number): Promise<void> {
    if (!server.listening) {
        return Promise.resolve();
    }
    return new Promise((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
        // A keep-alive connection turns idle when its last response ends: close those as they appear.
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        server.close(() => {
            clearTimeout(timer);
            clearInterval(sweep);
            resolve();
        });
        server.closeIdleConnections();
    });
}
