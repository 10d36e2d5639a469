/**
 * The WebSocket API of Watch Party: `$connect` authorized by a Lambda verifying the viewer's Cognito
 * token (lambda/ws-authorizer), routes to the service through a (REST-style) VPC link to the NLB, JSON
 * access logs and throttling on its stage, the account's CloudWatch role for WebSocket logs, the
 * service's right to post to connections, and the optional custom domain.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeployedService } from "../../lib/contracts";
import { policyJson } from "../../lib/irsaRole";
import { physicalName } from "../../lib/naming";
import { serviceTrustPolicy } from "../../lib/servicePolicy";
import {
    ApiGatewayArgs,
    bundleAuthorizer,
    Exposed,
    LISTENER_PORTS,
    manageConnectionsPolicy,
    websocketAccessLogFormat,
    websocketRequestParameters,
    WEBSOCKET_ROUTES,
    WEBSOCKET_STAGE_NAME,
    WEBSOCKET_TOKEN_PARAMETER,
} from "./apiSpecs";
import { ApiPart } from "./apiPart";

export interface WebSocketApiInputs {
    nlb: aws.lb.LoadBalancer;
    /** Watch Party's target group and listener on the NLB. */
    ws: Exposed;
    watchParty: DeployedService;
    accountId: pulumi.Output<string>;
}

export class WebSocketApi extends ApiPart {
    static readonly __pulumiType = "flodrama:api:WebSocketApi";

    readonly api: aws.apigatewayv2.Api;
    readonly stage: aws.apigatewayv2.Stage;
    readonly logGroup: aws.cloudwatch.LogGroup;
    private readonly accountId: pulumi.Output<string>;

    /** Named `base`, the ApiGateway's name, like its children, which keep the logical names they had under it. */
    constructor(base: string, args: ApiGatewayArgs, inputs: WebSocketApiInputs, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super(WebSocketApi.__pulumiType, base, args, opts);
        this.accountId = inputs.accountId;
        const { api, stage, logGroup } = this.createWebSocketApi(base, inputs.nlb, inputs.ws);
        this.grantManageConnections(base, inputs.watchParty, api);
        this.api = api;
        this.stage = stage;
        this.logGroup = logGroup;
        this.registerOutputs({ apiId: api.id, stageName: stage.name });
    }

    private createWebSocketApi(name: string, nlb: aws.lb.LoadBalancer, ws: Exposed) {
        const a = this.args;
        const account = a.manageAccountSettings ? [this.manageApiGatewayLogging(name)] : [];
        // WebSocket APIs accept only REST-style (v1) VPC links, which target the NLB itself.
        const vpcLink = new aws.apigateway.VpcLink(
            `${name}-ws-vpc-link`,
            { name: physicalName(a.stack, "websocket-api-link", "apiGateway"), description: "WebSocket API to the internal API NLB", targetArn: nlb.arn },
            this.moved,
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
            this.moved,
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
                { ...this.moved, dependsOn: [ws.listener] },
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
                this.moved,
            );
        });
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-ws-access-logs`,
            { name: `/aws/apigateway/${physicalName(a.stack, "websocket-api", "logGroup")}/access`, retentionInDays: a.logRetentionDays },
            this.moved,
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
            // WebSocket stages write logs through the account's CloudWatch role, which must exist first
            // (set by this stack, or already by the stack that manages it: docs/destroy.md).
            { ...this.moved, dependsOn: [...routes, ...account] },
        );
        if (a.websocketDomain) {
            this.customDomain(name, "ws", a.websocketDomain, api.id, stage.name);
        }
        return { api, stage, logGroup };
    }

    /**
     * REST and WebSocket stages log (execution and access logs) through one role per account and
     * region, set on API Gateway's account settings. HTTP API access logs do not need it. The setting
     * is shared by every API of the account in this region, so one stack manages it
     * (`api.manageAccountSettings`): with two, the last `up` wins. Deleting `aws.apigateway.Account`
     * resets the setting (pulumi-aws 7.x), which would stop every other stack's execution logs, so it
     * is retained on delete: destroying the managing stack leaves the setting, and the role, in place.
     */
    private manageApiGatewayLogging(name: string): aws.apigateway.Account {
        const role = new aws.iam.Role(
            `${name}-cloudwatch-role`,
            {
                name: physicalName(this.args.stack, "apigateway-cloudwatch", "iamRole"),
                description: "Lets API Gateway write REST and WebSocket logs to CloudWatch Logs in this account and region",
                // AWS documents this role's trust without a source condition; UpdateAccount validates the role
                // by assuming it, so a condition API Gateway may not send would break the account setting.
                assumeRolePolicy: serviceTrustPolicy("apigateway.amazonaws.com"),
            },
            // The setting keeps pointing at this role after a destroy: keep the role too.
            { ...this.moved, retainOnDelete: true },
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-cloudwatch-role-policy`,
            // AWS's policy for exactly this purpose (log groups API Gateway names itself, API-Gateway-Execution-Logs_*).
            { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" },
            { ...this.moved, retainOnDelete: true },
        );
        return new aws.apigateway.Account(`${name}-account`, { cloudwatchRoleArn: role.arn }, { ...this.moved, dependsOn: [attachment], retainOnDelete: true });
    }

    /** The Lambda REQUEST authorizer of `$connect` (lambda/ws-authorizer: why a Lambda, see docs/api.md). */
    private createWebSocketAuthorizer(name: string, api: aws.apigatewayv2.Api): aws.apigatewayv2.Authorizer {
        const a = this.args;
        const functionName = physicalName(a.stack, "ws-authorizer", "lambda");
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-ws-authorizer-logs`,
            { name: `/aws/lambda/${functionName}`, retentionInDays: a.logRetentionDays },
            this.moved,
        );
        const role = new aws.iam.Role(
            `${name}-ws-authorizer-role`,
            {
                name: physicalName(a.stack, "ws-authorizer", "iamRole"),
                description: "Role of the WebSocket $connect authorizer: writes its own logs, nothing else",
                assumeRolePolicy: this.accountId.apply((id) => serviceTrustPolicy("lambda.amazonaws.com", { sourceAccount: id })),
            },
            this.moved,
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
            this.moved,
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
                environment: { variables: { ISSUER: a.identity.viewer.issuerUrl, AUDIENCE: a.identity.viewer.clientId } },
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            },
            { ...this.moved, dependsOn: [logGroup, rolePolicy] },
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
            this.moved,
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
            this.moved,
        );
        return authorizer;
    }

    /** `execute-api:ManageConnections` on this API's stage's connections, on the Watch Party ServiceAccount's role. */
    private grantManageConnections(name: string, watchParty: DeployedService, api: aws.apigatewayv2.Api): void {
        new aws.iam.RolePolicy(
            `${name}-ws-manage-connections`,
            { role: watchParty.roleName, policy: policyJson(manageConnectionsPolicy(api.executionArn, WEBSOCKET_STAGE_NAME)) },
            this.moved,
        );
    }
}
