/**
 * How users reach the backend (D4): an internal Network Load Balancer in the private subnets with one
 * IP target group and TCP listener per exposed service, each bound to its Kubernetes Service by a
 * TargetGroupBinding; an HTTP API (JWT authorizer on the viewer pool, explicit public routes, CORS for
 * the site) reaching the REST API through a VPC link; a WebSocket API for Watch Party whose `$connect`
 * is authorized by a Lambda verifying the viewer's Cognito token, reaching the service through a
 * (REST-style) VPC link; JSON access logs and throttling on both stages; optional custom domains.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";
import { DomainConfig } from "../lib/contracts";
import { ApiInfo, ClusterInfo, DeployedService, IdentityInfo, NetworkInfo, SiteInfo } from "../lib/contracts";
import { physicalName } from "../lib/naming";
import { requireAwsProvider } from "../lib/providers";
import { createTargetGroupBinding } from "../k8s/targetGroupBinding";
import { PolicyDocument, policyJson } from "./irsaRole";

// ---- constants -----------------------------------------------------------------------------------

/** The HTTP API's stage: `$default` serves the API at the root of its URL, without a stage path. */
export const HTTP_STAGE_NAME = "$default";
/** The WebSocket API's stage (WebSocket APIs have no `$default` stage). */
export const WEBSOCKET_STAGE_NAME = "live";

/**
 * NLB listener port per exposure. The config allows exactly one service per exposure, so two fixed
 * ports never collide, and a service's own port can change without touching the API side.
 */
export const LISTENER_PORTS = { "http-api": 8080, "websocket-api": 8081 } as const;
export type Exposure = keyof typeof LISTENER_PORTS;

/** Methods the authenticated catch-all routes accept. Not `ANY`: see `httpRoutes`. */
export const PROTECTED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Query-string parameter that carries the viewer's token on the WebSocket handshake. */
export const WEBSOCKET_TOKEN_PARAMETER = "token";

/** Drain time of REST targets: in-flight requests finish well within it. */
export const HTTP_DEREGISTRATION_DELAY_SECONDS = 30;

/** Path on the Watch Party service that each WebSocket route posts to. */
export const WEBSOCKET_ROUTES = [
    { routeKey: "$connect", path: "/ws/connect", slug: "connect" },
    { routeKey: "$disconnect", path: "/ws/disconnect", slug: "disconnect" },
    { routeKey: "$default", path: "/ws/message", slug: "message" },
] as const;

// ---- args ----------------------------------------------------------------------------------------

export interface ApiGatewayArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** The stack's region (`aws:region`), for the WebSocket management endpoint and ARNs. */
    region: string;
    network: NetworkInfo;
    cluster: ClusterInfo;
    /** Every deployed service; those with `expose: http-api` / `websocket-api` get a target group and a route. */
    services: DeployedService[];
    /** The viewer pool's issuer and SPA client: the JWT authorizer and the WebSocket authorizer check both. */
    identity: Pick<IdentityInfo, "viewerIssuerUrl" | "spaClientId">;
    /** The site's origin: the origin CORS allows. */
    site: Pick<SiteInfo, "url">;
    /** Further CORS origins, e.g. a local dev server in dev (`api.extraCorsOrigins`). Default none. */
    extraCorsOrigins?: string[];
    /** Default route throttling of both stages (steady rate per second, burst). */
    throttling: { burstLimit: number; rateLimit: number };
    /** HTTP API routes reachable without a token, e.g. `GET /health`. */
    publicRoutes: string[];
    /** Custom domain of the HTTP API (one name in a Route 53 zone); absent keeps the execute-api URL. */
    domain?: DomainConfig;
    /** Custom domain of the WebSocket API (one name in a Route 53 zone). */
    websocketDomain?: DomainConfig;
    /** Retention of the access-log and authorizer log groups, in days. */
    logRetentionDays: number;
    /** Deletion protection on the NLB. */
    protect: boolean;
}

// ---- pure spec builders --------------------------------------------------------------------------

/** The service exposed through one exposure kind, or an error naming the config key to fix. */
export function exposedService(services: DeployedService[], expose: Exposure): DeployedService {
    const found = services.filter((s) => s.config.expose === expose);
    if (found.length !== 1) {
        throw new Error(`flodrama:services must have exactly one service with expose: ${expose}, found ${found.length} (${found.map((s) => s.config.name).join(", ") || "none"})`);
    }
    if (!found[0].serviceName) {
        throw new Error(`service ${found[0].config.name} is exposed through ${expose} but has no Kubernetes Service`);
    }
    return found[0];
}

