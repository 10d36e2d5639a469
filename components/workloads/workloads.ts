/**
 * The application workloads (docs/decisions.md#images-ecr): for every entry of `flodrama:services`, the
 * image it runs (`ServiceImage`: built, released or pinned, in its repository of `ImageRepositories`)
 * and one `FlodramaService`; the scraper's S3 bucket (with an access-log bucket), encrypted with the
 * images' customer-managed key; and each IRSA role's least-privilege policy. Hands the deployed
 * services to the API and monitoring (`DeployedService`).
 */
import type * as dockerBuild from "@pulumi/docker-build";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument } from "../../lib/irsaRole";
import { ServiceImage } from "./serviceImage";
import { ServiceConfig } from "../../lib/contracts";
import { ClusterInfo, DataInfo, DeployedService, NetworkInfo, ServiceGrant } from "../../lib/contracts";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";
import { denyInsecureTransport, logDeliveryStatement } from "../../lib/s3";
import { hardenedBucket } from "../../lib/bucket";
import { DEFAULT_SCRAPER_INTERVAL_SECONDS, SCRAPER_ENV } from "../../lib/serviceContract";
import { FlodramaService } from "./flodramaService";
import { ImagesInfo } from "./imageRepositories";

export { SCRAPER_ENV };
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

/** The scraper's own variables: where it writes, what it fetches (JSON list) and how often. */
export function scraperEnv(service: ServiceConfig, bucketName: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
    const settings = service.scraper ?? { sources: [], intervalSeconds: DEFAULT_SCRAPER_INTERVAL_SECONDS };
    return {
        [SCRAPER_ENV.bucket]: bucketName,
        [SCRAPER_ENV.prefix]: scraperPrefix(service),
        [SCRAPER_ENV.sources]: JSON.stringify(settings.sources),
        [SCRAPER_ENV.intervalSeconds]: String(settings.intervalSeconds),
    };
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
    /** The repositories (one per service) and their KMS key, which also encrypts the scraper bucket. */
    images: ImagesInfo;
    /** Builds the `image: { build }` services (lib/providers.ts); unused when nothing is built. */
    dockerBuildProvider?: dockerBuild.Provider;
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

        this.kmsKeyArn = args.images.kmsKeyArn;
        const bucket = this.createScraperBucket(name, args, this.kmsKeyArn, account.accountId);
        this.scraperBucketName = bucket.bucket;
        this.scraperBucketArn = bucket.arn;

        const images = args.services.map((service) => {
            const repository = args.images.repositories[service.name];
            if (!repository) {
                throw new pulumi.ResourceError(`service ${service.name} has no image repository: build ImageRepositories from the same flodrama:services`, this);
            }
            return new ServiceImage(
                `${name}-${service.name}-image`,
                { serviceName: service.name, source: service.image, repository, dockerBuildProvider: args.dockerBuildProvider },
                { parent: this },
            );
        });
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
                    policy: withGrants(service, servicePolicy(service, { region: args.region, scraperBucketArn: bucket.arn, kmsKeyArn: this.kmsKeyArn }), args.grants ?? []),
                    extraEnv: grantedEnv(service, service.role === "scraper" ? scraperEnv(service, bucket.bucket) : {}, args.grants ?? []),
                },
                { parent: this },
            );
            return { config: service, serviceName: deployed.serviceName, roleName: deployed.roleName, roleArn: deployed.roleArn, image: deployed.image };
        });

        const byName = (values: pulumi.Output<string>[]) =>
            pulumi.all(values).apply((vs) => Object.fromEntries(args.services.map((s, i) => [s.name, vs[i]])) as Record<string, string>);
        this.deployedImages = byName(this.services.map((s) => s.image));

        this.registerOutputs({
            deployedImages: this.deployedImages,
            scraperBucketName: this.scraperBucketName,
            scraperBucketArn: this.scraperBucketArn,
            kmsKeyArn: this.kmsKeyArn,
        });
    }

    /**
     * The scraper's bucket: private (Block Public Access, owner-enforced objects), SSE-KMS with a bucket
     * key, versioned, TLS only, lifecycle on old versions and failed uploads, access logs to a log
     * bucket of its own (SSE-S3: S3 cannot deliver server access logs to an SSE-KMS bucket).
     */
    private createScraperBucket(name: string, args: WorkloadsArgs, kmsKeyArn: pulumi.Output<string>, accountId: pulumi.Output<string>): aws.s3.Bucket {
        const child = { parent: this };
        // Bucket names are global: the account id keeps them unique. Both are versioned; dev force-destroys
        // them (every version) so `pulumi destroy` never stops on BucketNotEmpty.
        const logs = hardenedBucket(
            `${name}-scraper-logs`,
            {
                bucketName: accountId.apply((a) => physicalName(args.stack, `scraper-logs-${a}`, "s3Bucket")),
                protect: args.protect,
                // S3 cannot deliver server access logs to an SSE-KMS bucket.
                encryption: "AES256",
                versioning: true,
                lifecycleRules: [
                    {
                        id: "log-retention",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.logRetentionDays },
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
                    },
                ],
                policy: "later",
                previousNames: { "public-access-block": `${name}-scraper-logs-public-access` },
            },
            child,
        );
        const { bucket } = hardenedBucket(
            `${name}-scraper-bucket`,
            {
                bucketName: accountId.apply((a) => physicalName(args.stack, `scraper-${a}`, "s3Bucket")),
                protect: args.protect,
                encryption: { kmsKeyArn },
                versioning: true,
                lifecycleRules: [
                    {
                        id: "old-versions-and-failed-uploads",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
                    },
                ],
                accessLogs: { targetBucket: logs.bucket.bucket, targetPrefix: ACCESS_LOG_PREFIX },
                policy: (arn) => arn.apply((a) => bucketPolicy(a)),
                previousNames: { "public-access-block": `${name}-scraper-bucket-public-access` },
            },
            child,
        );
        logs.attachPolicy(
            pulumi.all([logs.bucket.arn, bucket.arn, accountId]).apply(([logArn, srcArn, a]) => bucketPolicy(logArn, [logDeliveryStatement(logArn, srcArn, a, ACCESS_LOG_PREFIX)])),
        );
        return bucket;
    }
}
