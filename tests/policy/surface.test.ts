/**
 * The public-surface rules (policy/surface.ts): they restate the services' contract, catch every way
 * of reaching the management port or a management path, and tell the WebSocket API's `$default`
 * route (a message route, not a catch-all to a path) from the HTTP API's.
 */
import { strict as assert } from "assert";
import { httpRouteViolations, MANAGEMENT_PATHS, MANAGEMENT_PORT, MANAGEMENT_PORT_NAME, managementPortViolations } from "../../policy/surface";
import * as contract from "../../lib/serviceContract";
import { res } from "./cases";
import { ALL_POLICIES } from "../../policy/all";
import { runPolicies } from "../../offline/policyRunner";
import { ProgramRun, runProgram } from "../../offline/harness";

const api = (protocolType: string, name: string) => res("aws:apigatewayv2/api:Api", { protocolType }, { name });
const route = (routeKey: string, on: ReturnType<typeof api>) => res("aws:apigatewayv2/route:Route", { routeKey }, { name: `route-${routeKey}`, dependencies: [on.urn] });
const messages = (v: Array<{ message: string }>) => v.map((x) => x.message);

describe("policy: the public surface (management port, HTTP API routes)", () => {
    it("restates the services' contract exactly", () => {
        assert.equal(MANAGEMENT_PORT, contract.MANAGEMENT_PORT);
        assert.equal(MANAGEMENT_PORT_NAME, contract.MANAGEMENT_PORT_NAME);
        assert.deepEqual([...MANAGEMENT_PATHS].sort(), [...new Set([contract.METRICS_PATH, ...Object.values(contract.PROBE_PATHS)])].sort());
    });

    it("refuses a binding whose Service port leads to the management port, even under another name", () => {
        const svc = res("kubernetes:core/v1:Service", { metadata: { name: "api", namespace: "flodrama" }, spec: { ports: [{ name: "web", port: 80, targetPort: 9090 }] } });
        const tgb = res("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", { metadata: { name: "api", namespace: "flodrama" }, spec: { serviceRef: { name: "api", port: "web" } } });
        assert.match(messages(managementPortViolations([svc, tgb])).join(), /through Service api port web/);
    });

    it("refuses target groups, listeners and integrations on the management port or paths", () => {
        const found = messages(
            managementPortViolations([
                res("aws:lb/targetGroup:TargetGroup", { port: 8080, healthCheck: { protocol: "HTTP", port: "traffic-port", path: "/ready" } }, { name: "tg-path" }),
                res("aws:lb/targetGroup:TargetGroup", { port: 8080, healthCheck: { port: "9090" } }, { name: "tg-port" }),
                res("aws:lb/listener:Listener", { port: 9090 }, { name: "l" }),
                res("aws:apigatewayv2/integration:Integration", { integrationUri: "http://nlb.internal:9090/ws/message" }, { name: "i-port" }),
                res("aws:apigatewayv2/integration:Integration", { integrationUri: "http://nlb.internal:8081/metrics" }, { name: "i-path" }),
                res("aws:apigatewayv2/integration:Integration", { integrationUri: "arn:aws:elasticloadbalancing:eu-west-3:1:listener/net/x/y/z" }, { name: "i-arn" }),
            ]),
        );
        assert.equal(found.length, 5, found.join("\n"));
        for (const name of ["tg-path", "tg-port", "l", "i-port", "i-path"]) {
            assert.ok(found.some((m) => m.includes(` ${name} `)), name);
        }
    });

    it("refuses HTTP API catch-alls and management paths, and leaves WebSocket route keys alone", () => {
        const http = api("HTTP", "http");
        const ws = api("WEBSOCKET", "ws");
        const bad = ["$default", "GET /{proxy+}", "ANY /{path+}", "GET /", "GET /metrics", "GET /healthz/{proxy+}"].map((k) => route(k, http));
        assert.equal(httpRouteViolations([http, ...bad]).length, bad.length);
        const good = [route("GET /catalog", http), route("POST /me/{proxy+}", http), route("GET /readings", http), route("$default", ws), route("$connect", ws)];
        assert.deepEqual(httpRouteViolations([http, ws, ...good]), []);
    });
});

describe("policy: the public-surface rules on the program's own resources", () => {
    let run: ProgramRun;
    before(async function () {
        this.timeout(60_000);
        run = await runProgram("dev");
    });
    const rule = (name: string) => ALL_POLICIES.filter((p) => p.name === name);
    const violations = (r: ProgramRun, name: string) => runPolicies(r, rule(name)).violations.map((v) => v.message);

    it("finds the program's bindings, target groups, listeners, integrations and HTTP routes, and passes them", () => {
        const types = new Set(run.resources.map((r) => r.type));
        for (const t of ["kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener", "aws:apigatewayv2/integration:Integration", "aws:apigatewayv2/route:Route"]) {
            assert.ok(types.has(t), t);
        }
        assert.deepEqual(violations(run, "program-management-port-internal"), []);
        assert.deepEqual(violations(run, "program-http-api-no-catch-all"), []);
    });

    it("fails when a binding is pointed at the management port or a catch-all route comes back", () => {
        const mutated = new ProgramRun(
            run.stack,
            run.resources.map((r) => {
                // Inputs and state alike: the runner evaluates both.
                const change = (patch: (props: Record<string, any>) => Record<string, any>) => ({ ...r, inputs: patch(r.inputs), state: patch(r.state) });
                if (r.inputs.kind === "TargetGroupBinding") {
                    return change((p) => ({ ...p, spec: { ...r.inputs.spec, serviceRef: { ...r.inputs.spec.serviceRef, port: MANAGEMENT_PORT_NAME } } }));
                }
                if (r.type === "aws:apigatewayv2/route:Route" && r.inputs.routeKey === "GET /catalog") {
                    return change((p) => ({ ...p, routeKey: "GET /{proxy+}" }));
                }
                return r;
            }),
            run.outputs,
            run.secretOutputs,
            run.config,
            run.invokes,
        );
        assert.equal(violations(mutated, "program-management-port-internal").length, 2, "both bindings");
        assert.equal(violations(mutated, "program-http-api-no-catch-all").length, 1);
    });
});
