/**
 * The ApiGateway component alone under mocks, with each stack file's config and fixtures for the
 * network, cluster, workloads, identity and site: the private path (NLB, target groups, listeners,
 * security group rules, TargetGroupBindings), the HTTP API, the WebSocket API with its authorizer, the
 * ManageConnections grant, logging, throttling and the custom domains.
 */
import { strict as assert } from "assert";
import { HTTP_STAGE_NAME, httpRequestParameters, httpRoutes, LISTENER_PORTS, routeSlug, WEBSOCKET_ROUTES, WEBSOCKET_STAGE_NAME } from "../../components/api/apiSpecs";
import { FlodramaConfig } from "../../config";
import { ServiceConfig } from "../../lib/contracts";
import { APP_NAMESPACE, internalPathOf, SERVICE_PORT_NAME } from "../../lib/contracts";
import { APP_PORT_NAME, IDENTITY_HEADERS, MANAGEMENT_PORT } from "../../lib/serviceContract";
import { ProgramRun, RecordedResource, simulate, stackNames, valueOf } from "../../offline/harness";
import { formatFinding, runPolicies } from "../../offline/policyRunner";
import { manifestOf } from "../../offline/kubeSchema";
import { ACCOUNT_ID } from "../../offline/mocks";
import { FAKE_CLIENT_ID, FAKE_ISSUER_URL, FAKE_SITE_URL, fakeRoleName } from "./fixtures";
import { validateTargetGroupBinding } from "./targetGroupBindingCrd";

interface Run {
    resources: RecordedResource[];
    cfg: FlodramaConfig;
    outputs: Record<string, unknown>;
    addonUrn: string;
    config: Record<string, string>;
}

async function runComponent(stack: string): Promise<Run> {
    let cfg: FlodramaConfig | undefined;
    let api: any;
    let addonUrn: any;
    const { resources, config } = await simulate(stack, () => {
        const aws = require("@pulumi/aws");
        const { loadConfig } = require("../../config");
        const { fakeCluster } = require("../../offline/fixtures");
        const { fixtureApiArgs } = require("./fixtures");
        const { ApiGateway } = require("../../components/api/apiGateway");
        cfg = loadConfig() as FlodramaConfig;
        const provider = new aws.Provider("test-aws", { region: cfg!.region, defaultTags: { tags: cfg!.tags } });
        const cluster = fakeCluster();
        // Stands in for the LB controller release: bindings must wait for its webhooks.
        const addon = new aws.eks.Addon("fixture-lb-controller", { clusterName: "fixture", addonName: "fixture" }, { provider });
        addonUrn = addon.urn;
        api = new ApiGateway("api", fixtureApiArgs(cfg, { ...cluster, lbController: [addon] }), { provider });
    });
    const outputs: Record<string, unknown> = {
        httpApiUrl: await valueOf(api.http.url),
        websocketUrl: await valueOf(api.websocket.url),
        websocketManagementEndpoint: await valueOf(api.websocket.managementEndpoint),
        httpApiId: await valueOf(api.http.apiId),
        websocketApiId: await valueOf(api.websocket.apiId),
        stageName: api.http.stageName,
        websocketStageName: api.websocket.stageName,
    };
    return { resources, cfg: cfg!, outputs, addonUrn: await valueOf(addonUrn), config };
}

