/**
 * How users reach the backend: an internal Network Load Balancer in the private subnets with one
 * IP target group and TCP listener per exposed service, each bound to its Kubernetes Service by a
 * TargetGroupBinding; an HTTP API (JWT authorizer on the viewer pool, explicit public routes, CORS for
 * the site) reaching the REST API through a VPC link; a WebSocket API for Watch Party whose `$connect`
 * is authorized by a Lambda verifying the viewer's Cognito token, reaching the service through a
 * (REST-style) VPC link; JSON access logs and throttling on both stages; optional custom domains.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiEndpoint, ApiInfo } from "../../lib/contracts";
import { requireAwsProvider } from "../../lib/providers";
import { ApiGatewayArgs, exposedService, HTTP_STAGE_NAME, WEBSOCKET_STAGE_NAME } from "./apiSpecs";
import { HttpApi } from "./httpApi";
import { PrivateIngress } from "./privateIngress";
import { WebSocketApi } from "./websocketApi";

export { ApiGatewayArgs };

export class ApiGateway extends pulumi.ComponentResource implements ApiInfo {
    static readonly __pulumiType = "flodrama:api:ApiGateway";

    /** The HTTP API (stage `$default`) and its access-log group. */
    readonly http: ApiEndpoint & { accessLogGroupName: pulumi.Output<string> };
    /**
     * The WebSocket API (`wss://<id>.execute-api.<region>.amazonaws.com/live` without a custom domain), its
     * access-log group, and `managementEndpoint` (`https://<id>.execute-api.<region>.amazonaws.com/live`):
     * where the service posts to connections.
     */
    readonly websocket: ApiEndpoint & { accessLogGroupName: pulumi.Output<string>; managementEndpoint: pulumi.Output<string> };
    readonly loadBalancerArn: pulumi.Output<string>;
    /** ARN suffix of the NLB and of each target group, for CloudWatch dimensions. */
    readonly loadBalancerArnSuffix: pulumi.Output<string>;
    readonly targetGroupArnSuffixes: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: ApiGatewayArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(ApiGateway.__pulumiType, name, {}, opts);
        // Validate before creating anything; every AWS child inherits the stack's provider, never a default one.
        requireAwsProvider(this, "ApiGateway");
        const rest = exposedService(args.services, "http-api");
        const watchParty = exposedService(args.services, "websocket-api");
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        // The three parts below were one component before; their children keep their URNs through aliases.
        const ingress = new PrivateIngress(name, args, { rest, watchParty }, { parent: this });
        const exposed = ingress.exposed;
        const [restExposed, wsExposed] = exposed;
        const nlb = ingress.nlb;
        const http = new HttpApi(name, args, { nlbSg: ingress.nlbSg, rest: restExposed }, { parent: this });
        const ws = new WebSocketApi(name, args, { nlb, ws: wsExposed, watchParty, accountId }, { parent: this });

        this.http = {
            apiId: http.api.id,
            url: args.domain ? pulumi.output(`https://${args.domain.names[0]}`) : http.api.apiEndpoint,
            stageName: HTTP_STAGE_NAME,
            accessLogGroupName: http.logGroup.name,
        };
        this.websocket = {
            apiId: ws.api.id,
            url: args.websocketDomain ? pulumi.output(`wss://${args.websocketDomain.names[0]}`) : pulumi.interpolate`${ws.api.apiEndpoint}/${WEBSOCKET_STAGE_NAME}`,
            stageName: WEBSOCKET_STAGE_NAME,
            accessLogGroupName: ws.logGroup.name,
            managementEndpoint: pulumi.interpolate`https://${ws.api.id}.execute-api.${args.region}.amazonaws.com/${WEBSOCKET_STAGE_NAME}`,
        };
        this.loadBalancerArn = nlb.arn;
        this.loadBalancerArnSuffix = nlb.arnSuffix;
        this.targetGroupArnSuffixes = Object.fromEntries(exposed.map((e) => [e.service.config.name, e.targetGroup.arnSuffix]));

        // The same names as before the two APIs were grouped: the component's recorded outputs do not change.
        this.registerOutputs({
            httpApiId: this.http.apiId,
            httpApiUrl: this.http.url,
            websocketApiId: this.websocket.apiId,
            websocketUrl: this.websocket.url,
            websocketManagementEndpoint: this.websocket.managementEndpoint,
            loadBalancerArn: this.loadBalancerArn,
            loadBalancerArnSuffix: this.loadBalancerArnSuffix,
            httpAccessLogGroupName: this.http.accessLogGroupName,
            websocketAccessLogGroupName: this.websocket.accessLogGroupName,
        });
    }
}