/**
 * NLB deregistration delay of a service's targets. The pod keeps serving for its termination grace
 * period after the controller deregisters it, so the drain may last that long and no longer: Watch
 * Party gets all of it (messages in flight to a stopping pod finish), the REST API a short drain.
 */
export function deregistrationDelaySeconds(expose: Exposure, terminationGracePeriodSeconds: number): number {
    return expose === "websocket-api" ? terminationGracePeriodSeconds : Math.min(HTTP_DEREGISTRATION_DELAY_SECONDS, terminationGracePeriodSeconds);
}

/** Target group settings of one exposed service (IP targets: pods register directly). */
export function targetGroupSpec(svc: { port: number; expose: Exposure; readinessPath: string; terminationGracePeriodSeconds: number }) {
    return {
        port: svc.port,
        protocol: "TCP",
        targetType: "ip",
        ipAddressType: "ipv4",
        // With client IP preservation, pods would see API Gateway's VPC link addresses anyway; off lets the
        // NLB's security group be the source the node security group admits.
        preserveClientIp: "false",
        deregistrationDelay: deregistrationDelaySeconds(svc.expose, svc.terminationGracePeriodSeconds),
        // Close what is left when the drain ends instead of leaving half-open flows to a dead pod.
        connectionTermination: true,
        healthCheck: {
            enabled: true,
            protocol: "HTTP",
            port: "traffic-port",
            path: svc.readinessPath,
            matcher: "200-399",
            intervalSeconds: 10,
            timeout: 6,
            healthyThreshold: 3,
            unhealthyThreshold: 3,
        },
    };
}

/** A route of the HTTP API as data. */
export interface HttpRouteSpec {
    routeKey: string;
    authorizationType: "JWT" | "NONE";
}

/**
 * The HTTP API's routes: the configured public routes without authorization, and authenticated
 * catch-alls for each method. Not `ANY /{proxy+}`: an `ANY` route also matches the browser's CORS
 * preflight (`OPTIONS`, sent without the token) and the authorizer would reject it; with no OPTIONS
 * route, API Gateway answers preflights itself from the CORS configuration. The most specific route
 * wins, so `GET /catalog/{proxy+}` stays public beside `GET /{proxy+}`.
 */
export function httpRoutes(publicRoutes: string[]): HttpRouteSpec[] {
    const protectedRoutes = PROTECTED_METHODS.map((m) => `${m} /{proxy+}`);
    for (const r of publicRoutes) {
        if (protectedRoutes.includes(r)) {
            throw new Error(`api.publicRoutes: ${r} would make every ${r.split(" ")[0]} request public; list narrower routes such as GET /catalog/{proxy+}`);
        }
        if (/^(ANY|OPTIONS) /.test(r)) {
            throw new Error(`api.publicRoutes: ${r}: public routes name their method (GET, POST, ...); ANY and OPTIONS would capture CORS preflights`);
        }
    }
    return [...publicRoutes.map((routeKey) => ({ routeKey, authorizationType: "NONE" as const })), ...protectedRoutes.map((routeKey) => ({ routeKey, authorizationType: "JWT" as const }))];
}

/** A logical-name fragment for a route key: `GET /catalog/{proxy+}` → `get-catalog-proxy`. */
export function routeSlug(routeKey: string): string {
    return (
        routeKey
            .toLowerCase()
            .replace(/\{proxy\+\}/g, "proxy")
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-+|-+$/g, "") || "root"
    );
}

/** CORS of the HTTP API: the site's origin (plus configured extras), bearer tokens in `Authorization` (no cookies, so no credentials). */
export function corsConfiguration(siteUrl: string, extraOrigins: string[] = []) {
    const origins = [siteUrl, ...extraOrigins].map((o) => o.replace(/\/+$/, ""));
    if (origins.some((o) => o === "*" || !/^https?:\/\/[^/]+$/.test(o))) {
        throw new Error(`CORS origins must be scheme://host[:port] without a path or wildcard, got ${origins.join(", ")}`);
    }
    return {
        allowOrigins: [...new Set(origins)],
        allowMethods: [...PROTECTED_METHODS, "OPTIONS"],
        allowHeaders: ["authorization", "content-type"],
        exposeHeaders: ["x-request-id"],
        allowCredentials: false,
        maxAge: 3600,
    };
}

