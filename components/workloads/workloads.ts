/**
 * The application workloads (docs/decisions.md#images-ecr): for every entry of `flodrama:services`, its image (ECR repository,
 * pinned or built) and one `FlodramaService`; the scraper's S3 bucket (with an access-log bucket);
 * the customer-managed KMS key of the repositories and the bucket; and each IRSA role's least-privilege
 * policy. Hands the deployed services to the API and monitoring (`DeployedService`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument } from "../../lib/irsaRole";
import { ServiceImage } from "./serviceImage";
import { ServiceConfig } from "../../lib/contracts";
import { ClusterInfo, DataInfo, DeployedService, NetworkInfo, ServiceGrant } from "../../lib/contracts";
import { accountKeyStatement, customerManagedKey } from "../../lib/kms";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";
import { denyInsecureTransport, logDeliveryStatement } from "../../lib/s3";
import { FlodramaService } from "./flodramaService";
import { SCRAPER_ENV } from "../../lib/serviceContract";

/** Environment variables that tell a scraper where to write (the services' contract). */
export { SCRAPER_ENV } from "../../lib/serviceContract";
/** Days before a replaced or deleted scraped object is removed for good. */
export const NONCURRENT_VERSION_DAYS = 30;
/** Days before S3 removes the parts of an upload that never completed. */
export const ABORT_MULTIPART_DAYS = 7;
/** Where the scraper bucket's access logs go in its log bucket. */
export const ACCESS_LOG_PREFIX = "scraper-bucket/";

/** The key prefix a scraper service may write and read: its own name. */
export function scraperPrefix(service: ServiceConfig): string {
    return `${service.name}/`;
}

/**
 * Key policy of the workloads key: the account administers and uses it through IAM; ECR and S3 use it
 * through grants and IAM policies that name this key. No public or cross-account principal.
 */
export function workloadsKeyPolicy(partition: string, accountId: string): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [accountKeyStatement(partition, accountId)] });
}

export interface PolicyContext {
    region: string;
    /** ARN of the scraper bucket. */
    scraperBucketArn: pulumi.Input<string>;
    /** ARN of the KMS key that encrypts it. */
    kmsKeyArn: pulumi.Input<string>;
}

/**
 * The inline policy of a service's IRSA role, by role:
 * - scraper: read and write objects under its own prefix of the scraper bucket, list only that prefix,
 *   and use the bucket's KMS key only through S3;
 * - rest-api: none today. It reads and writes MongoDB and Redis with the data Secret, not IAM; the
 *   role exists so that later grants (e.g. Personalize runtime) attach to a role no other pod can assume;
 * - watch-party: none here. The API component attaches `execute-api:ManageConnections` on its
 *   WebSocket API to `roleName`, as only it knows that API.
 */
export function servicePolicy(service: ServiceConfig, ctx: PolicyContext): PolicyDocument | undefined {
    switch (service.role) {
        case "scraper": {
            const prefix = scraperPrefix(service);
            return {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ReadWriteOwnPrefix",
                        Effect: "Allow",
                        Action: ["s3:PutObject", "s3:GetObject"],
                        Resource: pulumi.interpolate`${ctx.scraperBucketArn}/${prefix}*`,
                    },
                    {
                        Sid: "ListOwnPrefix",
                        Effect: "Allow",
                        Action: "s3:ListBucket",
                        Resource: ctx.scraperBucketArn,
                        Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
                    },
                    {
                        Sid: "UseBucketKeyThroughS3",
                        Effect: "Allow",
                        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                        Resource: ctx.kmsKeyArn,
                        Condition: { StringEquals: { "kms:ViaService": `s3.${ctx.region}.amazonaws.com` } },
                    },
                ],
            };
        }
        case "rest-api":
        case "watch-party":
            return undefined;
    }
}

/** Bucket policy: deny every request without TLS (FSBP S3.5), plus extra statements. */
export function bucketPolicy(bucketArn: string, extra: object[] = []): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(bucketArn), ...extra] });
}

