/**
 * The hardened S3 bucket every feature uses (the CDN site and its log bucket, the Personalize training
 * bucket and its access-log bucket, the scraper bucket and its log bucket): private (Block Public
 * Access, all four settings; object ownership), default encryption (SSE-S3 or SSE-KMS with a bucket
 * key), versioning where wanted, a lifecycle, S3 server access logs to a log bucket, and a TLS-only
 * bucket policy. Deletion follows `protectStatefulResources` through lib/stateful.ts: `forceDestroy`
 * in dev (every version included, so `pulumi destroy` never stops on BucketNotEmpty), `protect` and
 * `retainOnDelete` in prod (a prod destroy leaves the bucket and its data: docs/destroy.md).
 *
 * A function, not a component: the bucket and its settings stay children of the caller, named
 * `<name>` and `<name>-<part>`, so adopting it changes no URN (`previousNames` aliases a part whose
 * logical name differed before).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport } from "./s3";
import { stateful } from "./stateful";

/** The parts of a hardened bucket, each a child named `<name>-<part>`. */
export type BucketPart = "public-access-block" | "ownership" | "encryption" | "versioning" | "lifecycle" | "logging" | "policy";

export interface HardenedBucketArgs {
    /** Physical (globally unique) bucket name. */
    bucketName: pulumi.Input<string>;
    /** `protectStatefulResources`. */
    protect: boolean;
    /** SSE-S3 (`AES256`, the only choice for a server-access-log target), or SSE-KMS with this key and a bucket key. */
    encryption: "AES256" | { kmsKeyArn: pulumi.Input<string> };
    /** Keep every version of every object (rollback, accidental deletes). */
    versioning: boolean;
    /** Default `BucketOwnerEnforced` (no ACLs); `BucketOwnerPreferred` only for CloudFront's legacy logging, which writes through ACLs. */
    objectOwnership?: "BucketOwnerEnforced" | "BucketOwnerPreferred";
    /** Lifecycle rules; none creates no lifecycle configuration. */
    lifecycleRules?: pulumi.Input<aws.types.input.s3.BucketLifecycleConfigurationRule>[];
    /** S3 server access logs (FSBP S3.9) into a log bucket. */
    accessLogs?: Omit<aws.s3.BucketLoggingArgs, "bucket">;
    /**
     * The bucket policy as JSON, given the bucket's ARN; it must deny plain HTTP (`denyInsecureTransport`,
     * checked when the policy is built). Absent: only `denyInsecureTransport`. A policy that needs a
     * resource created after the bucket (the site's CloudFront distribution) uses `attachPolicy` instead:
     * pass `policy: "later"`.
     */
    policy?: ((bucketArn: pulumi.Output<string>) => pulumi.Output<string>) | "later";
    /** Logical names parts had before this building block, aliased so their URNs stay. */
    previousNames?: Partial<Record<BucketPart, string>>;
}

export interface HardenedBucket {
    bucket: aws.s3.Bucket;
    publicAccessBlock: aws.s3.BucketPublicAccessBlock;
    ownership: aws.s3.BucketOwnershipControls;
    /** The bucket policy (`<name>-policy`), after Block Public Access; `policyJson` must include `denyInsecureTransport`. */
    attachPolicy(policyJson: pulumi.Input<string>): aws.s3.BucketPolicy;
}

/** A bucket policy JSON of only the TLS-only statement (FSBP S3.5). */
export function tlsOnlyPolicy(bucketArn: string): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(bucketArn)] });
}

/** Fails, naming the bucket, when a policy lacks the TLS-only statement: every bucket here denies plain HTTP. */
export function requireTlsOnly(bucketName: string, policyJson: string): string {
    const statements: Record<string, unknown>[] = JSON.parse(policyJson).Statement ?? [];
    const tls = denyInsecureTransport("");
    const ok = statements.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition) === JSON.stringify(tls.Condition) && s.Action === tls.Action);
    if (!ok) {
        throw new Error(`bucket ${bucketName}: its policy has no DenyInsecureTransport statement; add denyInsecureTransport(bucketArn) from lib/s3.ts to it`);
    }
    return policyJson;
}

export function hardenedBucket(name: string, args: HardenedBucketArgs, opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource }): HardenedBucket {
    const s = stateful(args.protect);
    const partOpts = (p: BucketPart): pulumi.CustomResourceOptions => {
        const previous = args.previousNames?.[p];
        return previous ? { ...opts, aliases: [...(opts.aliases ?? []), { name: previous }] } : opts;
    };
    const bucket = new aws.s3.Bucket(name, { bucket: args.bucketName, forceDestroy: s.forceDestroy }, { ...opts, ...s.retainOptions });
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access-block`,
        { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        partOpts("public-access-block"),
    );
    const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.bucket, rule: { objectOwnership: args.objectOwnership ?? "BucketOwnerEnforced" } }, partOpts("ownership"));
    const sse =
        args.encryption === "AES256"
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
            : // Bucket keys cut KMS requests (and cost) for buckets of many objects.
              { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.encryption.kmsKeyArn }, bucketKeyEnabled: true };
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, { bucket: bucket.bucket, rules: [sse] }, partOpts("encryption"));
    if (args.versioning) {
        new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } }, partOpts("versioning"));
    }
    if (args.lifecycleRules && args.lifecycleRules.length > 0) {
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.bucket, rules: args.lifecycleRules }, partOpts("lifecycle"));
    }
    if (args.accessLogs) {
        new aws.s3.BucketLogging(`${name}-logging`, { ...args.accessLogs, bucket: bucket.bucket }, partOpts("logging"));
    }
    const attachPolicy = (policyJson: pulumi.Input<string>): aws.s3.BucketPolicy => {
        const checked = pulumi.all([bucket.bucket, policyJson]).apply(([b, p]) => requireTlsOnly(b, p));
        return new aws.s3.BucketPolicy(`${name}-policy`, { bucket: bucket.bucket, policy: checked }, { ...partOpts("policy"), dependsOn: [publicAccessBlock] });
    };
    if (args.policy !== "later") {
        attachPolicy(args.policy ? args.policy(bucket.arn) : bucket.arn.apply(tlsOnlyPolicy));
    }
    return { bucket, publicAccessBlock, ownership, attachPolicy };
}