/** JSON access-log format of the HTTP API stage: one object per request, every value a string so that the line stays valid JSON when a value is absent. */
export function httpAccessLogFormat(): string {
    return JSON.stringify({
        requestId: "$context.requestId",
        ip: "$context.identity.sourceIp",
        requestTime: "$context.requestTime",
        httpMethod: "$context.httpMethod",
        routeKey: "$context.routeKey",
        path: "$context.path",
        status: "$context.status",
        protocol: "$context.protocol",
        responseLength: "$context.responseLength",
        latency: "$context.responseLatency",
        integrationLatency: "$context.integrationLatency",
        integrationStatus: "$context.integrationStatus",
        integrationError: "$context.integrationErrorMessage",
        authorizerError: "$context.authorizer.error",
        sub: "$context.authorizer.claims.sub",
        userAgent: "$context.identity.userAgent",
    });
}

/** JSON access-log format of the WebSocket stage: one object per connect, message and disconnect. */
export function websocketAccessLogFormat(): string {
    return JSON.stringify({
        requestId: "$context.requestId",
        ip: "$context.identity.sourceIp",
        requestTime: "$context.requestTime",
        eventType: "$context.eventType",
        routeKey: "$context.routeKey",
        connectionId: "$context.connectionId",
        status: "$context.status",
        latency: "$context.integration.latency",
        integrationStatus: "$context.integration.status",
        integrationError: "$context.integration.error",
        authorizerError: "$context.authorizer.error",
        sub: "$context.authorizer.principalId",
    });
}

/**
 * Integration request headers of every WebSocket route. The service builds the management endpoint
 * (`https://<apiId>.execute-api.<region>.amazonaws.com/<stage>`) from them, so it needs no config that
 * would depend on this API (no dependency cycle), and learns the viewer the authorizer verified.
 */
export function websocketRequestParameters(): Record<string, string> {
    return {
        "integration.request.header.X-Connection-Id": "context.connectionId",
        "integration.request.header.X-Api-Id": "context.apiId",
        "integration.request.header.X-Domain-Name": "context.domainName",
        "integration.request.header.X-Stage": "context.stage",
        "integration.request.header.X-Route-Key": "context.routeKey",
        "integration.request.header.X-User-Id": "context.authorizer.principalId",
    };
}

/**
 * What the Watch Party role may do on this API: post to, read and close its own connections on its
 * one stage, nothing else (no other API, stage or route).
 */
export function manageConnectionsPolicy(executionArn: pulumi.Input<string>, stage: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ManageOwnWebSocketConnections",
                Effect: "Allow",
                Action: "execute-api:ManageConnections",
                Resource: ["POST", "GET", "DELETE"].map((m) => pulumi.interpolate`${executionArn}/${stage}/${m}/@connections/*`),
            },
        ],
    };
}

/**
 * Trust policy of a role that only the given AWS service may assume; with `accountId`, only on behalf
 * of this account (`aws:SourceAccount`, against the confused deputy) for services that send it.
 */
export function serviceTrustPolicy(service: string, accountId?: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                ...(accountId ? { Condition: { StringEquals: { "aws:SourceAccount": accountId } } } : {}),
            },
        ],
    });
}

/** Bundles the WebSocket authorizer (lambda/ws-authorizer) into one CommonJS file for Node.js 22. */
export function bundleAuthorizer(): string {
    const result = buildSync({
        entryPoints: [path.join(__dirname, "..", "lambda", "ws-authorizer", "handler.ts")],
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        legalComments: "none",
        write: false,
    });
    return result.outputFiles[0].text;
}

// ---- component -----------------------------------------------------------------------------------

interface Exposed {
    expose: Exposure;
    service: DeployedService;
    targetGroup: aws.lb.TargetGroup;
    listener: aws.lb.Listener;
}

export class ApiGateway extends pulumi.ComponentResource implements ApiInfo {
    static readonly __pulumiType = "flodrama:api:ApiGateway";

