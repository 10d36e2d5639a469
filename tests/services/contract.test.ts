/**
 * The service contract: what the services read (env names, ports, probe and metrics paths, identity
 * headers, Watch Party routes) comes from lib/serviceContract.ts, the module the program builds pods,
 * probes, monitors and API routes from. Two halves: the services' sources hold none of those values
 * as literals, and the running services answer on exactly what the contract names.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as contract from "../../lib/serviceContract";
import { DATA_SECRET_KEYS, DATA_SECRET_MOUNT_PATH, METRICS_PATH, SERVICE_PORT_NAME } from "../../lib/contracts";
import { InMemoryCatalogRepository } from "../../services/api/catalog";
import { startApi } from "../../services/api/main";
import { commonConfig } from "../../services/common/env";
import { memoryLogger, testEnv, waitReady } from "./helpers";
import { freePort, startRedis } from "./redisServer";

const SERVICES_DIR = path.join(__dirname, "..", "..", "services");

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? (e.name === "node_modules" || e.name === "dist" ? [] : sourceFiles(p)) : p.endsWith(".ts") ? [p] : [];
    });
}

/** Every string and number the contract defines, wherever it is nested. */
function contractValues(value: unknown, out: Array<string | number> = []): Array<string | number> {
    if (typeof value === "string" || typeof value === "number") {
        out.push(value);
    } else if (Array.isArray(value)) {
        value.forEach((v) => contractValues(v, out));
    } else if (typeof value === "object" && value !== null) {
        Object.values(value).forEach((v) => contractValues(v, out));
    }
    return out;
}

describe("services: the contract with the program (lib/serviceContract.ts)", () => {
    it("no service source spells a contract value itself: env names, paths, headers and ports are imported", () => {
        // Values too generic to be contract-specific in other code (a slug, the "." context, "http", ",").
        const generic = new Set<string | number>(["connect", "disconnect", "message", ".", ",", "http", "api", "scraper", "watch-party", "SERVICE"]);
        // Numbers: only the ports (a 20 or a 3600 elsewhere is not the contract's).
        const values = [...contractValues(contract).filter((v) => typeof v === "string" && !generic.has(v)), contract.MANAGEMENT_PORT, contract.DEFAULT_APP_PORT];
        // HTTP header names match whatever their case.
        const headers = new Set<string | number>([...Object.values(contract.IDENTITY_HEADERS), ...Object.values(contract.WEBSOCKET_HEADERS)]);
        const offenders: string[] = [];
        for (const file of sourceFiles(SERVICES_DIR)) {
            // Comments may name the contract's values; code may not.
            const text = fs
                .readFileSync(file, "utf8")
                .replace(/\/\*[\s\S]*?\*\//g, "")
                .replace(/(^|[^:])\/\/.*$/gm, "$1");
            for (const v of values) {
                const literal = typeof v === "number" ? new RegExp(`(?<![\\w.])${v}(?![\\w.])`) : new RegExp(`["'\`]${v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["'\`]`, headers.has(v) ? "i" : "");
                if (literal.test(text)) {
                    offenders.push(`${path.relative(SERVICES_DIR, file)}: ${JSON.stringify(v)}`);
                }
            }
        }
        assert.deepEqual(offenders, [], "import these from lib/serviceContract.ts instead");
    });

    it("the program's own data-Secret and port constants are the contract's (lib/contracts.ts)", () => {
        assert.deepEqual(DATA_SECRET_KEYS, { mongoUri: contract.DATA_ENV.mongoUri, redisUrl: contract.DATA_ENV.redisUrl, mongoCa: contract.MONGODB_CA_FILE });
        assert.equal(DATA_SECRET_MOUNT_PATH, contract.DATA_SECRET_MOUNT_PATH);
        assert.equal(SERVICE_PORT_NAME, contract.APP_PORT_NAME);
        assert.equal(METRICS_PATH, contract.METRICS_PATH);
        assert.notEqual(contract.MANAGEMENT_PORT_NAME, contract.APP_PORT_NAME);
        assert.ok(contract.MANAGEMENT_PORT_NAME.length <= 15, "a container port name has at most 15 characters");
    });

    it("without PORT and MANAGEMENT_PORT a service uses the contract's defaults, and refuses one port for both", () => {
        const c = commonConfig({ [contract.DATA_ENV.redisUrl]: "redis://x" }, { mongo: false, redis: true });
        assert.equal(c.port, contract.DEFAULT_APP_PORT);
        assert.equal(c.managementPort, contract.MANAGEMENT_PORT);
        assert.equal(c.dataSecretDir, contract.DATA_SECRET_MOUNT_PATH);
        assert.throws(() => commonConfig({ [contract.APP_PORT_ENV]: "9090", [contract.DATA_ENV.redisUrl]: "redis://x" }, { mongo: false, redis: true }), /PORT and MANAGEMENT_PORT are both 9090/);
        assert.throws(() => commonConfig({ [contract.APP_PORT_ENV]: "http" }, { mongo: false, redis: false }), /PORT="http" is not an integer/);
        assert.throws(() => commonConfig({}, { mongo: true, redis: false }), /MONGODB_URI is not set/);
    });

    it("a running service listens on the ports the contract's env names give, with probes, metrics and identity as named", async () => {
        const redis = await startRedis();
        const [appPort, mgmtPort] = [await freePort(), await freePort()];
        const env = { ...testEnv({ redisUrl: redis.url }), [contract.APP_PORT_ENV]: String(appPort), [contract.MANAGEMENT_PORT_ENV]: String(mgmtPort) };
        const host = await startApi(env, { catalog: { repository: new InMemoryCatalogRepository([]), check: async () => undefined }, host: "127.0.0.1", log: memoryLogger().log });
        try {
            await waitReady(host);
            assert.equal(host.appPort, appPort);
            assert.equal(host.managementPort, mgmtPort);
            for (const p of [contract.PROBE_PATHS.liveness, contract.PROBE_PATHS.readiness, contract.PROBE_PATHS.startup, contract.METRICS_PATH]) {
                assert.equal((await fetch(`http://127.0.0.1:${mgmtPort}${p}`)).status, 200, p);
            }
            const me = await fetch(`http://127.0.0.1:${appPort}${contract.API_PATHS.me}`, { headers: { [contract.IDENTITY_HEADERS.userId]: "sub-1", [contract.IDENTITY_HEADERS.groups]: "a,b" } });
            assert.deepEqual(await me.json(), { userId: "sub-1", groups: ["a", "b"], personalization: false });
        } finally {
            await host.shutdown();
            await redis.stop();
        }
    });
});
