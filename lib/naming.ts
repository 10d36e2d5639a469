/**
 * Physical names for AWS resources: `flodrama-<stack>-<name>`, cut to each service's limit.
 *
 * A cut name keeps a short hash of the full name, so two long names that share a prefix stay
 * distinct. Logical names never come from config values (changing one would replace the resource).
 */
import { createHash } from "crypto";
/** The Pulumi project, the `flodrama:` config namespace and the first part of every physical name. */
export const PROJECT = "flodrama";

/** Name length limits of the AWS services the program names. */
export const NAME_LIMITS = {
    s3Bucket: 63,
    iamRole: 64,
    iamPolicy: 128,
    lambda: 64,
    eksCluster: 100,
    eksNodeGroup: 63,
    docdbCluster: 63,
    elasticacheReplicationGroup: 40,
    elasticacheSubnetGroup: 255,
    loadBalancer: 32,
    targetGroup: 32,
    securityGroup: 255,
    snsTopic: 256,
    logGroup: 512,
    cognitoUserPool: 128,
    ecrRepository: 256,
    wafWebAcl: 128,
    dashboard: 255,
    budget: 100,
    kmsAlias: 256,
    apiGateway: 128,
    secret: 512,
    alarm: 255,
    personalize: 63,
    generic: 63,
} as const;

export type NameKind = keyof typeof NAME_LIMITS;

/** `flodrama-<stack>-<name>`, lower-cased, cut to the limit of `kind` with a hash suffix when cut. */
export function physicalName(stack: string, name: string, kind: NameKind = "generic"): string {
    const limit = NAME_LIMITS[kind];
    const full = `${PROJECT}-${stack}-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    if (full.length <= limit) {
        return full;
    }
    const suffix = createHash("sha256").update(full).digest("hex").slice(0, 6);
    return `${full.slice(0, limit - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}

/** A namer bound to one stack: `names.of("site-bucket", "s3Bucket")`. */
export class Namer {
    constructor(readonly stack: string) {}

    of(name: string, kind: NameKind = "generic"): string {
        return physicalName(this.stack, name, kind);
    }
}