    readonly httpApiId: pulumi.Output<string>;
    /** `https://<custom domain>` when one is configured, the execute-api endpoint otherwise. */
    readonly httpApiUrl: pulumi.Output<string>;
    readonly websocketApiId: pulumi.Output<string>;
    /** `wss://<custom domain>` when configured, `wss://<id>.execute-api.<region>.amazonaws.com/live` otherwise. */
    readonly websocketUrl: pulumi.Output<string>;
    /** The HTTP API's stage (`$default`): CloudWatch's `Stage` dimension of its metrics. */
    readonly stageName: string = HTTP_STAGE_NAME;
    /** The WebSocket API's stage. */
    readonly websocketStageName: string = WEBSOCKET_STAGE_NAME;
    /** `https://<id>.execute-api.<region>.amazonaws.com/live`: where the service posts to connections. */
    readonly websocketManagementEndpoint: pulumi.Output<string>;
    readonly loadBalancerArn: pulumi.Output<string>;
    /** ARN suffix of the NLB and of each target group, for CloudWatch dimensions. */
    readonly loadBalancerArnSuffix: pulumi.Output<string>;
    readonly targetGroupArnSuffixes: Record<string, pulumi.Output<string>>;
    /** Access-log groups of the two stages. */
    readonly httpAccessLogGroupName: pulumi.Output<string>;
    readonly websocketAccessLogGroupName: pulumi.Output<string>;

    private readonly args: ApiGatewayArgs;
    private readonly accountId: pulumi.Output<string>;

    constructor(name: string, args: ApiGatewayArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(ApiGateway.__pulumiType, name, {}, opts);
        this.args = args;
        // Validate before creating anything; every AWS child inherits the stack's provider, never a default one.
        requireAwsProvider(this, "ApiGateway");
        const rest = exposedService(args.services, "http-api");
        const watchParty = exposedService(args.services, "websocket-api");
        const routes = httpRoutes(args.publicRoutes);
        this.accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const { nlb, nlbSg } = this.createLoadBalancer(name);
        const exposed = [this.expose(name, "http-api", rest, nlb, nlbSg), this.expose(name, "websocket-api", watchParty, nlb, nlbSg)];
        const [restExposed, wsExposed] = exposed;
        this.allowNlbToPods(name, nlbSg, exposed);

        const http = this.createHttpApi(name, routes, nlbSg, restExposed);
        const ws = this.createWebSocketApi(name, nlb, wsExposed);
        this.grantManageConnections(name, watchParty, ws.api);

        this.httpApiId = http.api.id;
        this.websocketApiId = ws.api.id;
        this.httpApiUrl = args.domain ? pulumi.output(`https://${args.domain.names[0]}`) : http.api.apiEndpoint;
        this.websocketUrl = args.websocketDomain ? pulumi.output(`wss://${args.websocketDomain.names[0]}`) : pulumi.interpolate`${ws.api.apiEndpoint}/${WEBSOCKET_STAGE_NAME}`;
        this.websocketManagementEndpoint = pulumi.interpolate`https://${ws.api.id}.execute-api.${args.region}.amazonaws.com/${WEBSOCKET_STAGE_NAME}`;
        this.loadBalancerArn = nlb.arn;
        this.loadBalancerArnSuffix = nlb.arnSuffix;
        this.targetGroupArnSuffixes = Object.fromEntries(exposed.map((e) => [e.service.config.name, e.targetGroup.arnSuffix]));
        this.httpAccessLogGroupName = http.logGroup.name;
        this.websocketAccessLogGroupName = ws.logGroup.name;

        this.registerOutputs({
            httpApiId: this.httpApiId,
            httpApiUrl: this.httpApiUrl,
            websocketApiId: this.websocketApiId,
            websocketUrl: this.websocketUrl,
            websocketManagementEndpoint: this.websocketManagementEndpoint,
            loadBalancerArn: this.loadBalancerArn,
            loadBalancerArnSuffix: this.loadBalancerArnSuffix,
            httpAccessLogGroupName: this.httpAccessLogGroupName,
            websocketAccessLogGroupName: this.websocketAccessLogGroupName,
        });
    }

    // ---- private path: NLB, target groups, listeners, bindings -----------------------------------

