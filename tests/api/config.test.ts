/** Config checks of the API's keys (`flodrama:api`): public routes and extra CORS origins. */
import { strict as assert } from "assert";
import { assertProblem, configFor, problemsOf } from "../../offline/stackConfig";

const origin0 = "flodrama:api.extraCorsOrigins[0]";

describe("api: config", () => {
    it("reads extra CORS origins per stack (a local dev server in dev, none in prod)", () => {
        assert.deepEqual(configFor("dev").api.extraCorsOrigins, ["http://localhost:5173"]);
        assert.deepEqual(configFor("prod").api.extraCorsOrigins, []);
        assert.deepEqual(configFor("prod", (v) => delete v.api.extraCorsOrigins).api.extraCorsOrigins, []);
    });

    it("accepts plain-http localhost origins in dev only", () => {
        assertProblem(problemsOf("prod", (v) => (v.api.extraCorsOrigins = ["http://localhost:5173"])), origin0, /https:\/\/ origin/);
        assertProblem(problemsOf("dev", (v) => (v.api.extraCorsOrigins = ["http://192.0.2.10:5173"])), origin0, /localhost/);
    });

    it("rejects origins with a path, a trailing slash or a wildcard, naming the origin to write", () => {
        assertProblem(problemsOf("dev", (v) => (v.api.extraCorsOrigins = ["https://admin.flodrama.com/app"])), origin0, /write https:\/\/admin\.flodrama\.com/);
        assertProblem(problemsOf("dev", (v) => (v.api.extraCorsOrigins = ["https://admin.flodrama.com/"])), origin0, /no path/);
        assertProblem(problemsOf("dev", (v) => (v.api.extraCorsOrigins = ["*"])), origin0, /origin/);
    });

    it("rejects malformed public route keys, catch-alls and management paths", () => {
        assertProblem(problemsOf("dev", (v) => (v.api.publicRoutes = ["/health"])), "flodrama:api.publicRoutes[0]", /route key/);
        assertProblem(problemsOf("dev", (v) => (v.api.publicRoutes = ["GET /{proxy+}"])), "flodrama:api.publicRoutes[0]", /catch-all would make every request public/);
        for (const path of ["/metrics", "/healthz", "/ready/{proxy+}"]) {
            assertProblem(problemsOf("dev", (v) => (v.api.publicRoutes = [`GET ${path}`])), "flodrama:api.publicRoutes[0]", /not a management path/);
        }
    });

    it("reads the route prefixes per stack, defaulting to the reference API's /catalog and /me", () => {
        for (const stack of ["dev", "prod"]) {
            assert.deepEqual(configFor(stack).api.routePrefixes, ["/catalog", "/me"]);
        }
        assert.deepEqual(configFor("dev", (v) => delete v.api.routePrefixes).api.routePrefixes, ["/catalog", "/me"]);
    });

    it("rejects prefixes that are not plain paths, name a management path, repeat, or are missing", () => {
        const at = "flodrama:api.routePrefixes[0]";
        for (const bad of ["/", "catalog", "/catalog/", "/{proxy+}", "/catalog/{id}"]) {
            assertProblem(problemsOf("dev", (v) => (v.api.routePrefixes = [bad])), at, /path prefix such as \/catalog/);
        }
        for (const bad of ["/metrics", "/healthz", "/ready/x"]) {
            assertProblem(problemsOf("dev", (v) => (v.api.routePrefixes = [bad])), at, /management paths/);
        }
        assertProblem(problemsOf("dev", (v) => (v.api.routePrefixes = [])), "flodrama:api.routePrefixes", /at least 1/);
        assertProblem(problemsOf("dev", (v) => (v.api.routePrefixes = ["/me", "/me"])), "flodrama:api.routePrefixes", /without duplicates/);
    });
});
