/**
 * The APIGateway.8 exception (policy/exceptions.ts) covers only what the API component makes public
 * on purpose: read-only routes from api.publicRoutes and the WebSocket routes that cannot carry an
 * authorizer. Any other route without authorization stays a mandatory violation.
 */
import { strict as assert } from "assert";
import { ALL_POLICIES } from "../../policy/all";
import { evaluateResource, FlodramaResourcePolicy } from "../../policy/framework";
import { res } from "../policy/cases";

const ROUTE = "aws:apigatewayv2/route:Route";
const policy = ALL_POLICIES.find((p) => p.name === "apigateway-8-route-authorization") as FlodramaResourcePolicy;
const route = (name: string, routeKey: string, authorizationType = "NONE") => evaluateResource(policy, res(ROUTE, { routeKey, authorizationType }, { name }));

describe("api: APIGateway.8 exception", () => {
    it("excepts the configured public GET routes and the WebSocket $disconnect and $default routes", () => {
        for (const [name, key] of [
            ["api-http-public-get-health", "GET /health"],
            ["api-http-public-get-catalog-proxy", "GET /catalog/{proxy+}"],
            ["api-ws-route-disconnect", "$disconnect"],
            ["api-ws-route-message", "$default"],
        ]) {
            const v = route(name, key);
            assert.equal(v.violations.length, 0, `${name} ${key}`);
            assert.equal(v.excepted.length, 1, `${name} is reported as an exception`);
        }
    });

    it("still fails an unauthenticated route that is not a public read or an unauthorizable WebSocket route", () => {
        for (const [name, key] of [
            ["api-http-route-get-proxy", "GET /{proxy+}"],
            ["api-http-public-post-watchlist", "POST /watchlist"],
            ["other-route", "GET /admin"],
            ["api-ws-route-connect", "$connect"],
            ["api-http-route-default", "$default"],
        ]) {
            assert.equal(route(name, key).violations.length, 1, `${name} ${key}`);
        }
    });

    it("passes authorized routes without needing the exception", () => {
        const v = route("api-http-route-get-proxy", "GET /{proxy+}", "JWT");
        assert.deepEqual(v, { violations: [], excepted: [] });
    });
});
