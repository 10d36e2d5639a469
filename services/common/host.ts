/**
 * What every service process shares: the management server (liveness, readiness, metrics on
 * MANAGEMENT_PORT, never on the app port), the app server, and the SIGTERM drain.
 */
import * as http from "http";
import { METRICS_PATH, PROBE_PATHS } from "../../lib/serviceContract";
import { Check, withTimeout } from "./datastores";
import { CommonConfig } from "./env";
import { drain, listen, sendJson } from "./http";
import { Logger, pathOnly } from "./log";
import { ServiceMetrics } from "./metrics";

export interface HostOptions {
    name: string;
    config: Pick<CommonConfig, "port" | "managementPort" | "shutdownTimeoutMs">;
    log: Logger;
    metrics: ServiceMetrics;
    /** Readiness checks by dependency name; all must pass. */
    checks: Record<string, Check>;
    /** The app server, if the service serves traffic (the scraper does not). */
    app?: http.Server;
    /** Interface to bind; default all (the pod's IP). Tests pass 127.0.0.1. */
    host?: string;
}

export class ServiceHost {
    private shuttingDown = false;
    private shutdownPromise?: Promise<void>;
    private readonly closers: Array<{ name: string; close: () => Promise<void> }> = [];
    private readonly beforeDrainSteps: Array<{ name: string; close: () => Promise<void> }> = [];
    readonly management: http.Server;
    appPort?: number;
    managementPort?: number;

    constructor(private readonly opts: HostOptions) {
        this.management = http.createServer((req, res) => void this.serveManagement(req, res));
    }

    /** Something to close after the app server has drained (clients, loops), in registration order. */
    onShutdown(name: string, close: () => Promise<void>): void {
        this.closers.push({ name, close });
    }

    /** Something to close before the app server drains, such as upgraded WebSocket connections. */
    beforeDrain(name: string, close: () => Promise<void>): void {
        this.beforeDrainSteps.push({ name, close });
    }

    async start(): Promise<void> {
        this.managementPort = await listen(this.management, this.opts.config.managementPort, this.opts.host);
        if (this.opts.app) {
            this.appPort = await listen(this.opts.app, this.opts.config.port, this.opts.host);
        }
        this.opts.log.info("service_started", { service: this.opts.name, port: this.appPort, managementPort: this.managementPort });
    }

    /** Results of every readiness check; not ready while shutting down, so no new traffic arrives. */
    async readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
        const names = Object.keys(this.opts.checks);
        const results = await Promise.all(
            names.map((n) =>
                withTimeout(this.opts.checks[n](), 1800, n).then(
                    () => "ok",
                    (err: Error) => err.message,
                ),
            ),
        );
        const checks = Object.fromEntries(names.map((n, i) => [n, results[i]]));
        if (this.shuttingDown) {
            checks.shutdown = "shutting down";
        }
        return { ready: Object.values(checks).every((v) => v === "ok"), checks };
    }

    private async serveManagement(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const path = pathOnly(req.url);
        try {
            if (req.method !== "GET") {
                sendJson(res, 405, { error: "method not allowed" });
            } else if (path === PROBE_PATHS.liveness || path === PROBE_PATHS.startup) {
                // Alive means the event loop answers; data stores are readiness's business.
                sendJson(res, 200, { status: "ok" });
            } else if (path === PROBE_PATHS.readiness) {
                const r = await this.readiness();
                sendJson(res, r.ready ? 200 : 503, { status: r.ready ? "ready" : "not ready", checks: r.checks });
            } else if (path === METRICS_PATH) {
                const body = await this.opts.metrics.registry.metrics();
                res.writeHead(200, { "content-type": this.opts.metrics.registry.contentType });
                res.end(body);
            } else {
                sendJson(res, 404, { error: "not found" });
            }
        } catch (err) {
            this.opts.log.error("management_failed", { path, error: err as Error });
            if (!res.headersSent) {
                sendJson(res, 500, { error: "internal error" });
            }
        }
    }

    /**
     * Stop accepting, let requests in flight finish (up to the shutdown timeout), close the clients,
     * then the management server last so probes answer "not ready" during the drain. Idempotent.
     */
    shutdown(): Promise<void> {
        this.shutdownPromise ??= this.runShutdown();
        return this.shutdownPromise;
    }

    private async runShutdown(): Promise<void> {
        this.shuttingDown = true;
        const started = Date.now();
        const budget = this.opts.config.shutdownTimeoutMs;
        this.opts.log.info("shutdown_started", { timeoutMs: budget });
        const step = async (c: { name: string; close: () => Promise<void> }) => {
            const left = Math.max(100, budget - (Date.now() - started));
            await withTimeout(c.close(), left, c.name).catch((err: Error) => this.opts.log.warn("shutdown_step_failed", { step: c.name, error: err }));
        };
        for (const c of this.beforeDrainSteps) {
            await step(c);
        }
        if (this.opts.app) {
            await drain(this.opts.app, budget);
        }
        for (const c of this.closers) {
            await step(c);
        }
        await drain(this.management, 1000);
        this.opts.log.info("shutdown_complete", { durationMs: Date.now() - started });
    }
}

/**
 * SIGTERM (Kubernetes) and SIGINT (a terminal) drain the host and exit 0; a drain that fails exits 1.
 * A second signal does not start a second drain.
 */
export function exitOnSignals(host: ServiceHost, log: Logger, exit: (code: number) => void = (c) => process.exit(c)): void {
    const onSignal = (signal: NodeJS.Signals) => {
        log.info("signal_received", { signal });
        host.shutdown().then(
            () => exit(0),
            (err: Error) => {
                log.error("shutdown_failed", { error: err });
                exit(1);
            },
        );
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
}

/** Entry point of a service binary: start, log a startup failure (bad config) as one JSON line, exit 1. */
export function runMain(name: string, log: Logger, start: () => Promise<ServiceHost>): void {
    start().then(
        (host) => exitOnSignals(host, log),
        (err: Error) => {
            log.error("startup_failed", { service: name, error: err });
            process.exit(1);
        },
    );
}