    private createLoadBalancer(name: string): { nlb: aws.lb.LoadBalancer; nlbSg: aws.ec2.SecurityGroup } {
        const a = this.args;
        const nlbSg = new aws.ec2.SecurityGroup(
            `${name}-nlb-sg`,
            {
                name: physicalName(a.stack, "api-nlb", "securityGroup"),
                description: "Internal NLB of the API: HTTP API VPC link in, pods out",
                vpcId: a.network.vpcId,
                tags: { Name: physicalName(a.stack, "api-nlb") },
            },
            // Rules are separate resources: inline rules would fight them and create a cycle with the VPC link's group.
            { parent: this },
        );
        const nlb = new aws.lb.LoadBalancer(
            `${name}-nlb`,
            {
                name: physicalName(a.stack, "api-nlb", "loadBalancer"),
                loadBalancerType: "network",
                internal: true,
                ipAddressType: "ipv4",
                subnets: a.network.privateSubnetIds,
                securityGroups: [nlbSg.id],
                // The WebSocket API's VPC link (v1) is PrivateLink, whose source addresses are API Gateway's:
                // its traffic cannot be matched by a rule, so PrivateLink traffic skips the inbound rules. Only
                // API Gateway's VPC link can reach the NLB through PrivateLink (no endpoint service exists).
                enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off",
                // Pods are spread over every AZ but a request may arrive in any: cross-zone keeps load even.
                enableCrossZoneLoadBalancing: true,
                enableDeletionProtection: a.protect,
                // No access logs: an NLB writes them for TLS listeners only, and these are TCP. Requests are
                // logged by API Gateway's access logs, flows by the VPC flow logs.
            },
            { parent: this },
        );
        return { nlb, nlbSg };
    }

