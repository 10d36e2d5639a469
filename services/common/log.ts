/**
 * JSON logs, one line per event on stdout. Callers pass named fields, never whole requests: request
 * lines carry the path without its query string (the WebSocket token travels there) and no headers.
 */
import { SECRET_NAME_PATTERN } from "../../lib/serviceContract";

export type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
    info(event: string, fields?: Record<string, unknown>): void;
    warn(event: string, fields?: Record<string, unknown>): void;
    error(event: string, fields?: Record<string, unknown>): void;
    child(fields: Record<string, unknown>): Logger;
}

/** Field names whose values are never written, whatever a caller passes: secrets, query strings, connection URIs. */
const redacted = (name: string) => SECRET_NAME_PATTERN.test(name) || /^(query|querystring|uri|url|headers)$/i.test(name);

function clean(fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
        if (redacted(k)) {
            out[k] = "[redacted]";
        } else if (v instanceof Error) {
            out[k] = { name: v.name, message: v.message };
        } else {
            out[k] = v;
        }
    }
    return out;
}

export function createLogger(base: Record<string, unknown>, write: (line: string) => void = (l) => process.stdout.write(l + "\n")): Logger {
    const emit = (level: Level, event: string, fields: Record<string, unknown> = {}) =>
        write(JSON.stringify({ time: new Date().toISOString(), level, event, ...clean(base), ...clean(fields) }));
    return {
        info: (e, f) => emit("info", e, f),
        warn: (e, f) => emit("warn", e, f),
        error: (e, f) => emit("error", e, f),
        child: (fields) => createLogger({ ...base, ...fields }, write),
    };
}

/** The path of a request URL without its query string or fragment. */
export function pathOnly(url: string | undefined): string {
    const raw = url ?? "/";
    const cut = raw.search(/[?#]/);
    return cut === -1 ? raw : raw.slice(0, cut);
}
