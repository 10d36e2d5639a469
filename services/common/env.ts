/**
 * Reading the environment the program injects (names from lib/serviceContract.ts), with errors that
 * name the variable, the value, what is allowed and the fix.
 */
import {
    APP_PORT_ENV,
    DATA_ENV,
    DATA_SECRET_MOUNT_PATH,
    DEFAULT_APP_PORT,
    DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
    MANAGEMENT_PORT,
    MANAGEMENT_PORT_ENV,
    SHUTDOWN_TIMEOUT_ENV,
} from "../../lib/serviceContract";

export type Env = Record<string, string | undefined>;

export class EnvError extends Error {}

export function intEnv(env: Env, name: string, fallback: number, min: number, max: number): number {
    const raw = env[name];
    if (raw === undefined || raw === "") {
        return fallback;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new EnvError(`${name}=${JSON.stringify(raw)} is not an integer from ${min} to ${max}; set it to one, or unset it for ${fallback}`);
    }
    return value;
}

export function requiredEnv(env: Env, name: string, hint: string): string {
    const value = env[name];
    if (value === undefined || value === "") {
        throw new EnvError(`${name} is not set; ${hint}`);
    }
    return value;
}

/** What every service reads: its two ports, the data stores and the drain budget. */
export interface CommonConfig {
    port: number;
    managementPort: number;
    mongoUri: string;
    redisUrl: string;
    /** Directory of the mounted data Secret (the MongoDB CA file lives there). */
    dataSecretDir: string;
    shutdownTimeoutMs: number;
}

const FROM_SECRET = "the program sets it from the data Secret; locally export it (e.g. mongodb://127.0.0.1:27017/flodrama, redis://127.0.0.1:6379)";

export function commonConfig(env: Env, needs: { mongo: boolean; redis: boolean }): CommonConfig {
    const config: CommonConfig = {
        // 0 is allowed: tests bind a free port.
        port: intEnv(env, APP_PORT_ENV, DEFAULT_APP_PORT, 0, 65535),
        managementPort: intEnv(env, MANAGEMENT_PORT_ENV, MANAGEMENT_PORT, 0, 65535),
        mongoUri: needs.mongo ? requiredEnv(env, DATA_ENV.mongoUri, FROM_SECRET) : "",
        redisUrl: needs.redis ? requiredEnv(env, DATA_ENV.redisUrl, FROM_SECRET) : "",
        dataSecretDir: DATA_SECRET_MOUNT_PATH,
        shutdownTimeoutMs: intEnv(env, SHUTDOWN_TIMEOUT_ENV, DEFAULT_SHUTDOWN_TIMEOUT_SECONDS, 1, 3600) * 1000,
    };
    if (config.port !== 0 && config.port === config.managementPort) {
        throw new EnvError(`${APP_PORT_ENV} and ${MANAGEMENT_PORT_ENV} are both ${config.port}; the management port must differ so probes and metrics stay off the public port`);
    }
    return config;
}
