/**
 * The network side of "who may reach the Kubernetes API": one 443 ingress rule into the EKS-managed
 * cluster security group per endpoint source (a VPN, Transit Gateway or peered tooling network CIDR,
 * or a security group such as the deploy runner's). The control-plane ENIs carry only that group, so
 * without such a rule a private-only endpoint answers nobody outside the cluster (docs/deploy-access.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_PORT, EndpointSourceRule } from "./clusterSpecs";

export interface EndpointAccessArgs {
    /** `eksCluster.vpcConfig.clusterSecurityGroupId`: on the control-plane ENIs and on every managed node. */
    clusterSecurityGroupId: pulumi.Input<string>;
    /** From `endpointSourceRules` (clusterSpecs.ts). */
    rules: EndpointSourceRule[];
}

export class EndpointAccess extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:cluster:EndpointAccess";

    readonly rules: aws.vpc.SecurityGroupIngressRule[];

    constructor(name: string, args: EndpointAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(EndpointAccess.__pulumiType, name, {}, opts);
        // Nodes carry the same group, so these sources could also reach tcp/443 on nodes; nothing listens there.
        this.rules = args.rules.map(
            (r) =>
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-${r.suffix}`,
                    {
                        securityGroupId: args.clusterSecurityGroupId,
                        ipProtocol: "tcp",
                        fromPort: API_PORT,
                        toPort: API_PORT,
                        cidrIpv4: r.cidrIpv4,
                        referencedSecurityGroupId: r.referencedSecurityGroupId,
                        description: r.description,
                    },
                    { parent: this },
                ),
        );
        this.registerOutputs({});
    }
}