for (const stack of stackNames()) {
    describe(`api component on stack ${stack}`, () => {
        let run: Run;
        let cfg: FlodramaConfig;
        const of = (type: string) => run.resources.filter((r) => r.type === type);
        const one = (type: string, name?: string) => {
            const found = of(type).filter((r) => name === undefined || r.name === name);
            assert.equal(found.length, 1, `one ${type} ${name ?? ""}: ${found.map((r) => r.name).join(", ")}`);
            return found[0];
        };
        const svc = (expose: string): ServiceConfig => cfg.services.find((s) => s.expose === expose)!;
        const privateSubnets = () => Array.from({ length: cfg.network.azCount }, (_, i) => `subnet-private-${i}`);

        before(async function () {
            this.timeout(60_000);
            run = await runComponent(stack);
            cfg = run.cfg;
        });

        it("names every child after the component and gives each the explicit provider of its kind", () => {
            const children = run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.name !== "fixture-lb-controller");
            assert.ok(children.length > 30, `${children.length} resources`);
            for (const r of children) {
                assert.ok(r.name.startsWith("api-"), `${r.name} is prefixed`);
                const expected = r.type.startsWith("kubernetes:") ? "::fixture-k8s" : "::test-aws";
                assert.ok(r.provider?.endsWith(expected), `${r.type} ${r.name} uses ${expected}, got ${r.provider}`);
            }
            assert.ok(run.resources.some((r) => r.type === "flodrama:api:ApiGateway" && r.name === "api"));
        });

        it("creates an internal network load balancer in the private subnets, cross-zone, with its security group", () => {
            const nlb = one("aws:lb/loadBalancer:LoadBalancer");
            assert.equal(nlb.inputs.internal, true);
            assert.equal(nlb.inputs.loadBalancerType, "network");
            assert.deepEqual(nlb.inputs.subnets, privateSubnets());
            assert.equal(nlb.inputs.enableCrossZoneLoadBalancing, true);
            assert.equal(nlb.inputs.enableDeletionProtection, cfg.protect);
            assert.deepEqual(nlb.inputs.securityGroups, ["api-nlb-sg-id"]);
            assert.equal(nlb.inputs.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic, "off");
            assert.equal(nlb.inputs.name, `flodrama-${stack}-api-nlb`);
            assert.equal(nlb.inputs.accessLogs, undefined);
        });

        it("has one IP target group and TCP listener per exposed service, with readiness health checks and drains", () => {
            const tgs = of("aws:lb/targetGroup:TargetGroup");
            const exposed = cfg.services.filter((s) => s.expose !== "none");
            assert.equal(tgs.length, exposed.length);
            for (const s of exposed) {
                const tg = one("aws:lb/targetGroup:TargetGroup", `api-tg-${s.name}`);
                assert.equal(tg.inputs.targetType, "ip");
                assert.equal(tg.inputs.protocol, "TCP");
                assert.equal(tg.inputs.port, s.port);
                assert.equal(tg.inputs.vpcId, "vpc-fixture");
                assert.equal(tg.inputs.preserveClientIp, "false");
                // TCP on the app port: the readiness path lives on the management port, which the NLB never reaches.
                assert.deepEqual([tg.inputs.healthCheck.protocol, tg.inputs.healthCheck.port, tg.inputs.healthCheck.path], ["TCP", "traffic-port", undefined]);
                assert.equal(tg.inputs.deregistrationDelay, s.expose === "websocket-api" ? s.terminationGracePeriodSeconds : Math.min(30, s.terminationGracePeriodSeconds));
                const listener = one("aws:lb/listener:Listener", `api-listener-${s.name}`);
                assert.equal(listener.inputs.protocol, "TCP");
                assert.equal(listener.inputs.port, LISTENER_PORTS[s.expose as keyof typeof LISTENER_PORTS]);
                assert.equal(listener.inputs.loadBalancerArn, one("aws:lb/loadBalancer:LoadBalancer").state.arn);
                assert.deepEqual(listener.inputs.defaultActions, [{ type: "forward", targetGroupArn: tg.state.arn }]);
            }
            assert.equal(svc("websocket-api").terminationGracePeriodSeconds, one("aws:lb/targetGroup:TargetGroup", `api-tg-${svc("websocket-api").name}`).inputs.deregistrationDelay);
        });

        it("binds each target group to its Service with a TargetGroupBinding valid against the CRD, after the controller", () => {
            const tgbs = run.resources.filter((r) => r.type === "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
            assert.equal(tgbs.length, 2);
            for (const s of [svc("http-api"), svc("websocket-api")]) {
                const tgb = tgbs.find((r) => r.name === `api-tgb-${s.name}`)!;
                const obj = manifestOf(tgb);
                assert.deepEqual(validateTargetGroupBinding(obj), [], `${s.name}`);
                assert.equal(obj.apiVersion, "elbv2.k8s.aws/v1beta1");
                assert.equal(obj.metadata.namespace, APP_NAMESPACE);
                assert.deepEqual(obj.spec.serviceRef, { name: s.name, port: SERVICE_PORT_NAME });
                assert.equal(obj.spec.targetGroupARN, one("aws:lb/targetGroup:TargetGroup", `api-tg-${s.name}`).state.arn);
                assert.equal(obj.spec.targetType, "ip");
                assert.deepEqual(obj.spec.networking.ingress, [{ from: [{ securityGroup: { groupID: "api-nlb-sg-id" } }], ports: [{ protocol: "TCP", port: s.port }] }]);
                assert.ok(tgb.dependencies.includes(run.addonUrn), "waits for the LB controller");
            }
        });

        it("opens only the paths that are needed: VPC link to the REST listener, NLB to the pods' ports", () => {
            const egress = of("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
            const ingress = of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
            const http = LISTENER_PORTS["http-api"];
            assert.deepEqual(
                ingress.map((r) => [r.inputs.securityGroupId, r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]),
                [["api-nlb-sg-id", "api-vpc-link-sg-id", http, http, undefined]],
            );
            const link = egress.filter((r) => r.inputs.securityGroupId === "api-vpc-link-sg-id");
            assert.deepEqual(link.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]), [["api-nlb-sg-id", http, http]]);
            const toPods = egress.filter((r) => r.inputs.securityGroupId === "api-nlb-sg-id");
            const ports = [...new Set(cfg.services.filter((s) => s.expose !== "none").map((s) => s.port))];
            assert.deepEqual(toPods.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]).sort(), ports.map((p) => ["sg-node-fixture", p]).sort());
            for (const r of [...egress, ...ingress]) {
                assert.equal(r.inputs.ipProtocol, "tcp");
                assert.equal(r.inputs.cidrIpv4, undefined, "no CIDR rules");
            }
            for (const sg of of("aws:ec2/securityGroup:SecurityGroup")) {
                assert.equal(sg.inputs.ingress, undefined, "no inline rules");
                assert.equal(sg.inputs.vpcId, "vpc-fixture");
            }
        });

        it("HTTP API: VPC link in the private subnets, proxy integration to the REST listener", () => {
            const link = one("aws:apigatewayv2/vpcLink:VpcLink");
            assert.deepEqual(link.inputs.subnetIds, privateSubnets());
            assert.deepEqual(link.inputs.securityGroupIds, ["api-vpc-link-sg-id"]);
            const api = one("aws:apigatewayv2/api:Api", "api-http");
            assert.equal(api.inputs.protocolType, "HTTP");
            assert.equal(api.inputs.disableExecuteApiEndpoint, cfg.api.domain !== undefined);
            const integration = one("aws:apigatewayv2/integration:Integration", "api-http-integration");
            assert.equal(integration.inputs.integrationType, "HTTP_PROXY");
            assert.equal(integration.inputs.connectionType, "VPC_LINK");
            assert.equal(integration.inputs.connectionId, link.state.id ?? "api-http-vpc-link-id");
            assert.equal(integration.inputs.integrationUri, one("aws:lb/listener:Listener", `api-listener-${svc("http-api").name}`).state.arn);
            assert.equal(integration.inputs.payloadFormatVersion, "1.0");
            assert.deepEqual(integration.inputs.requestParameters, httpRequestParameters("protected"));
            const pub = one("aws:apigatewayv2/integration:Integration", "api-http-integration-public");
            for (const k of ["integrationType", "connectionType", "connectionId", "integrationUri", "payloadFormatVersion"]) {
                assert.deepEqual(pub.inputs[k], integration.inputs[k], `the public integration reaches the same listener (${k})`);
            }
            assert.deepEqual(pub.inputs.requestParameters, httpRequestParameters("public"));
        });

        it("HTTP API: JWT routes set the verified identity headers, public routes strip them", () => {
            const routes = of("aws:apigatewayv2/route:Route").filter((r) => r.inputs.apiId === "api-http-id");
            const integrationOf = (r: any) => of("aws:apigatewayv2/integration:Integration").find((i) => r.inputs.target === `integrations/${i.name}-id`)!;
            for (const r of routes) {
                const params = integrationOf(r).inputs.requestParameters;
                if (r.inputs.authorizationType === "JWT") {
                    assert.equal(params[`overwrite:header.${IDENTITY_HEADERS.userId}`], "$context.authorizer.claims.sub", r.inputs.routeKey);
                    assert.equal(params[`overwrite:header.${IDENTITY_HEADERS.groups}`], "$context.authorizer.claims.groups", r.inputs.routeKey);
                } else {
                    assert.deepEqual(
                        Object.keys(params).filter((k) => k.startsWith("remove:")).sort(),
                        Object.values(IDENTITY_HEADERS).map((h) => `remove:header.${h}`).sort(),
                        r.inputs.routeKey,
                    );
                    assert.ok(!Object.keys(params).some((k) => k.startsWith("overwrite:header.x-user")), r.inputs.routeKey);
                }
            }
        });

        it("no route of either API reaches the management port or a management path", () => {
            const tgbs = run.resources.filter((r) => r.inputs.kind === "TargetGroupBinding");
            const listeners = of("aws:lb/listener:Listener");
            // HTTP API: every integration targets a listener whose target group binds the Service's app port.
            for (const i of of("aws:apigatewayv2/integration:Integration").filter((x) => x.inputs.apiId === "api-http-id")) {
                const listener = listeners.find((l) => l.state.arn === i.inputs.integrationUri);
                assert.ok(listener, `${i.name} targets an NLB listener`);
                assert.equal(listener!.inputs.port, LISTENER_PORTS["http-api"]);
            }
            // WebSocket API: every integration posts to the Watch Party listener's port, on a contract path.
            for (const i of of("aws:apigatewayv2/integration:Integration").filter((x) => x.inputs.apiId === "api-ws-id")) {
                const url = new URL(i.inputs.integrationUri);
                assert.equal(Number(url.port), LISTENER_PORTS["websocket-api"], i.name);
                assert.equal(internalPathOf(url.pathname), undefined, `${i.name} posts to ${url.pathname}`);
            }
            for (const l of listeners) {
                const tg = of("aws:lb/targetGroup:TargetGroup").find((t) => t.state.arn === l.inputs.defaultActions[0].targetGroupArn)!;
                assert.notEqual(tg.inputs.port, MANAGEMENT_PORT);
                assert.notEqual(tg.inputs.healthCheck.port, String(MANAGEMENT_PORT));
                const tgb = tgbs.find((b) => b.inputs.spec.targetGroupARN === tg.state.arn)!;
                assert.ok(tgb, `a binding for ${tg.name}`);
                assert.equal(tgb.inputs.spec.serviceRef.port, APP_PORT_NAME, "the binding names the Service's app port");
                assert.deepEqual(tgb.inputs.spec.networking.ingress[0].ports, [{ protocol: "TCP", port: tg.inputs.port }]);
            }
            for (const r of of("aws:apigatewayv2/route:Route").filter((x) => x.inputs.apiId === "api-http-id")) {
                const path = r.inputs.routeKey.split(" ")[1];
                assert.equal(internalPathOf(path), undefined, r.inputs.routeKey);
                assert.ok(!/^\/\{[^}]*\+\}$/.test(path), `${r.inputs.routeKey} is a catch-all`);
            }
        });

        it("HTTP API: JWT authorizer on the viewer pool and SPA client, public routes listed explicitly", () => {
            const auth = one("aws:apigatewayv2/authorizer:Authorizer", "api-http-jwt");
            assert.equal(auth.inputs.authorizerType, "JWT");
            assert.deepEqual(auth.inputs.identitySources, ["$request.header.Authorization"]);
            assert.deepEqual(auth.inputs.jwtConfiguration, { issuer: FAKE_ISSUER_URL, audiences: [FAKE_CLIENT_ID] });
            const routes = of("aws:apigatewayv2/route:Route").filter((r) => r.inputs.apiId === "api-http-id");
            const open = routes.filter((r) => r.inputs.authorizationType === "NONE").map((r) => r.inputs.routeKey);
            assert.deepEqual(open.sort(), [...cfg.api.publicRoutes].sort());
            const closed = routes.filter((r) => r.inputs.authorizationType !== "NONE");
            assert.deepEqual(closed.map((r) => r.inputs.routeKey).sort(), httpRoutes(cfg.api.publicRoutes, cfg.api.routePrefixes).filter((r) => r.authorizationType === "JWT").map((r) => r.routeKey).sort());
            for (const r of closed) {
                assert.equal(r.inputs.authorizationType, "JWT");
                assert.equal(r.inputs.authorizerId, "api-http-jwt-id");
                const prefix = cfg.api.routePrefixes.find((p) => r.inputs.routeKey.endsWith(` ${p}`) || r.inputs.routeKey.endsWith(` ${p}/{proxy+}`));
                assert.ok(prefix, `${r.inputs.routeKey} lies under a configured prefix`);
                assert.equal(r.inputs.target, "integrations/api-http-integration-id");
            }
            for (const r of routes.filter((x) => x.inputs.authorizationType === "NONE")) {
                assert.equal(r.inputs.target, "integrations/api-http-integration-public-id");
            }
        });

        it("HTTP API: CORS for the site's origin and the configured extras only", () => {
            const cors = one("aws:apigatewayv2/api:Api", "api-http").inputs.corsConfiguration;
            assert.deepEqual(cors.allowOrigins, [FAKE_SITE_URL, ...cfg.api.extraCorsOrigins]);
            for (const o of cfg.api.extraCorsOrigins) {
                assert.ok(cfg.environment === "dev" || o.startsWith("https://"), `${o}: plain http only in dev`);
            }
            assert.deepEqual(cors.allowHeaders, ["authorization", "content-type"]);
            assert.equal(cors.allowCredentials, false);
        });

        it("HTTP API: $default stage, auto-deployed, JSON access logs, throttling from config, detailed metrics", () => {
            const stage = one("aws:apigatewayv2/stage:Stage", "api-http-stage");
            assert.equal(stage.inputs.name, HTTP_STAGE_NAME);
            assert.equal(stage.inputs.autoDeploy, true);
            const logs = one("aws:cloudwatch/logGroup:LogGroup", "api-http-access-logs");
            assert.equal(stage.inputs.accessLogSettings.destinationArn, logs.state.arn);
            assert.ok(JSON.parse(stage.inputs.accessLogSettings.format).requestId);
            assert.equal(logs.inputs.retentionInDays, cfg.logRetentionDays);
            assert.equal(stage.inputs.defaultRouteSettings.throttlingBurstLimit, cfg.api.throttling.burstLimit);
            assert.equal(stage.inputs.defaultRouteSettings.throttlingRateLimit, cfg.api.throttling.rateLimit);
            assert.equal(stage.inputs.defaultRouteSettings.detailedMetricsEnabled, true);
        });

        it("WebSocket API: routes $connect, $disconnect and $default through a v1 VPC link to the Watch Party listener", () => {
            const api = one("aws:apigatewayv2/api:Api", "api-ws");
            assert.equal(api.inputs.protocolType, "WEBSOCKET");
            assert.equal(api.inputs.routeSelectionExpression, "$request.body.action");
            const link = one("aws:apigateway/vpcLink:VpcLink");
            assert.equal(link.inputs.targetArn, one("aws:lb/loadBalancer:LoadBalancer").state.arn);
            const nlbDns = one("aws:lb/loadBalancer:LoadBalancer").state.dnsName;
            const routes = of("aws:apigatewayv2/route:Route").filter((r) => r.inputs.apiId === "api-ws-id");
            assert.deepEqual(routes.map((r) => r.inputs.routeKey).sort(), ["$connect", "$default", "$disconnect"]);
            for (const r of WEBSOCKET_ROUTES) {
                const integration = one("aws:apigatewayv2/integration:Integration", `api-ws-integration-${r.slug}`);
                assert.equal(integration.inputs.integrationType, "HTTP_PROXY");
                assert.equal(integration.inputs.connectionType, "VPC_LINK");
                assert.equal(integration.inputs.connectionId, "api-ws-vpc-link-id");
                assert.equal(integration.inputs.integrationMethod, "POST");
                assert.equal(integration.inputs.integrationUri, `http://${nlbDns}:${LISTENER_PORTS["websocket-api"]}${r.path}`);
                assert.equal(integration.inputs.requestParameters["integration.request.header.X-Connection-Id"], "context.connectionId");
                assert.equal(integration.inputs.requestParameters["integration.request.header.X-Stage"], "context.stage");
                assert.equal(integration.inputs.requestParameters["integration.request.header.X-Domain-Name"], "context.domainName");
                const route = routes.find((x) => x.inputs.routeKey === r.routeKey)!;
                assert.equal(route.inputs.target, `integrations/api-ws-integration-${r.slug}-id`);
            }
        });

        it("WebSocket API: $connect is authorized by the token-verifying Lambda, invocable by this API only", () => {
            const connect = of("aws:apigatewayv2/route:Route").find((r) => r.inputs.routeKey === "$connect")!;
            assert.equal(connect.inputs.authorizationType, "CUSTOM");
            assert.equal(connect.inputs.authorizerId, "api-ws-authorizer-id");
            const auth = one("aws:apigatewayv2/authorizer:Authorizer", "api-ws-authorizer");
            assert.equal(auth.inputs.authorizerType, "REQUEST");
            assert.deepEqual(auth.inputs.identitySources, ["route.request.querystring.token"]);
            const fn = one("aws:lambda/function:Function");
            assert.equal(auth.inputs.authorizerUri, fn.state.invokeArn);
            assert.equal(fn.inputs.runtime, "nodejs22.x");
            assert.deepEqual(fn.inputs.environment.variables, { ISSUER: FAKE_ISSUER_URL, AUDIENCE: FAKE_CLIENT_ID });
            assert.equal(fn.inputs.role, one("aws:iam/role:Role", "api-ws-authorizer-role").state.arn);
            const perm = one("aws:lambda/permission:Permission");
            assert.equal(perm.inputs.principal, "apigateway.amazonaws.com");
            assert.equal(perm.inputs.sourceArn, `${one("aws:apigatewayv2/api:Api", "api-ws").state.executionArn}/authorizers/api-ws-authorizer-id`);
            const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "api-ws-authorizer-policy").inputs.policy);
            assert.deepEqual(policy.Statement[0].Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
            assert.equal(policy.Statement[0].Resource, `${one("aws:cloudwatch/logGroup:LogGroup", "api-ws-authorizer-logs").state.arn}:log-stream:*`);
            assert.equal(one("aws:cloudwatch/logGroup:LogGroup", "api-ws-authorizer-logs").inputs.retentionInDays, cfg.logRetentionDays);
        });

        it("WebSocket API: stage with access logs, error execution logs through the account role, throttling", () => {
            const stage = one("aws:apigatewayv2/stage:Stage", "api-ws-stage");
            assert.equal(stage.inputs.name, WEBSOCKET_STAGE_NAME);
            assert.equal(stage.inputs.accessLogSettings.destinationArn, one("aws:cloudwatch/logGroup:LogGroup", "api-ws-access-logs").state.arn);
            assert.ok(JSON.parse(stage.inputs.accessLogSettings.format).connectionId);
            assert.equal(stage.inputs.defaultRouteSettings.loggingLevel, "ERROR");
            assert.equal(stage.inputs.defaultRouteSettings.dataTraceEnabled, false);
            assert.equal(stage.inputs.defaultRouteSettings.throttlingBurstLimit, cfg.api.throttling.burstLimit);
            assert.equal(stage.inputs.defaultRouteSettings.throttlingRateLimit, cfg.api.throttling.rateLimit);
            const lambdaTrust = JSON.parse(one("aws:iam/role:Role", "api-ws-authorizer-role").inputs.assumeRolePolicy);
            assert.deepEqual(lambdaTrust.Statement[0].Principal, { Service: "lambda.amazonaws.com" });
            assert.equal(lambdaTrust.Statement[0].Condition.StringEquals["aws:SourceAccount"], ACCOUNT_ID);
        });

        it("API Gateway account setting: managed, retained on delete, only where api.manageAccountSettings is true", () => {
            const accounts = run.resources.filter((r) => r.type === "aws:apigateway/account:Account");
            const stage = one("aws:apigatewayv2/stage:Stage", "api-ws-stage");
            assert.equal(accounts.length, cfg.api.manageAccountSettings ? 1 : 0);
            if (!cfg.api.manageAccountSettings) {
                // The stage relies on the managing stack's setting; nothing here may reset it.
                assert.deepEqual(run.resources.filter((r) => r.name.startsWith("api-cloudwatch-role")).map((r) => r.name), []);
                return;
            }
            const [account] = accounts;
            const role = one("aws:iam/role:Role", "api-cloudwatch-role");
            assert.equal(account.inputs.cloudwatchRoleArn, role.state.arn);
            assert.ok(stage.dependencies.includes(account.urn), "the stage waits for the account's logging role");
            const trust = JSON.parse(role.inputs.assumeRolePolicy);
            assert.deepEqual(trust.Statement, [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }]);
            const attachment = one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-cloudwatch-role-policy");
            assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs");
            // Deleting aws.apigateway.Account resets the region's setting for every stack (docs/destroy.md).
            for (const r of [account, role, attachment]) {
                assert.equal(r.retainOnDelete, true, `${r.name} is retained on delete`);
            }
        });

        it("lets the Watch Party role manage this API's connections only", () => {
            const grant = one("aws:iam/rolePolicy:RolePolicy", "api-ws-manage-connections");
            assert.equal(grant.inputs.role, fakeRoleName(svc("websocket-api")));
            const doc = JSON.parse(grant.inputs.policy);
            const exec = one("aws:apigatewayv2/api:Api", "api-ws").state.executionArn;
            assert.deepEqual(doc.Statement, [
                {
                    Sid: "ManageOwnWebSocketConnections",
                    Effect: "Allow",
                    Action: "execute-api:ManageConnections",
                    Resource: ["POST", "GET", "DELETE"].map((m) => `${exec}/${WEBSOCKET_STAGE_NAME}/${m}/@connections/*`),
                },
            ]);
        });

        it(`custom domains: ${stack === "prod" ? "regional certificates, TLS 1.2, mappings and aliases" : "none, execute-api URLs"}`, () => {
            const domains = of("aws:apigatewayv2/domainName:DomainName");
            const expected = [cfg.api.domain, cfg.api.websocketDomain].filter((d) => d !== undefined);
            assert.equal(domains.length, expected.length);
            for (const [kind, d] of [
                ["http", cfg.api.domain],
                ["ws", cfg.api.websocketDomain],
            ] as const) {
                if (!d) {
                    continue;
                }
                const dn = one("aws:apigatewayv2/domainName:DomainName", `api-${kind}-domain`);
                assert.equal(dn.inputs.domainName, d.names[0]);
                assert.equal(dn.inputs.domainNameConfiguration.endpointType, "REGIONAL");
                assert.equal(dn.inputs.domainNameConfiguration.securityPolicy, "TLS_1_2");
                const cert = one("aws:acm/certificate:Certificate", `api-${kind}-cert`);
                assert.equal(cert.inputs.validationMethod, "DNS");
                assert.ok(run.resources.find((r) => r.urn === cert.provider)?.inputs.region === cfg.region, "certificate in the API's region");
                assert.equal(dn.inputs.domainNameConfiguration.certificateArn, cert.state.arn);
                const mapping = one("aws:apigatewayv2/apiMapping:ApiMapping", `api-${kind}-mapping`);
                assert.equal(mapping.inputs.apiId, `api-${kind}-id`);
                assert.equal(mapping.inputs.stage, kind === "http" ? HTTP_STAGE_NAME : WEBSOCKET_STAGE_NAME);
                const alias = one("aws:route53/record:Record", `api-${kind}-alias`);
                assert.equal(alias.inputs.type, "A");
                assert.equal(alias.inputs.name, d.names[0]);
                assert.equal(alias.inputs.aliases[0].name, dn.state.domainNameConfiguration.targetDomainName);
                one("aws:route53/record:Record", `api-${kind}-cert-validation`);
            }
            if (expected.length === 0) {
                assert.equal(of("aws:acm/certificate:Certificate").length, 0);
            }
        });

        it("passes the policy pack (APIGateway.1/8/9, Lambda, IAM, security groups, tags) with only documented exceptions", () => {
            const report = runPolicies(new ProgramRun(stack, run.resources, {}, [], run.config));
            assert.equal(report.violations.length, 0, `\n${report.violations.map(formatFinding).join("\n")}`);
            const excepted = report.excepted.filter((f) => f.policy === "apigateway-8-route-authorization").map((f) => f.resource).sort();
            // Exactly the configured public routes and the two WebSocket routes that cannot carry an authorizer.
            assert.deepEqual(excepted, [...cfg.api.publicRoutes.map((r) => `api-http-public-${routeSlug(r)}`), "api-ws-route-disconnect", "api-ws-route-message"].sort());
            const evaluated = (name: string) => report.verdicts.find((v) => v.policy.name === name)!.evaluated;
            assert.ok(evaluated("apigateway-1-execution-logging") > 0 && evaluated("apigateway-9-access-logging") === 2);
        });

        it("exports the API URLs and stage names", () => {
            const o = run.outputs;
            assert.equal(o.httpApiUrl, cfg.api.domain ? `https://${cfg.api.domain.names[0]}` : one("aws:apigatewayv2/api:Api", "api-http").state.apiEndpoint);
            assert.equal(o.websocketUrl, cfg.api.websocketDomain ? `wss://${cfg.api.websocketDomain.names[0]}` : `${one("aws:apigatewayv2/api:Api", "api-ws").state.apiEndpoint}/${WEBSOCKET_STAGE_NAME}`);
            assert.match(String(o.websocketUrl), /^wss:\/\//);
            assert.equal(o.websocketManagementEndpoint, `https://api-ws-id.execute-api.${cfg.region}.amazonaws.com/${WEBSOCKET_STAGE_NAME}`);
            assert.equal(o.stageName, HTTP_STAGE_NAME);
            assert.equal(o.websocketStageName, WEBSOCKET_STAGE_NAME);
        });
    });
}

describe("api component without a provider", () => {
    it("refuses to run rather than create the APIs on a default provider", async () => {
        await assert.rejects(
            simulate("dev", () => {
                const { loadConfig } = require("../../config");
                const { fakeCluster } = require("../../offline/fixtures");
                const { fixtureApiArgs } = require("./fixtures");
                const { ApiGateway } = require("../../components/api/apiGateway");
                return new ApiGateway("api", fixtureApiArgs(loadConfig() as FlodramaConfig, fakeCluster()));
            }),
            /ApiGateway.*provider/,
        );
    });
});
