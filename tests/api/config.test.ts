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

    it("rejects malformed public route keys", () => {
        assertProblem(problemsOf("dev", (v) => (v.api.publicRoutes = ["/health"])), "flodrama:api.publicRoutes[0]", /route key/);
    });
});
