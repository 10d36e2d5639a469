/**
 * `flodrama:network`: the VPC the cluster, data tier and API live in. Either the program creates it
 * (`cidr`, `azCount`, `natGateways`, `interfaceEndpoints`: the default), or `existing` names a VPC and
 * subnets that a landing zone already provides (docs/network.md).
 */
import { z } from "zod";
import { bool, cidr, int, list, obj, oneOf, optional, parseCidr, report, text } from "../../lib/configSchema";

/** One NAT gateway for the VPC (`single`) or one per AZ (`one-per-az`). */
export const NAT_STRATEGIES = ["single", "one-per-az"] as const;

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const subnetIds = (min: number) => list(text("a subnet id such as subnet-0a1b2c3d4e5f67890", { pattern: SUBNET_ID }), { min, max: 6, unique: true });
const subnetCidrs = (min: number) => list(cidr(16, 28), { min, max: 6, unique: true });

/** A brought-in VPC: ids and CIDRs as the landing zone gives them (the CIDRs let security groups and NetworkPolicies be planned offline). */
export const existingNetworkSchema = obj({
    vpcId: text("a VPC id such as vpc-0a1b2c3d4e5f67890", { pattern: VPC_ID }),
    /** The VPC's primary CIDR block. */
    vpcCidr: cidr(16, 24),
    /** One private subnet per AZ (at least 2), with a route to NAT or the needed endpoints: nodes, pods, the NLB and the runner go there. */
    privateSubnetIds: subnetIds(2),
    /** Their CIDRs, in the same order. */
    privateSubnetCidrs: subnetCidrs(2),
    /** Public subnets, in the same order as their CIDRs; nothing of this program uses them today. */
    publicSubnetIds: optional(subnetIds(1)),
    publicSubnetCidrs: optional(subnetCidrs(1)),
}).superRefine((n, ctx) => {
    const vpc = parseCidr(n.vpcCidr);
    const pairs: [string, string[] | undefined, string[] | undefined][] = [
        ["privateSubnet", n.privateSubnetIds, n.privateSubnetCidrs],
        ["publicSubnet", n.publicSubnetIds, n.publicSubnetCidrs],
    ];
    for (const [kind, ids, cidrs] of pairs) {
        if ((ids === undefined) !== (cidrs === undefined) || (ids && cidrs && ids.length !== cidrs.length)) {
            report(ctx, [`${kind}Cidrs`], `one CIDR per entry of ${kind}Ids, in the same order (${ids?.length ?? 0} ids, ${cidrs?.length ?? 0} CIDRs)`, { value: cidrs });
        }
    }
    const all = [...n.privateSubnetCidrs.map((c, i) => ({ key: "privateSubnetCidrs", i, c })), ...(n.publicSubnetCidrs ?? []).map((c, i) => ({ key: "publicSubnetCidrs", i, c }))];
    const ranges = all.map((s) => ({ ...s, r: parseCidr(s.c)! }));
    for (const s of ranges) {
        const start = s.r.address;
        const end = start + 2 ** (32 - s.r.prefix);
        if (vpc && (start < vpc.address || end > vpc.address + 2 ** (32 - vpc.prefix))) {
            report(ctx, [s.key, s.i], `a CIDR inside vpcCidr ${n.vpcCidr}`, { value: s.c });
        }
        const overlap = ranges.find((o) => o !== s && o.r.address < end && start < o.r.address + 2 ** (32 - o.r.prefix));
        if (overlap && ranges.indexOf(overlap) > ranges.indexOf(s)) {
            report(ctx, [s.key, s.i], `a CIDR that does not overlap ${overlap.key}[${overlap.i}] (${overlap.c})`, { value: s.c });
        }
    }
});

export type ExistingNetworkConfig = z.infer<typeof existingNetworkSchema>;

/** The keys of a created VPC, with what each expects when it is missing. */
const CREATE_KEYS = {
    cidr: "an IPv4 CIDR block such as 10.20.0.0/16, prefix /16 to /20",
    azCount: "an integer from 2 to 4",
    natGateways: "one of `single`, `one-per-az`",
    interfaceEndpoints: "true or false",
} as const;

export const networkSchema = obj({
    /** VPC CIDR block, /16 to /20 (created VPC only). */
    cidr: optional(cidr(16, 20)),
    /** Availability zones used, 2 to 4 (dev 2, prod 3; created VPC only). */
    azCount: optional(int(2, 4)),
    natGateways: optional(oneOf(NAT_STRATEGIES)),
    /** Interface endpoints (ECR, STS, CloudWatch Logs, ...) so private nodes reach AWS APIs without NAT (created VPC only). */
    interfaceEndpoints: optional(bool()),
    /** Use this VPC and these subnets instead of creating them. */
    existing: optional(existingNetworkSchema),
})
    .superRefine((n, ctx) => {
        for (const [key, expected] of Object.entries(CREATE_KEYS) as [keyof typeof CREATE_KEYS, string][]) {
            if (n.existing === undefined && n[key] === undefined) {
                report(ctx, [key], `${expected}: the program creates the VPC (or set network.existing to bring your own)`);
            }
            if (n.existing !== undefined && n[key] !== undefined) {
                report(ctx, [key], "no value with network.existing: the VPC, its NAT and its endpoints are the landing zone's", {
                    value: n[key],
                    hint: `Remove network.${key}, or remove network.existing to let the program create the VPC.`,
                });
            }
        }
    })
    .transform((n) => {
        if (n.existing) {
            return { cidr: n.existing.vpcCidr, azCount: n.existing.privateSubnetIds.length, existing: n.existing };
        }
        return { cidr: n.cidr!, azCount: n.azCount!, natGateways: n.natGateways!, interfaceEndpoints: n.interfaceEndpoints! };
    });

/** Either a created VPC's settings, or a brought-in one (then `cidr` is its CIDR and `azCount` its number of private subnets). */
export type NetworkConfig = z.infer<typeof networkSchema>;
