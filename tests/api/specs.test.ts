/**
 * The API's pure spec builders: routes, CORS, access-log formats, target group settings,
 * WebSocket integration headers, the ManageConnections policy, trust policies, the authorizer bundle
 * and the TargetGroupBinding spec against the controller's CRD.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    corsConfiguration,
    deregistrationDelaySeconds,
    exposedService,
    httpAccessLogFormat,
    httpRequestParameters,
    httpRoutes,
    manageConnectionsPolicy,
    PROTECTED_METHODS,
    routeSlug,
    targetGroupSpec,
    websocketAccessLogFormat,
    websocketRequestParameters,
} from "../../components/api/apiSpecs";
import { targetGroupBindingSpec } from "../../k8s/targetGroupBinding";
import { SERVICE_PORT_NAME } from "../../lib/contracts";
import { GROUPS_SEPARATOR, IDENTITY_HEADERS, MANAGEMENT_PORT, METRICS_PATH, PROBE_PATHS, WEBSOCKET_HEADERS } from "../../lib/serviceContract";
import { allowPolicy } from "../../lambda/ws-authorizer/handler";
import { serviceTrustPolicy } from "../../lib/servicePolicy";
import { valueOf } from "../../offline/harness";
import { validateTargetGroupBinding } from "./targetGroupBindingCrd";

const EXEC_ARN = "arn:aws:execute-api:eu-west-3:123456789012:abc123";

describe("api: HTTP routes", () => {
    it("lists the public routes without authorization and, per configured prefix, the bare prefix and its children with the JWT authorizer", () => {
        const routes = httpRoutes(["GET /health", "GET /catalog/{proxy+}"], ["/catalog", "/me"]);
        assert.deepEqual(
            routes.filter((r) => r.authorizationType === "NONE").map((r) => r.routeKey),
            ["GET /health", "GET /catalog/{proxy+}"],
        );
        const jwt = routes.filter((r) => r.authorizationType === "JWT").map((r) => r.routeKey);
        // `{proxy+}` does not match the bare prefix, so each prefix has both.
        for (const m of PROTECTED_METHODS) {
            assert.ok(jwt.includes(`${m} /me`) && jwt.includes(`${m} /me/{proxy+}`) && jwt.includes(`${m} /catalog`), m);
        }
        // The public `GET /catalog/{proxy+}` replaces the generated protected one; no key appears twice.
        assert.ok(!jwt.includes("GET /catalog/{proxy+}"));
        assert.equal(new Set(routes.map((r) => r.routeKey)).size, routes.length);
        assert.equal(routes.length, 2 + 2 * 2 * PROTECTED_METHODS.length - 1);
    });

    it("has no catch-all: only the configured prefixes reach the service", () => {
        for (const r of httpRoutes(["GET /health"], ["/catalog"])) {
            assert.ok(!/ \/\{[^}]*\}$/.test(r.routeKey), `${r.routeKey} is a catch-all`);
            assert.ok(r.routeKey.includes("/catalog") || r.routeKey === "GET /health", r.routeKey);
        }
    });

    it("has no ANY or OPTIONS route, so API Gateway answers CORS preflights itself", () => {
        for (const r of httpRoutes(["GET /health"], ["/catalog"])) {
            assert.ok(!/^(ANY|OPTIONS) /.test(r.routeKey), r.routeKey);
        }
    });

    it("refuses public routes that would open a catch-all, capture preflights or name a management path", () => {
        assert.throws(() => httpRoutes(["GET /{proxy+}"], []), /would make every GET request public/);
        assert.throws(() => httpRoutes(["GET /"], []), /would make every GET request public/);
        assert.throws(() => httpRoutes(["ANY /catalog"], []), /ANY and OPTIONS/);
        assert.throws(() => httpRoutes(["OPTIONS /x"], []), /ANY and OPTIONS/);
        for (const path of [METRICS_PATH, ...Object.values(PROBE_PATHS), `${METRICS_PATH}/{proxy+}`]) {
            assert.throws(() => httpRoutes([`GET ${path}`], []), /management path/, path);
        }
    });

    it("refuses prefixes that are not plain paths or that name a management path", () => {
        for (const bad of ["/", "catalog", "/catalog/", "/{proxy+}", "/catalog/{id}"]) {
            assert.throws(() => httpRoutes([], [bad]), /api\.routePrefixes: .* is not a path prefix/, bad);
        }
        for (const bad of [METRICS_PATH, PROBE_PATHS.liveness, PROBE_PATHS.readiness, `${PROBE_PATHS.readiness}/x`]) {
            assert.throws(() => httpRoutes([], [bad]), /management path/, bad);
        }
        assert.doesNotThrow(() => httpRoutes([], ["/readings", "/metricsboard"]), "a path merely starting with the same letters is fine");
    });

    it("derives stable logical-name fragments from route keys", () => {
        assert.equal(routeSlug("GET /catalog/{proxy+}"), "get-catalog-proxy");
        assert.equal(routeSlug("GET /health"), "get-health");
        assert.equal(routeSlug("DELETE /{proxy+}"), "delete-proxy");
        assert.notEqual(routeSlug("GET /catalog"), routeSlug("GET /catalog/{proxy+}"));
    });
});

describe("api: CORS", () => {
    it("allows only the site's origin, the bearer header and no credentials", () => {
        const cors = corsConfiguration("https://flodrama.com/");
        assert.deepEqual(cors.allowOrigins, ["https://flodrama.com"]);
        assert.deepEqual(cors.allowHeaders, ["authorization", "content-type"]);
        assert.equal(cors.allowCredentials, false);
        assert.ok(!cors.allowOrigins.includes("*"));
        assert.ok(cors.allowMethods.includes("OPTIONS"));
    });

    it("adds configured extra origins, once each, and refuses wildcards and paths", () => {
        assert.deepEqual(corsConfiguration("https://d1.cloudfront.net", ["http://localhost:5173", "https://d1.cloudfront.net"]).allowOrigins, [
            "https://d1.cloudfront.net",
            "http://localhost:5173",
        ]);
        assert.throws(() => corsConfiguration("https://flodrama.com", ["*"]), /without a path or wildcard/);
        assert.throws(() => corsConfiguration("https://flodrama.com", ["https://x.com/app"]), /without a path or wildcard/);
    });
});

describe("api: access-log formats", () => {
    for (const [kind, format, keys] of [
        ["HTTP", httpAccessLogFormat(), ["requestId", "ip", "routeKey", "status", "latency", "integrationError"]],
        ["WebSocket", websocketAccessLogFormat(), ["requestId", "ip", "routeKey", "status", "latency", "integrationError", "connectionId", "eventType"]],
    ] as const) {
        it(`${kind}: is one JSON object with the fields operations need, every value a $context variable`, () => {
            const parsed = JSON.parse(format);
            for (const k of keys) {
                assert.ok(k in parsed, `${kind} format has ${k}`);
            }
            for (const [k, v] of Object.entries(parsed)) {
                assert.match(String(v), /^\$context\.[A-Za-z.]+$/, `${k}`);
            }
            assert.ok(!format.includes("\n"), "one line per request");
            // Substituting values (including "-" for absent ones) keeps the line valid JSON.
            const line = format.replace(/\$context\.[A-Za-z.]+/g, "-");
            assert.doesNotThrow(() => JSON.parse(line));
        });
    }
});

describe("api: target groups", () => {
    it("drains Watch Party for its whole grace period and the REST API briefly", () => {
        assert.equal(deregistrationDelaySeconds("websocket-api", 300), 300);
        assert.equal(deregistrationDelaySeconds("http-api", 300), 30);
        assert.equal(deregistrationDelaySeconds("http-api", 10), 10, "never longer than the pod lives");
    });

    it("uses IP targets, TCP health checks on the app port (never the management port) and no client IP preservation", () => {
        const tg = targetGroupSpec({ port: 8080, expose: "websocket-api", terminationGracePeriodSeconds: 120 });
        assert.equal(tg.targetType, "ip");
        assert.equal(tg.protocol, "TCP");
        assert.equal(tg.preserveClientIp, "false");
        assert.equal(tg.deregistrationDelay, 120);
        assert.equal(tg.connectionTermination, true);
        assert.deepEqual({ protocol: tg.healthCheck.protocol, port: tg.healthCheck.port }, { protocol: "TCP", port: "traffic-port" });
        assert.equal("path" in tg.healthCheck, false);
        assert.notEqual(tg.port, MANAGEMENT_PORT);
    });

    it("finds the one service per exposure and names the config key when there is not exactly one", () => {
        const svc = (name: string, expose: string) => ({ config: { name, expose }, serviceName: pulumi.output(name) }) as any;
        assert.equal(exposedService([svc("api", "http-api"), svc("wp", "websocket-api")], "http-api").config.name, "api");
        assert.throws(() => exposedService([svc("api", "http-api"), svc("api2", "http-api")], "http-api"), /flodrama:services must have exactly one service with expose: http-api, found 2/);
        assert.throws(() => exposedService([svc("api", "http-api")], "websocket-api"), /found 0/);
    });
});

describe("api: access-log variables belong to their API type", () => {
    // Variables that exist for one API type only (AWS: "Customizing HTTP API access logs" and
    // "Configure logging for WebSocket APIs"); a format copied from the other type logs "-" forever.
    const webSocketOnly = ["eventType", "connectionId", "connectedAt", "messageId"];
    const httpOnly = ["httpMethod", "path", "responseLatency", "integrationErrorMessage", "authorizer.claims."];
    const vars = (format: string) => Object.values(JSON.parse(format)).map((v) => String(v).replace(/^\$context\./, ""));
    const uses = (v: string, names: string[]) => names.some((n) => (n.endsWith(".") ? v.startsWith(n) : v === n));
    it("HTTP uses no WebSocket-only variable", () => {
        assert.deepEqual(vars(httpAccessLogFormat()).filter((v) => uses(v, webSocketOnly)), []);
    });
    it("WebSocket uses no HTTP-only variable", () => {
        assert.deepEqual(vars(websocketAccessLogFormat()).filter((v) => uses(v, httpOnly)), []);
    });
});

describe("api: HTTP integrations' identity headers", () => {
    it("protected routes overwrite x-user-id from `sub` and x-user-groups from the colon-free `groups` claim", () => {
        assert.deepEqual(httpRequestParameters("protected"), {
            "overwrite:header.x-request-id": "$context.requestId",
            [`overwrite:header.${IDENTITY_HEADERS.userId}`]: "$context.authorizer.claims.sub",
            [`overwrite:header.${IDENTITY_HEADERS.groups}`]: "$context.authorizer.claims.groups",
        });
    });

    it("public routes remove both identity headers, so a client cannot forge them", () => {
        assert.deepEqual(httpRequestParameters("public"), {
            "overwrite:header.x-request-id": "$context.requestId",
            [`remove:header.${IDENTITY_HEADERS.userId}`]: "''",
            [`remove:header.${IDENTITY_HEADERS.groups}`]: "''",
        });
    });

    it("uses only mappable context variables: `.` and `_`, no colon (so never `cognito:groups`), and never the client's own header", () => {
        for (const kind of ["protected", "public"] as const) {
            const p = httpRequestParameters(kind);
            for (const [k, v] of Object.entries(p)) {
                assert.match(k, /^(overwrite|remove):header\.[a-z-]+$/);
                assert.ok(!v.includes(":"), `${k}: ${v}`);
                assert.ok(!v.startsWith("$request.header"), `${k} copies a client header`);
            }
            // Each identity header is set or removed exactly once (overwrite and remove on one header have no documented order).
            for (const h of Object.values(IDENTITY_HEADERS)) {
                assert.equal(Object.keys(p).filter((k) => k.endsWith(`header.${h}`)).length, 1, `${kind} ${h}`);
            }
        }
    });
});

describe("api: WebSocket integration", () => {
    it("passes connection id, API id, domain, stage, route and the authorizer's verified user and groups as the contract's headers", () => {
        const p = websocketRequestParameters();
        // Exactly the contract's headers (lib/serviceContract.ts), which Watch Party reads.
        assert.deepEqual(Object.keys(p).sort(), Object.values(WEBSOCKET_HEADERS).map((h) => `integration.request.header.${h}`).sort());
        assert.equal(p[`integration.request.header.${WEBSOCKET_HEADERS.groups}`], "context.authorizer.groups");
        // Nothing from the handshake's query string (the token travels there).
        assert.deepEqual(Object.values(p).filter((v) => /querystring|token/i.test(v)), []);
        assert.equal(p["integration.request.header.X-Connection-Id"], "context.connectionId");
        assert.equal(p["integration.request.header.X-Api-Id"], "context.apiId");
        assert.equal(p["integration.request.header.X-Domain-Name"], "context.domainName");
        assert.equal(p["integration.request.header.X-Stage"], "context.stage");
        assert.equal(p["integration.request.header.X-User-Id"], "context.authorizer.userId");
        for (const k of Object.keys(p)) {
            assert.match(k, /^integration\.request\.header\.[A-Za-z-]+$/);
        }
        // WebSocket mapping grammar (not the HTTP API's "overwrite:header.x" / "$context.x"): sources are
        // context.*, stageVariables.*, route.request.body.* or a quoted static value; route.request
        // headers and query strings exist on $connect only, and these parameters serve every route.
        for (const v of Object.values(p)) {
            assert.match(v, /^(context\.[A-Za-z.]+|stageVariables\.[A-Za-z0-9_]+|route\.request\.body\.\S+|'[^']*')$/, v);
        }
    });
});

describe("api: the WebSocket authorizer's context and the integration headers agree", () => {
    it("maps exactly the context keys the authorizer returns, groups joined as the services split them", () => {
        const policy = allowPolicy("arn:aws:execute-api:eu-west-3:1:abc/live/$connect", { sub: "u-1", "cognito:groups": ["free", "premium"] } as any);
        const used = Object.values(websocketRequestParameters())
            .filter((v) => v.startsWith("context.authorizer."))
            .map((v) => v.slice("context.authorizer.".length));
        assert.deepEqual(used.sort(), Object.keys(policy.context!).sort());
        assert.equal(policy.context!.userId, "u-1");
        assert.deepEqual(String(policy.context!.groups).split(GROUPS_SEPARATOR), ["free", "premium"]);
    });
});

describe("api: IAM documents", () => {
    it("scopes ManageConnections to this API's stage's connections, with no wildcard action", async () => {
        const doc = manageConnectionsPolicy(EXEC_ARN, "live");
        assert.equal(doc.Statement.length, 1);
        const s = doc.Statement[0];
        assert.equal(s.Effect, "Allow");
        assert.equal(s.Action, "execute-api:ManageConnections");
        const resources = await Promise.all((s.Resource as pulumi.Output<string>[]).map((r) => valueOf(r)));
        assert.deepEqual(resources.sort(), [`${EXEC_ARN}/live/DELETE/@connections/*`, `${EXEC_ARN}/live/GET/@connections/*`, `${EXEC_ARN}/live/POST/@connections/*`]);
        for (const r of resources) {
            assert.ok(r.startsWith(`${EXEC_ARN}/live/`), "this API and stage only");
            assert.ok(!r.includes(":*/") && !/\/\*\/\*/.test(r), "no wildcard API or stage");
        }
    });

    it("lets only the named service assume its roles, on behalf of this account", () => {
        const doc = JSON.parse(serviceTrustPolicy("lambda.amazonaws.com", { sourceAccount: "111122223333" }));
        assert.deepEqual(doc.Statement, [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } },
        ]);
        assert.equal(JSON.parse(serviceTrustPolicy("apigateway.amazonaws.com")).Statement[0].Condition, undefined);
    });
});

