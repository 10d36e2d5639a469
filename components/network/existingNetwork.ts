/**
 * Checks a brought-in VPC (`network.existing`) against AWS at preview, through the stack's provider:
 * each subnet belongs to the VPC and has the configured CIDR, the private subnets sit in distinct
 * AZs, and the VPC has DNS support and hostnames (an EKS private endpoint needs both). These fail the
 * update with a ResourceError listing every problem. The load-balancer subnet tags are advisory (a
 * warning): this program creates its NLB with explicit subnets and the LB controller only binds
 * targets, so nothing discovers subnets by tag (docs/network.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ExistingNetworkConfig } from "./config";

/** Tags the AWS Load Balancer Controller's subnet discovery looks for (EKS user guide, "Subnet requirements"). */
export const INTERNAL_ELB_TAG = "kubernetes.io/role/internal-elb";
export const PUBLIC_ELB_TAG = "kubernetes.io/role/elb";

/** What AWS says about one subnet. */
export interface SubnetFacts {
    id: string;
    vpcId: string;
    cidrBlock: string;
    availabilityZone: string;
    tags: Record<string, string>;
}

export interface VpcFacts {
    cidrBlock: string;
    enableDnsSupport: boolean;
    enableDnsHostnames: boolean;
}

/** Problems that stop the update, and warnings that do not. Pure. */
export function existingNetworkProblems(e: ExistingNetworkConfig, vpc: VpcFacts, priv: SubnetFacts[], pub: SubnetFacts[]): { errors: string[]; warnings: string[] } {
    const errors: string[] = [];
    const warnings: string[] = [];
    if (vpc.cidrBlock !== e.vpcCidr) {
        errors.push(`network.existing.vpcCidr is ${e.vpcCidr} but ${e.vpcId}'s primary CIDR is ${vpc.cidrBlock}`);
    }
    if (!vpc.enableDnsSupport || !vpc.enableDnsHostnames) {
        errors.push(`${e.vpcId} must have DNS support and DNS hostnames enabled (EKS private endpoint); enable them with aws ec2 modify-vpc-attribute`);
    }
    const check = (kind: "private" | "public", facts: SubnetFacts[], cidrs: string[], tag: string) => {
        facts.forEach((s, i) => {
            if (s.vpcId !== e.vpcId) {
                errors.push(`network.existing.${kind}SubnetIds[${i}] ${s.id} is in ${s.vpcId}, not in ${e.vpcId}`);
            }
            if (s.cidrBlock !== cidrs[i]) {
                errors.push(`network.existing.${kind}SubnetCidrs[${i}] is ${cidrs[i]} but ${s.id}'s CIDR is ${s.cidrBlock}`);
            }
            if (s.tags[tag] === undefined) {
                warnings.push(`${s.id} (${kind}) has no ${tag} tag: not needed by this program (its NLB names its subnets), but a LoadBalancer Service or Ingress added later would not find the subnet`);
            }
            const others = Object.keys(s.tags).filter((k) => k.startsWith("kubernetes.io/cluster/"));
            if (others.length > 0) {
                warnings.push(`${s.id} carries ${others.join(", ")}: the LB controller skips subnets tagged for another cluster unless this cluster's tag is there too`);
            }
        });
    };
    check("private", priv, e.privateSubnetCidrs, INTERNAL_ELB_TAG);
    check("public", pub, e.publicSubnetCidrs ?? [], PUBLIC_ELB_TAG);
    const byAz = new Map<string, string[]>();
    for (const s of priv) {
        byAz.set(s.availabilityZone, [...(byAz.get(s.availabilityZone) ?? []), s.id]);
    }
    for (const [az, ids] of byAz) {
        if (ids.length > 1) {
            errors.push(`network.existing.privateSubnetIds must have one subnet per AZ; ${ids.join(" and ")} are both in ${az}`);
        }
    }
    return { errors, warnings };
}

/** Runs the checks at preview and returns the VPC id once they pass (so every consumer waits for them). */
export function checkExistingNetwork(e: ExistingNetworkConfig, parent: pulumi.ComponentResource): pulumi.Output<string> {
    // `parent` makes the invokes go through the component's (the stack's) AWS provider.
    const facts = (id: string) =>
        aws.ec2.getSubnetOutput({ id }, { parent }).apply((s): SubnetFacts => ({ id, vpcId: s.vpcId, cidrBlock: s.cidrBlock, availabilityZone: s.availabilityZone, tags: s.tags ?? {} }));
    const vpc = aws.ec2.getVpcOutput({ id: e.vpcId }, { parent });
    return pulumi
        .all([
            vpc.apply((v): VpcFacts => ({ cidrBlock: v.cidrBlock, enableDnsSupport: v.enableDnsSupport, enableDnsHostnames: v.enableDnsHostnames })),
            pulumi.all(e.privateSubnetIds.map(facts)),
            pulumi.all((e.publicSubnetIds ?? []).map(facts)),
        ])
        .apply(([v, priv, pub]) => {
            const { errors, warnings } = existingNetworkProblems(e, v, priv, pub);
            for (const w of warnings) {
                pulumi.log.warn(`network.existing: ${w}`, parent);
            }
            if (errors.length > 0) {
                throw new pulumi.ResourceError(`network.existing does not match AWS:\n  - ${errors.join("\n  - ")}`, parent);
            }
            return e.vpcId;
        });
}