export interface WorkloadsArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** The stack's region, for the `kms:ViaService` condition. */
    region: string;
    /** `flodrama:services`: one image and one FlodramaService each. */
    services: ServiceConfig[];
    /** VPC and private subnet CIDRs for the NetworkPolicies. */
    network: Pick<NetworkInfo, "vpcCidr" | "privateSubnetCidrs">;
    cluster: ClusterInfo;
    data: DataInfo;
    /** Protect the KMS key and the buckets (prod). */
    protect: boolean;
    /** Days the scraper bucket's access logs are kept (the stack's log retention). */
    logRetentionDays: number;
    /** What components built earlier grant the services of a role (IAM statements, pod environment). */
    grants?: ServiceGrant[];
}

/** The service's own policy plus the statements granted to its role; undefined when both are empty. */
export function withGrants(service: ServiceConfig, own: PolicyDocument | undefined, grants: ServiceGrant[]): PolicyDocument | undefined {
    const granted = grants.filter((g) => g.role === service.role).flatMap((g) => g.statements);
    const statements = [...(own?.Statement ?? []), ...granted];
    return statements.length > 0 ? { Version: "2012-10-17", Statement: statements } : undefined;
}

/** The program's own variables for a service plus those granted to its role; a name set twice is an error. */
export function grantedEnv(service: ServiceConfig, own: Record<string, pulumi.Input<string>>, grants: ServiceGrant[]): Record<string, pulumi.Input<string>> | undefined {
    const env = { ...own };
    for (const g of grants.filter((x) => x.role === service.role)) {
        for (const [k, v] of Object.entries(g.env)) {
            if (k in env) {
                throw new Error(`services[${service.name}]: environment variable ${k} is granted twice`);
            }
            env[k] = v;
        }
    }
    return Object.keys(env).length > 0 ? env : undefined;
}