describe("api: TargetGroupBinding spec", () => {
    const spec = targetGroupBindingSpec({
        serviceName: "watch-party",
        targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-3:123456789012:targetgroup/x/0123",
        loadBalancerSecurityGroupId: "sg-nlb",
        podPort: 8080,
        vpcId: "vpc-1",
    });
    const obj = { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "watch-party", namespace: "flodrama" }, spec };

    it("is valid against the controller's CRD", () => {
        assert.deepEqual(validateTargetGroupBinding(obj), []);
    });

    it("refers to the Service port by name, IP targets, and opens the pod port to the NLB's security group", () => {
        assert.deepEqual(spec.serviceRef, { name: "watch-party", port: SERVICE_PORT_NAME });
        assert.equal(spec.targetType, "ip");
        assert.deepEqual(spec.networking.ingress, [{ from: [{ securityGroup: { groupID: "sg-nlb" } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
    });

    it("the CRD check catches what the API server would reject or prune", () => {
        const broken = (mutate: (o: any) => void) => {
            const o = structuredClone(obj);
            mutate(o);
            return validateTargetGroupBinding(o);
        };
        assert.match(broken((o) => delete o.spec.serviceRef.port).join(), /serviceRef\.port: required/);
        assert.match(broken((o) => (o.spec.targetType = "pod")).join(), /one of instance, ip/);
        assert.match(broken((o) => (o.spec.networking.ingress[0].ports[0].protocol = "HTTP")).join(), /one of TCP, UDP/);
        assert.match(broken((o) => (o.spec.networking.ingress[0].from[0] = { securityGroup: { groupID: "sg" }, ipBlock: { cidr: "10.0.0.0/8" } })).join(), /exactly one of/);
        assert.match(broken((o) => delete o.spec.networking.ingress[0].from).join(), /from: required/);
        assert.match(broken((o) => (o.spec.targetGroupArn = o.spec.targetGroupARN)).join(), /targetGroupArn: unknown field/);
        assert.match(broken((o) => delete o.spec.targetGroupARN).join(), /targetGroupARN or targetGroupName/);
        assert.match(broken((o) => (o.apiVersion = "elbv2.k8s.aws/v1alpha2")).join(), /apiVersion/);
        assert.match(broken((o) => delete o.metadata.namespace).join(), /namespaced/);
    });
});
