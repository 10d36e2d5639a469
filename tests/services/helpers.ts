/** Shared helpers of the services' tests: quiet loggers that keep their lines, env built from the contract. */
import { APP_PORT_ENV, DATA_ENV, MANAGEMENT_PORT_ENV, SHUTDOWN_TIMEOUT_ENV } from "../../lib/serviceContract";
import { createLogger, Logger } from "../../services/common/log";

export function memoryLogger(): { log: Logger; lines: string[]; events: () => Array<Record<string, unknown>> } {
    const lines: string[] = [];
    return { log: createLogger({ test: true }, (l) => lines.push(l)), lines, events: () => lines.map((l) => JSON.parse(l)) };
}

/** Env of a service under test: ports 0 (free), the given data stores, a short drain. */
export function testEnv(stores: { mongoUri?: string; redisUrl?: string }, extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = { [APP_PORT_ENV]: "0", [MANAGEMENT_PORT_ENV]: "0", [SHUTDOWN_TIMEOUT_ENV]: "2", ...extra };
    if (stores.mongoUri) {
        env[DATA_ENV.mongoUri] = stores.mongoUri;
    }
    if (stores.redisUrl) {
        env[DATA_ENV.redisUrl] = stores.redisUrl;
    }
    return env;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await probe();
        if (v !== undefined) {
            return v;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
}

/** Wait until a service's readiness probe answers 200 (its data stores are connected), as Kubernetes would before routing to it. */
export async function waitReady(host: { managementPort?: number }, timeoutMs = 3000): Promise<void> {
    const { PROBE_PATHS } = await import("../../lib/serviceContract");
    await waitFor(`readiness on port ${host.managementPort}`, async () => ((await fetch(`http://127.0.0.1:${host.managementPort}${PROBE_PATHS.readiness}`)).status === 200 ? true : undefined), timeoutMs);
}