    /** Target group, listener and TargetGroupBinding of one exposed service. */
    private expose(name: string, expose: Exposure, service: DeployedService, nlb: aws.lb.LoadBalancer, nlbSg: aws.ec2.SecurityGroup): Exposed {
        const a = this.args;
        const svc = service.config;
        const targetGroup = new aws.lb.TargetGroup(
            `${name}-tg-${svc.name}`,
            {
                name: physicalName(a.stack, `api-${svc.name}`, "targetGroup"),
                vpcId: a.network.vpcId,
                ...targetGroupSpec({ port: svc.port, expose, readinessPath: svc.probes.readinessPath, terminationGracePeriodSeconds: svc.terminationGracePeriodSeconds }),
            },
            { parent: this },
        );
        const listener = new aws.lb.Listener(
            `${name}-listener-${svc.name}`,
            {
                loadBalancerArn: nlb.arn,
                port: LISTENER_PORTS[expose],
                protocol: "TCP",
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            { parent: this },
        );
        createTargetGroupBinding(
            `${name}-tgb-${svc.name}`,
            {
                service: svc.name,
                serviceName: service.serviceName!,
                targetGroupArn: targetGroup.arn,
                loadBalancerSecurityGroupId: nlbSg.id,
                podPort: svc.port,
                vpcId: a.network.vpcId,
                namespace: a.cluster.appNamespace,
            },
            // The controller's admission webhooks must be up before a binding is applied.
            { parent: this, provider: a.cluster.provider, dependsOn: a.cluster.addons },
        );
        return { expose, service, targetGroup, listener };
    }

    /**
     * The NLB's outbound rules govern traffic and health checks to targets: only the pods' ports on the
     * node security group. The node side is opened by the controller (TargetGroupBinding networking).
     */
    private allowNlbToPods(name: string, nlbSg: aws.ec2.SecurityGroup, exposed: Exposed[]): void {
        const ports = [...new Set(exposed.map((e) => e.service.config.port))];
        for (const port of ports) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-nlb-to-pods-${port}`,
                {
                    securityGroupId: nlbSg.id,
                    referencedSecurityGroupId: this.args.cluster.nodeSecurityGroupId,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: `Traffic and health checks to pods on ${port}`,
                },
                { parent: this },
            );
        }
    }

    // ---- HTTP API -----------------------------------------------------------------------------------

    private createHttpApi(name: string, routes: HttpRouteSpec[], nlbSg: aws.ec2.SecurityGroup, rest: Exposed) {
        const a = this.args;
        const port = LISTENER_PORTS["http-api"];
        const linkSg = new aws.ec2.SecurityGroup(
            `${name}-vpc-link-sg`,
            {
                name: physicalName(a.stack, "api-vpc-link", "securityGroup"),
                description: "HTTP API VPC link: out to the API NLB listener only",
                vpcId: a.network.vpcId,
                tags: { Name: physicalName(a.stack, "api-vpc-link") },
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-vpc-link-to-nlb`,
            { securityGroupId: linkSg.id, referencedSecurityGroupId: nlbSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, description: "To the REST API listener of the NLB" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-nlb-from-vpc-link`,
            { securityGroupId: nlbSg.id, referencedSecurityGroupId: linkSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, description: "HTTP API VPC link to the REST API listener" },
            { parent: this },
        );
        const vpcLink = new aws.apigatewayv2.VpcLink(
            `${name}-http-vpc-link`,
            { name: physicalName(a.stack, "http-api-link", "apiGateway"), subnetIds: a.network.privateSubnetIds, securityGroupIds: [linkSg.id] },
            { parent: this },
        );

        const api = new aws.apigatewayv2.Api(
            `${name}-http`,
            {
                name: physicalName(a.stack, "http-api", "apiGateway"),
                description: "FloDrama REST API",
                protocolType: "HTTP",
                corsConfiguration: pulumi.output(a.site.url).apply((url) => corsConfiguration(url, a.extraCorsOrigins)),
                // With a custom domain every client uses it; the execute-api URL would be a second way in.
                disableExecuteApiEndpoint: a.domain !== undefined,
            },
            { parent: this },
        );
        const authorizer = new aws.apigatewayv2.Authorizer(
            `${name}-http-jwt`,
            {
                apiId: api.id,
                name: "cognito-viewer",
                authorizerType: "JWT",
                identitySources: ["$request.header.Authorization"],
                jwtConfiguration: { issuer: a.identity.viewerIssuerUrl, audiences: [a.identity.spaClientId] },
            },
            { parent: this },
        );
        const integration = new aws.apigatewayv2.Integration(
            `${name}-http-integration`,
            {
                apiId: api.id,
                description: `REST API service ${rest.service.config.name} through the internal NLB`,
                integrationType: "HTTP_PROXY",
                integrationMethod: "ANY",
                connectionType: "VPC_LINK",
                connectionId: vpcLink.id,
                integrationUri: rest.listener.arn,
                payloadFormatVersion: "1.0",
                timeoutMilliseconds: 30000,
                // The service logs API Gateway's request id, so a log line leads to the access-log line.
                requestParameters: { "overwrite:header.x-request-id": "$context.requestId" },
            },
            { parent: this },
        );
        const routeResources = routes.map(
            (r) =>
                new aws.apigatewayv2.Route(
                    // Public routes carry "-public-" in their name: the APIGateway.8 exception covers those only.
                    `${name}-http-${r.authorizationType === "NONE" ? "public" : "route"}-${routeSlug(r.routeKey)}`,
                    {
                        apiId: api.id,
                        routeKey: r.routeKey,
                        target: pulumi.interpolate`integrations/${integration.id}`,
                        authorizationType: r.authorizationType,
                        authorizerId: r.authorizationType === "JWT" ? authorizer.id : undefined,
                    },
                    { parent: this },
                ),
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-http-access-logs`,
            { name: `/aws/apigateway/${physicalName(a.stack, "http-api", "logGroup")}/access`, retentionInDays: a.logRetentionDays },
            { parent: this },
        );
        const stage = new aws.apigatewayv2.Stage(
            `${name}-http-stage`,
            {
                apiId: api.id,
                name: HTTP_STAGE_NAME,
                autoDeploy: true,
                accessLogSettings: { destinationArn: logGroup.arn, format: httpAccessLogFormat() },
                defaultRouteSettings: {
                    throttlingBurstLimit: a.throttling.burstLimit,
                    throttlingRateLimit: a.throttling.rateLimit,
                    // Per-route metrics: the latency alarm and dashboard need them.
                    detailedMetricsEnabled: true,
                },
            },
            { parent: this, dependsOn: routeResources },
        );
        if (a.domain) {
            this.customDomain(name, "http", a.domain, api.id, stage.name);
        }
        return { api, stage, logGroup };
    }

    // ---- WebSocket API ------------------------------------------------------------------------------

    private createWebSocketApi(name: string, nlb: aws.lb.LoadBalancer, ws: Exposed) {
        const a = this.args;
        const account = this.ensureApiGatewayLogging(name);
        // WebSocket APIs accept only REST-style (v1) VPC links, which target the NLB itself.
        const vpcLink = new aws.apigateway.VpcLink(
            `${name}-ws-vpc-link`,
            { name: physicalName(a.stack, "websocket-api-link", "apiGateway"), description: "WebSocket API to the internal API NLB", targetArn: nlb.arn },
            { parent: this },
        );
        const api = new aws.apigatewayv2.Api(
            `${name}-ws`,
            {
                name: physicalName(a.stack, "websocket-api", "apiGateway"),
                description: "FloDrama Watch Party",
                protocolType: "WEBSOCKET",
                routeSelectionExpression: "$request.body.action",
                // Kept even with a custom domain: the service posts to connections through this endpoint.
            },
            { parent: this },
        );
        const authorizer = this.createWebSocketAuthorizer(name, api);
        const port = LISTENER_PORTS["websocket-api"];
        const routes = WEBSOCKET_ROUTES.map((r) => {
            const integration = new aws.apigatewayv2.Integration(
                `${name}-ws-integration-${r.slug}`,
                {
                    apiId: api.id,
                    description: `${r.routeKey} to Watch Party service ${ws.service.config.name}`,
                    integrationType: "HTTP_PROXY",
                    integrationMethod: "POST",
                    connectionType: "VPC_LINK",
                    connectionId: vpcLink.id,
                    // The host is the NLB's name; the VPC link delivers to the listener's port.
                    integrationUri: pulumi.interpolate`http://${nlb.dnsName}:${port}${r.path}`,
                    requestParameters: websocketRequestParameters(),
                    timeoutMilliseconds: 29000,
                },
                // The listener must exist before API Gateway can reach its port.
                { parent: this, dependsOn: [ws.listener] },
            );
            return new aws.apigatewayv2.Route(
                `${name}-ws-route-${r.slug}`,
                {
                    apiId: api.id,
                    routeKey: r.routeKey,
                    target: pulumi.interpolate`integrations/${integration.id}`,
                    // Authorizers only run on $connect; the connection then carries the verified principal.
                    authorizationType: r.routeKey === "$connect" ? "CUSTOM" : "NONE",
                    authorizerId: r.routeKey === "$connect" ? authorizer.id : undefined,
                },
                { parent: this },
            );
        });
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-ws-access-logs`,
            { name: `/aws/apigateway/${physicalName(a.stack, "websocket-api", "logGroup")}/access`, retentionInDays: a.logRetentionDays },
            { parent: this },
        );
        const stage = new aws.apigatewayv2.Stage(
            `${name}-ws-stage`,
            {
                apiId: api.id,
                name: WEBSOCKET_STAGE_NAME,
                autoDeploy: true,
                accessLogSettings: { destinationArn: logGroup.arn, format: websocketAccessLogFormat() },
                defaultRouteSettings: {
                    throttlingBurstLimit: a.throttling.burstLimit,
                    throttlingRateLimit: a.throttling.rateLimit,
                    detailedMetricsEnabled: true,
                    // Execution logs of errors only; INFO and data tracing would log message bodies.
                    loggingLevel: "ERROR",
                    dataTraceEnabled: false,
                },
            },
            // WebSocket stages write logs through the account's CloudWatch role, which must exist first.
            { parent: this, dependsOn: [...routes, account] },
        );
        if (a.websocketDomain) {
            this.customDomain(name, "ws", a.websocketDomain, api.id, stage.name);
        }
        return { api, stage, logGroup };
    }

    /**
     * REST and WebSocket stages log (execution and access logs) through one role per account and
     * region, set on API Gateway's account settings. HTTP API access logs do not need it. The setting
     * is shared by every API of the account in this region: deleting this resource leaves it in place.
     */
    private ensureApiGatewayLogging(name: string): aws.apigateway.Account {
        const role = new aws.iam.Role(
            `${name}-cloudwatch-role`,
            {
                name: physicalName(this.args.stack, "apigateway-cloudwatch", "iamRole"),
                description: "Lets API Gateway write REST and WebSocket logs to CloudWatch Logs in this account and region",
                // AWS documents this role's trust without a source condition; UpdateAccount validates the role
                // by assuming it, so a condition API Gateway may not send would break the account setting.
                assumeRolePolicy: serviceTrustPolicy("apigateway.amazonaws.com"),
            },
            { parent: this },
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-cloudwatch-role-policy`,
            // AWS's policy for exactly this purpose (log groups API Gateway names itself, API-Gateway-Execution-Logs_*).
            { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" },
            { parent: this },
        );
        return new aws.apigateway.Account(`${name}-account`, { cloudwatchRoleArn: role.arn }, { parent: this, dependsOn: [attachment] });
    }

    /** The Lambda REQUEST authorizer of `$connect` (lambda/ws-authorizer: why a Lambda, see docs/api.md). */
    private createWebSocketAuthorizer(name: string, api: aws.apigatewayv2.Api): aws.apigatewayv2.Authorizer {
        const a = this.args;
        const functionName = physicalName(a.stack, "ws-authorizer", "lambda");
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-ws-authorizer-logs`,
            { name: `/aws/lambda/${functionName}`, retentionInDays: a.logRetentionDays },
            { parent: this },
        );
        const role = new aws.iam.Role(
            `${name}-ws-authorizer-role`,
            {
                name: physicalName(a.stack, "ws-authorizer", "iamRole"),
                description: "Role of the WebSocket $connect authorizer: writes its own logs, nothing else",
                assumeRolePolicy: this.accountId.apply((id) => serviceTrustPolicy("lambda.amazonaws.com", id)),
            },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-ws-authorizer-policy`,
            {
                role: role.id,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*` }],
                }),
            },
            { parent: this },
        );
        const fn = new aws.lambda.Function(
            `${name}-ws-authorizer`,
            {
                name: functionName,
                description: "Verifies the viewer's Cognito token on WebSocket $connect",
                runtime: "nodejs22.x",
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleAuthorizer()) }),
                role: role.arn,
                memorySize: 256,
                // JWKS fetch plus verification; API Gateway gives authorizers 10 s at most.
                timeout: 5,
                environment: { variables: { ISSUER: a.identity.viewerIssuerUrl, AUDIENCE: a.identity.spaClientId } },
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            },
            { parent: this, dependsOn: [logGroup, rolePolicy] },
        );
        const authorizer = new aws.apigatewayv2.Authorizer(
            `${name}-ws-authorizer`,
            {
                apiId: api.id,
                name: "cognito-viewer-token",
                authorizerType: "REQUEST",
                authorizerUri: fn.invokeArn,
                identitySources: [`route.request.querystring.${WEBSOCKET_TOKEN_PARAMETER}`],
            },
            { parent: this },
        );
        new aws.lambda.Permission(
            `${name}-ws-authorizer-invoke`,
            {
                action: "lambda:InvokeFunction",
                function: fn.name,
                principal: "apigateway.amazonaws.com",
                // Only this API's authorizer, not any API Gateway in any account.
                sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${authorizer.id}`,
            },
            { parent: this },
        );
        return authorizer;
    }

