/** `flodrama:network`: the VPC the cluster, data tier and API live in. */
import { z } from "zod";
import { bool, cidr, int, obj, oneOf } from "../../lib/configSchema";

/** One NAT gateway for the VPC (`single`) or one per AZ (`one-per-az`). */
export const NAT_STRATEGIES = ["single", "one-per-az"] as const;

export const networkSchema = obj({
    /** VPC CIDR block, /16 to /20. */
    cidr: cidr(16, 20),
    /** Availability zones used, 2 to 4 (dev 2, prod 3). */
    azCount: int(2, 4),
    natGateways: oneOf(NAT_STRATEGIES),
    /** Interface endpoints (ECR, STS, CloudWatch Logs, ...) so private nodes reach AWS APIs without NAT. */
    interfaceEndpoints: bool(),
});

export type NetworkConfig = z.infer<typeof networkSchema>;
