/** Config checks of the API's keys (`flodrama:api`): public routes and extra CORS origins. */
import { strict as assert } from "assert";
import { ConfigError, parseConfig, RawConfig } from "../../config";
import { PROJECT_DIR, readStackConfig } from "../../offline/harness";

function parse(stack: string, edit: (v: Record<string, any>) => void) {
    const { config } = readStackConfig(stack, edit);
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
        if (k.startsWith("flodrama:")) {
            try {
                values[k.slice(9)] = JSON.parse(v);
            } catch {
                values[k.slice(9)] = v;
            }
        }
    }
    const raw: RawConfig = { region: config["aws:region"], values };
    return parseConfig(raw, { stack, projectDir: PROJECT_DIR });
}

function problem(stack: string, edit: (v: Record<string, any>) => void, key: string): string {
    try {
        parse(stack, edit);
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        const p = e.problems.find((x) => x.key === key);
        assert.ok(p, `no problem for ${key}: ${e.problems.map((x) => x.key).join(", ")}`);
        return p!.expected;
    }
    return assert.fail(`expected ${key} to be rejected`);
}

describe("api: config", () => {
    it("reads extra CORS origins per stack (a local dev server in dev, none in prod)", () => {
        assert.deepEqual(parse("dev", () => undefined).api.extraCorsOrigins, ["http://localhost:5173"]);
        assert.deepEqual(parse("prod", () => undefined).api.extraCorsOrigins, []);
        assert.deepEqual(parse("prod", (v) => delete v.api.extraCorsOrigins).api.extraCorsOrigins, []);
    });

    it("accepts plain-http localhost origins in dev only", () => {
        assert.match(problem("prod", (v) => (v.api.extraCorsOrigins = ["http://localhost:5173"]), "flodrama:api.extraCorsOrigins[0]"), /https:\/\/ origin/);
        assert.match(problem("dev", (v) => (v.api.extraCorsOrigins = ["http://192.0.2.10:5173"]), "flodrama:api.extraCorsOrigins[0]"), /localhost/);
    });

    it("rejects origins with a path, a trailing slash or a wildcard, naming the origin to write", () => {
        assert.match(problem("dev", (v) => (v.api.extraCorsOrigins = ["https://admin.flodrama.com/app"]), "flodrama:api.extraCorsOrigins[0]"), /write https:\/\/admin\.flodrama\.com/);
        assert.match(problem("dev", (v) => (v.api.extraCorsOrigins = ["https://admin.flodrama.com/"]), "flodrama:api.extraCorsOrigins[0]"), /no path/);
        assert.match(problem("dev", (v) => (v.api.extraCorsOrigins = ["*"]), "flodrama:api.extraCorsOrigins[0]"), /origin/);
    });

    it("rejects malformed public route keys", () => {
        assert.match(problem("dev", (v) => (v.api.publicRoutes = ["/health"]), "flodrama:api.publicRoutes[0]"), /route key/);
    });
});