    /** `execute-api:ManageConnections` on this API's stage's connections, on the Watch Party ServiceAccount's role. */
    private grantManageConnections(name: string, watchParty: DeployedService, api: aws.apigatewayv2.Api): void {
        new aws.iam.RolePolicy(
            `${name}-ws-manage-connections`,
            { role: watchParty.roleName, policy: policyJson(manageConnectionsPolicy(api.executionArn, WEBSOCKET_STAGE_NAME)) },
            { parent: this },
        );
    }

    // ---- custom domains -----------------------------------------------------------------------------

    /** A regional ACM certificate validated in Route 53, the API Gateway domain (TLS 1.2+), its mapping and alias record. */
    private customDomain(name: string, kind: "http" | "ws", domain: DomainConfig, apiId: pulumi.Output<string>, stage: pulumi.Output<string>): void {
        const domainName = domain.names[0];
        const zone = aws.route53.getZoneOutput({ name: domain.hostedZone, privateZone: false }, { parent: this });
        const cert = new aws.acm.Certificate(
            `${name}-${kind}-cert`,
            { domainName, validationMethod: "DNS", keyAlgorithm: "RSA_2048" },
            { parent: this },
        );
        // One name and no alternative names: exactly one validation record.
        const dvo = cert.domainValidationOptions.apply((o) => o[0]);
        const record = new aws.route53.Record(
            `${name}-${kind}-cert-validation`,
            { zoneId: zone.zoneId, name: dvo.resourceRecordName, type: dvo.resourceRecordType, records: [dvo.resourceRecordValue], ttl: 300, allowOverwrite: true },
            { parent: this },
        );
        const validation = new aws.acm.CertificateValidation(
            `${name}-${kind}-cert-validated`,
            { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] },
            { parent: this },
        );
        const apiDomain = new aws.apigatewayv2.DomainName(
            `${name}-${kind}-domain`,
            {
                domainName,
                domainNameConfiguration: { certificateArn: validation.certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
            },
            { parent: this },
        );
        new aws.apigatewayv2.ApiMapping(`${name}-${kind}-mapping`, { apiId, domainName: apiDomain.id, stage }, { parent: this });
        new aws.route53.Record(
            `${name}-${kind}-alias`,
            {
                zoneId: zone.zoneId,
                name: domainName,
                type: "A",
                aliases: [
                    {
                        name: apiDomain.domainNameConfiguration.targetDomainName,
                        zoneId: apiDomain.domainNameConfiguration.hostedZoneId,
                        evaluateTargetHealth: false,
                    },
                ],
            },
            { parent: this },
        );
    }
}
