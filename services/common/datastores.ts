/**
 * Connections to MongoDB and Redis that never take the process down: a store that is unreachable
 * makes the service not ready (its readiness check fails) while the connection keeps retrying in the
 * background, so Kubernetes stops routing to the pod instead of restarting it in a loop.
 */
import * as fs from "fs";
import * as path from "path";
import Redis, { RedisOptions } from "ioredis";
import { MongoClient, MongoClientOptions } from "mongodb";
import { MONGODB_CA_FILE } from "../../lib/serviceContract";
import { Logger } from "./log";

/** A readiness check: resolves when the dependency answers, rejects (with a reason) otherwise. */
export type Check = () => Promise<void>;

/** Bound a check's time: a probe has a 2 s timeout, a hung store must not hang it. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function uriQuery(uri: string): URLSearchParams {
    // Not `new URL(uri)`: a replica-set URI lists several host:port pairs, which URL rejects.
    const q = uri.indexOf("?");
    return new URLSearchParams(q === -1 ? "" : uri.slice(q + 1));
}

/**
 * Driver options for a URI. With `tls=true` (DocumentDB) and no `tlsCAFile` in the URI, trust the CA
 * bundle of the mounted data Secret, which the program fills with the Amazon RDS bundle.
 */
export function mongoClientOptions(uri: string, dataSecretDir: string, exists: (p: string) => boolean = fs.existsSync): MongoClientOptions {
    const query = uriQuery(uri);
    const truthy = (k: string) => [...query.entries()].some(([key, v]) => key.toLowerCase() === k && v.toLowerCase() === "true");
    const inUri = (k: string) => [...query.keys()].some((key) => key.toLowerCase() === k.toLowerCase());
    const options: MongoClientOptions = { appName: "flodrama" };
    // Fail a selection fast (readiness must answer within the probe's timeout), unless the URI says otherwise.
    if (!inUri("serverSelectionTimeoutMS")) {
        options.serverSelectionTimeoutMS = 2000;
    }
    if (!inUri("connectTimeoutMS")) {
        options.connectTimeoutMS = 2000;
    }
    const hasCa = inUri("tlsCAFile");
    if ((truthy("tls") || truthy("ssl")) && !hasCa) {
        const caFile = path.join(dataSecretDir, MONGODB_CA_FILE);
        if (!exists(caFile)) {
            throw new Error(`MONGODB_URI asks for TLS but ${caFile} does not exist; mount the data Secret at ${dataSecretDir} or add tlsCAFile to the URI`);
        }
        options.tlsCAFile = caFile;
    }
    return options;
}

/** Retry `connect` with capped exponential backoff until it succeeds or `stop()` is called. */
export class BackgroundConnection<T> {
    private value?: T;
    private stopped = false;
    private timer?: NodeJS.Timeout;
    private attempt?: Promise<void>;
    lastError?: Error;

    constructor(
        private readonly name: string,
        private readonly connect: () => Promise<T>,
        private readonly close: (value: T) => Promise<void>,
        private readonly log: Logger,
        private readonly delays = { initialMs: 250, maxMs: 5000 },
    ) {}

    get current(): T | undefined {
        return this.value;
    }

    start(): void {
        this.tryConnect(this.delays.initialMs);
    }

    private tryConnect(delay: number): void {
        if (this.stopped) {
            return;
        }
        this.attempt = this.connect().then(
            async (value) => {
                if (this.stopped) {
                    await this.close(value);
                    return;
                }
                this.value = value;
                this.lastError = undefined;
                this.log.info("datastore_connected", { store: this.name });
            },
            (err: Error) => {
                if (this.stopped) {
                    return;
                }
                this.lastError = err;
                this.log.warn("datastore_unreachable", { store: this.name, error: err, retryInMs: delay });
                this.timer = setTimeout(() => this.tryConnect(Math.min(delay * 2, this.delays.maxMs)), delay);
            },
        );
    }

    async stop(): Promise<void> {
        this.stopped = true;
        clearTimeout(this.timer);
        await this.attempt;
        if (this.value !== undefined) {
            const value = this.value;
            this.value = undefined;
            await this.close(value);
        }
    }
}

export function mongoConnection(uri: string, dataSecretDir: string, log: Logger): BackgroundConnection<MongoClient> {
    return new BackgroundConnection<MongoClient>(
        "mongodb",
        async () => {
            const client = new MongoClient(uri, mongoClientOptions(uri, dataSecretDir));
            try {
                await client.connect();
                return client;
            } catch (err) {
                await client.close().catch(() => undefined);
                throw err;
            }
        },
        (client) => client.close(),
        log,
    );
}

/** A repository with its readiness check: MongoDB-backed in production, a fake in tests. */
export interface Store<R> {
    repository: R;
    check: Check;
    close?: () => Promise<void>;
}

/**
 * A repository over one collection of the URI's database, on a background connection: the collection
 * getter throws while MongoDB is not connected (that request fails, the process lives on).
 */
export function mongoStore<C, R>(uri: string, dataSecretDir: string, log: Logger, collection: string, build: (collection: () => C) => R): Store<R> {
    const conn = mongoConnection(uri, dataSecretDir, log);
    conn.start();
    const get = () => {
        if (!conn.current) {
            throw new Error("MongoDB is not connected yet");
        }
        return conn.current.db().collection(collection) as unknown as C;
    };
    return { repository: build(get), check: mongoCheck(conn), close: () => conn.stop() };
}

export function mongoCheck(conn: BackgroundConnection<MongoClient>): Check {
    return async () => {
        const client = conn.current;
        if (!client) {
            throw new Error(`not connected${conn.lastError ? `: ${conn.lastError.message}` : ""}`);
        }
        await withTimeout(client.db().command({ ping: 1 }), 1500, "MongoDB ping");
    };
}

/**
 * A Redis client that reconnects on its own. Commands fail at once while it is down (no offline
 * queue), so a request never waits on a dead store and readiness reports it.
 */
export function redisClient(url: string, log: Logger, name: string): Redis {
    const options: RedisOptions = {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        // How long a closing socket may linger before it is destroyed (default 2 s delays exit).
        disconnectTimeout: 200,
        retryStrategy: (times) => Math.min(times * 200, 5000),
        connectionName: name,
    };
    const client = new Redis(url, options);
    let down = false;
    // Without a listener ioredis's errors would be unhandled `error` events and crash the process.
    client.on("error", (err: Error) => {
        if (!down) {
            down = true;
            log.warn("datastore_unreachable", { store: "redis", connection: name, error: err });
        }
    });
    client.on("ready", () => {
        down = false;
        log.info("datastore_connected", { store: "redis", connection: name });
    });
    return client;
}

export function redisCheck(client: Redis): Check {
    return async () => {
        if (client.status !== "ready") {
            throw new Error(`connection is ${client.status}`);
        }
        await withTimeout(client.ping(), 1500, "Redis PING");
    };
}

/** Close a Redis client politely, or drop it when it is not connected. */
export async function closeRedis(client: Redis): Promise<void> {
    if (client.status === "ready") {
        await client.quit().catch(() => client.disconnect());
    } else {
        client.disconnect();
    }
}
