/**
 * The API's private ingress: an internal Network Load Balancer in the private subnets, with one IP
 * target group and TCP listener per exposed service, each bound to its Kubernetes Service by a
 * TargetGroupBinding, and the NLB's outbound rules to the pods.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DeployedService } from "../../lib/contracts";
import { physicalName } from "../../lib/naming";
import { targetGroupBindingObject } from "../../k8s/targetGroupBinding";
import { ApiGatewayArgs, Exposed, Exposure, LISTENER_PORTS, targetGroupSpec } from "./apiSpecs";
import { ApiPart } from "./apiPart";
import { stateful } from "../../lib/stateful";

export class PrivateIngress extends ApiPart {
    static readonly __pulumiType = "flodrama:api:PrivateIngress";

    readonly nlb: aws.lb.LoadBalancer;
    readonly nlbSg: aws.ec2.SecurityGroup;
    /** The REST API's and Watch Party's target groups and listeners, in that order. */
    readonly exposed: [Exposed, Exposed];

    /** Named `base`, the ApiGateway's name, like its children, which keep the logical names they had under it. */
    constructor(base: string, args: ApiGatewayArgs, services: { rest: DeployedService; watchParty: DeployedService }, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super(PrivateIngress.__pulumiType, base, args, opts);
        const { nlb, nlbSg } = this.createLoadBalancer(base);
        this.nlb = nlb;
        this.nlbSg = nlbSg;
        this.exposed = [this.expose(base, "http-api", services.rest, nlb, nlbSg), this.expose(base, "websocket-api", services.watchParty, nlb, nlbSg)];
        this.allowNlbToPods(base, nlbSg, this.exposed);
        this.registerOutputs({ loadBalancerArn: nlb.arn });
    }

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
            this.moved,
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
                enableDeletionProtection: stateful(a.protect).deletionProtection,
                // No access logs: an NLB writes them for TLS listeners only, and these are TCP. Requests are
                // logged by API Gateway's access logs, flows by the VPC flow logs.
            },
            this.moved,
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
                ...targetGroupSpec({ port: svc.port, expose, terminationGracePeriodSeconds: svc.terminationGracePeriodSeconds }),
            },
            this.moved,
        );
        const listener = new aws.lb.Listener(
            `${name}-listener-${svc.name}`,
            {
                loadBalancerArn: nlb.arn,
                port: LISTENER_PORTS[expose],
                protocol: "TCP",
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            this.moved,
        );
        new k8s.apiextensions.CustomResource(
            `${name}-tgb-${svc.name}`,
            targetGroupBindingObject({
                service: svc.name,
                serviceName: service.serviceName!,
                targetGroupArn: targetGroup.arn,
                loadBalancerSecurityGroupId: nlbSg.id,
                podPort: svc.port,
                vpcId: a.network.vpcId,
                namespace: a.cluster.appNamespace,
            }),
            // The controller's admission webhooks must be up before a binding is applied.
            { ...this.moved, provider: a.cluster.provider, dependsOn: a.cluster.lbController },
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
                this.moved,
            );
        }
    }
}
