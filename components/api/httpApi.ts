/**
 * The HTTP API: JWT authorizer on the viewer pool, explicit public routes and the configured path
 * prefixes (no catch-all), CORS for the site, a VPC link to the REST API's NLB listener (its app port
 * only) through two integrations that set or strip the identity headers, JSON access logs and throttling on the `$default` stage, and
 * the optional custom domain.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../../lib/naming";
import { ApiGatewayArgs, corsConfiguration, Exposed, HTTP_STAGE_NAME, httpAccessLogFormat, httpRequestParameters, httpRoutes, HttpRouteSpec, LISTENER_PORTS, routeSlug } from "./apiSpecs";
import { ApiPart } from "./apiPart";

export class HttpApi extends ApiPart {
    static readonly __pulumiType = "flodrama:api:HttpApi";

    readonly api: aws.apigatewayv2.Api;
    readonly stage: aws.apigatewayv2.Stage;
    readonly logGroup: aws.cloudwatch.LogGroup;

    /** Named `base`, the ApiGateway's name, like its children, which keep the logical names they had under it. */
    constructor(base: string, args: ApiGatewayArgs, ingress: { nlbSg: aws.ec2.SecurityGroup; rest: Exposed }, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super(HttpApi.__pulumiType, base, args, opts);
        const { api, stage, logGroup } = this.createHttpApi(base, httpRoutes(args.publicRoutes, args.routePrefixes), ingress.nlbSg, ingress.rest);
        this.api = api;
        this.stage = stage;
        this.logGroup = logGroup;
        this.registerOutputs({ apiId: api.id, stageName: stage.name });
    }

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
            this.moved,
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-vpc-link-to-nlb`,
            { securityGroupId: linkSg.id, referencedSecurityGroupId: nlbSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, description: "To the REST API listener of the NLB" },
            this.moved,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-nlb-from-vpc-link`,
            { securityGroupId: nlbSg.id, referencedSecurityGroupId: linkSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, description: "HTTP API VPC link to the REST API listener" },
            this.moved,
        );
        const vpcLink = new aws.apigatewayv2.VpcLink(
            `${name}-http-vpc-link`,
            { name: physicalName(a.stack, "http-api-link", "apiGateway"), subnetIds: a.network.privateSubnetIds, securityGroupIds: [linkSg.id] },
            this.moved,
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
            this.moved,
        );
        const authorizer = new aws.apigatewayv2.Authorizer(
            `${name}-http-jwt`,
            {
                apiId: api.id,
                name: "cognito-viewer",
                authorizerType: "JWT",
                identitySources: ["$request.header.Authorization"],
                jwtConfiguration: { issuer: a.identity.viewer.issuerUrl, audiences: [a.identity.viewer.clientId] },
            },
            this.moved,
        );
        // Two integrations on the same listener: protected routes get the verified identity headers, public
        // routes get them removed, so no client can forge an identity on either.
        const integration = (logicalName: string, kind: "protected" | "public") =>
            new aws.apigatewayv2.Integration(
                logicalName,
                {
                    apiId: api.id,
                    description: `REST API service ${rest.service.config.name} through the internal NLB (${kind} routes)`,
                    integrationType: "HTTP_PROXY",
                    integrationMethod: "ANY",
                    connectionType: "VPC_LINK",
                    connectionId: vpcLink.id,
                    integrationUri: rest.listener.arn,
                    payloadFormatVersion: "1.0",
                    timeoutMilliseconds: 30000,
                    // The service logs API Gateway's request id, so a log line leads to the access-log line.
                    requestParameters: httpRequestParameters(kind),
                },
                this.moved,
            );
        const integrations = { JWT: integration(`${name}-http-integration`, "protected"), NONE: integration(`${name}-http-integration-public`, "public") };
        const routeResources = routes.map(
            (r) =>
                new aws.apigatewayv2.Route(
                    // Public routes carry "-public-" in their name: the APIGateway.8 exception covers those only.
                    `${name}-http-${r.authorizationType === "NONE" ? "public" : "route"}-${routeSlug(r.routeKey)}`,
                    {
                        apiId: api.id,
                        routeKey: r.routeKey,
                        target: pulumi.interpolate`integrations/${integrations[r.authorizationType].id}`,
                        authorizationType: r.authorizationType,
                        authorizerId: r.authorizationType === "JWT" ? authorizer.id : undefined,
                    },
                    this.moved,
                ),
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-http-access-logs`,
            { name: `/aws/apigateway/${physicalName(a.stack, "http-api", "logGroup")}/access`, retentionInDays: a.logRetentionDays },
            this.moved,
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
            { ...this.moved, dependsOn: routeResources },
        );
        if (a.domain) {
            this.customDomain(name, "http", a.domain, api.id, stage.name);
        }
        return { api, stage, logGroup };
    }
}