export class Workloads extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:k8s:Workloads";

    /** One entry per configured service, in config order. */
    readonly services: DeployedService[];
    /** ECR repository URL per service name. */
    readonly repositoryUrls: pulumi.Output<Record<string, string>>;
    /** Deployed image reference per service name. */
    readonly deployedImages: pulumi.Output<Record<string, string>>;
    readonly scraperBucketName: pulumi.Output<string>;
    readonly scraperBucketArn: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: WorkloadsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(Workloads.__pulumiType, name, {}, opts);
        // Fail early rather than let the repositories, roles, key and buckets fall back to a default provider.
        requireAwsProvider(this, "Workloads");
        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });

        const key = this.createKey(name, args, partition.partition, account.accountId);
        this.kmsKeyArn = key.arn;
        const bucket = this.createScraperBucket(name, args, key, account.accountId);
        this.scraperBucketName = bucket.bucket;
        this.scraperBucketArn = bucket.arn;

        const images = args.services.map((service) => new ServiceImage(`${name}-${service.name}-image`, { stack: args.stack, service, kmsKeyArn: key.arn }, { parent: this }));
        this.services = args.services.map((service, i) => {
            const deployed = new FlodramaService(
                `${name}-${service.name}`,
                {
                    stack: args.stack,
                    service,
                    image: images[i].image,
                    cluster: args.cluster,
                    network: args.network,
                    data: args.data,
                    policy: withGrants(service, servicePolicy(service, { region: args.region, scraperBucketArn: bucket.arn, kmsKeyArn: key.arn }), args.grants ?? []),
                    extraEnv: grantedEnv(
                        service,
                        service.role === "scraper" ? { [SCRAPER_ENV.bucket]: bucket.bucket, [SCRAPER_ENV.prefix]: scraperPrefix(service) } : {},
                        args.grants ?? [],
                    ),
                },
                { parent: this },
            );
            return { config: service, serviceName: deployed.serviceName, roleName: deployed.roleName, roleArn: deployed.roleArn, image: deployed.image };
        });

        const byName = (values: pulumi.Output<string>[]) =>
            pulumi.all(values).apply((vs) => Object.fromEntries(args.services.map((s, i) => [s.name, vs[i]])) as Record<string, string>);
        this.repositoryUrls = byName(images.map((img) => img.repositoryUrl));
        this.deployedImages = byName(this.services.map((s) => s.image));

        this.registerOutputs({
            repositoryUrls: this.repositoryUrls,
            deployedImages: this.deployedImages,
            scraperBucketName: this.scraperBucketName,
            scraperBucketArn: this.scraperBucketArn,
            kmsKeyArn: this.kmsKeyArn,
        });
    }

    /** One customer-managed key for the repositories and the scraper bucket (FSBP ECR.5, S3.17). */
    private createKey(name: string, args: WorkloadsArgs, partition: pulumi.Output<string>, accountId: pulumi.Output<string>): aws.kms.Key {
        return customerManagedKey(
            `${name}-key`,
            {
                description: `Encryption of FloDrama ${args.stack} images (ECR) and scraped data (S3)`,
                policy: pulumi.all([partition, accountId]).apply(([p, a]) => workloadsKeyPolicy(p, a)),
                aliasName: physicalName(args.stack, "workloads", "kmsAlias"),
            },
            // Without the key, images and scraped objects are unreadable.
            { key: { parent: this, protect: args.protect, retainOnDelete: args.protect }, alias: { parent: this } },
        );
    }

    /**
     * The scraper's bucket: private (Block Public Access, owner-enforced objects), SSE-KMS with a bucket
     * key, versioned, TLS only, lifecycle on old versions and failed uploads, access logs to a log
     * bucket of its own (SSE-S3: S3 cannot deliver server access logs to an SSE-KMS bucket).
     */
    private createScraperBucket(name: string, args: WorkloadsArgs, key: aws.kms.Key, accountId: pulumi.Output<string>): aws.s3.Bucket {
        const stateful = { parent: this, protect: args.protect, retainOnDelete: args.protect };
        // Bucket names are global: the account id keeps them unique.
        const bucket = new aws.s3.Bucket(`${name}-scraper-bucket`, { bucket: accountId.apply((a) => physicalName(args.stack, `scraper-${a}`, "s3Bucket")), forceDestroy: false }, stateful);
        const logs = new aws.s3.Bucket(`${name}-scraper-logs`, { bucket: accountId.apply((a) => physicalName(args.stack, `scraper-logs-${a}`, "s3Bucket")), forceDestroy: false }, stateful);

        const child = { parent: this };
        for (const [suffix, b] of [
            ["scraper-bucket", bucket],
            ["scraper-logs", logs],
        ] as const) {
            new aws.s3.BucketPublicAccessBlock(
                `${name}-${suffix}-public-access`,
                { bucket: b.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
                child,
            );
            new aws.s3.BucketOwnershipControls(`${name}-${suffix}-ownership`, { bucket: b.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
            new aws.s3.BucketVersioning(`${name}-${suffix}-versioning`, { bucket: b.bucket, versioningConfiguration: { status: "Enabled" } }, child);
        }
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-scraper-bucket-encryption`,
            { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
            child,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-scraper-logs-encryption`,
            { bucket: logs.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            child,
        );
        new aws.s3.BucketPolicy(`${name}-scraper-bucket-policy`, { bucket: bucket.bucket, policy: bucket.arn.apply((arn) => bucketPolicy(arn)) }, child);
        new aws.s3.BucketPolicy(
            `${name}-scraper-logs-policy`,
            {
                bucket: logs.bucket,
                policy: pulumi.all([logs.arn, bucket.arn, accountId]).apply(([logArn, srcArn, a]) => bucketPolicy(logArn, [logDeliveryStatement(logArn, srcArn, a, ACCESS_LOG_PREFIX)])),
            },
            child,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-scraper-bucket-lifecycle`,
            {
                bucket: bucket.bucket,
                rules: [
                    {
                        id: "old-versions-and-failed-uploads",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
                    },
                ],
            },
            child,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-scraper-logs-lifecycle`,
            {
                bucket: logs.bucket,
                rules: [
                    {
                        id: "log-retention",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.logRetentionDays },
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
                    },
                ],
            },
            child,
        );
        new aws.s3.BucketLogging(`${name}-scraper-bucket-logging`, { bucket: bucket.bucket, targetBucket: logs.bucket, targetPrefix: ACCESS_LOG_PREFIX }, child);
        return bucket;
    }
}
