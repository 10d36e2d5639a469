/**
 * `TargetGroupBinding` (AWS Load Balancer Controller, `elbv2.k8s.aws/v1beta1`): binds a target group
 * that this program creates to a Kubernetes Service, so the controller registers the Service's ready
 * pod IPs in it and deregisters them when pods stop. The program owns the NLB, the target groups and
 * the listeners (API Gateway needs their ARNs); the controller owns only target membership and the
 * node security group rule that lets the NLB reach the pods.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { APP_NAMESPACE, SERVICE_PORT_NAME, serviceLabels } from "../lib/contracts";

export const TARGET_GROUP_BINDING_API_VERSION = "elbv2.k8s.aws/v1beta1";
export const TARGET_GROUP_BINDING_KIND = "TargetGroupBinding";

export interface TargetGroupBindingSpecArgs {
    /** Name of the Kubernetes Service (DeployedService.serviceName). */
    serviceName: string;
    /** ARN of the IP target group. */
    targetGroupArn: string;
    /** ID of the security group on the NLB: the controller admits it on the pods' port in the node security group. */
    loadBalancerSecurityGroupId: string;
    /** Container port the pods listen on (the target port of the Service's `http` port). */
    podPort: number;
    /** VPC of the target group; saves the controller a lookup. */
    vpcId: string;
}

/**
 * The spec of one binding. `serviceRef.port` is the Service port's *name* (the CRD accepts a name or a
 * number): the binding follows the Service if its port number changes. The networking rule names the
 * pod port by number because the controller turns it into a security group rule (health checks use the
 * traffic port, so one rule covers both).
 */
export function targetGroupBindingSpec(args: TargetGroupBindingSpecArgs): Record<string, any> {
    return {
        serviceRef: { name: args.serviceName, port: SERVICE_PORT_NAME },
        targetGroupARN: args.targetGroupArn,
        targetType: "ip",
        ipAddressType: "ipv4",
        vpcID: args.vpcId,
        networking: {
            ingress: [
                {
                    from: [{ securityGroup: { groupID: args.loadBalancerSecurityGroupId } }],
                    ports: [{ protocol: "TCP", port: args.podPort }],
                },
            ],
        },
    };
}

export interface TargetGroupBindingArgs {
    /** Kubernetes Service name. */
    serviceName: pulumi.Input<string>;
    /** Configured service name (labels and the object's name). */
    service: string;
    targetGroupArn: pulumi.Input<string>;
    loadBalancerSecurityGroupId: pulumi.Input<string>;
    podPort: number;
    vpcId: pulumi.Input<string>;
    /** Namespace, default `flodrama`. */
    namespace?: pulumi.Input<string>;
}

/** The binding object, ready for a `k8s.apiextensions.CustomResource` on the cluster's provider. */
export function targetGroupBindingObject(args: TargetGroupBindingArgs): k8s.apiextensions.CustomResourceArgs {
    return {
        apiVersion: TARGET_GROUP_BINDING_API_VERSION,
        kind: TARGET_GROUP_BINDING_KIND,
        metadata: {
            name: args.service,
            namespace: args.namespace ?? APP_NAMESPACE,
            labels: { ...serviceLabels(args.service), "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/component": "api-gateway-binding" },
        },
        spec: pulumi
            .all([args.serviceName, args.targetGroupArn, args.loadBalancerSecurityGroupId, args.vpcId])
            .apply(([serviceName, targetGroupArn, loadBalancerSecurityGroupId, vpcId]) =>
                targetGroupBindingSpec({ serviceName, targetGroupArn, loadBalancerSecurityGroupId, podPort: args.podPort, vpcId }),
            ),
    };
}
