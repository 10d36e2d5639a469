/**
 * What viewers are recommended (docs/decisions.md#personalize-aws-native): an Amazon Personalize dataset group with the interactions, items
 * (dramas) and users datasets and their schemas, an event tracker for live interactions, an encrypted
 * private S3 bucket for training data, the role Personalize assumes to read it, and (optionally) the
 * permissions of the API service to send events and read recommendations. Personalize exists only in
 * `@pulumi/aws-native` (Cloud Control); solutions, campaigns and import jobs need trained data and
 * belong to the ML pipeline (docs/recommendations.md).
 */
import * as aws from "@pulumi/aws";
// By subpath: the package root loads every AWS service (docs/decisions.md#offline-testing).
import * as personalize from "@pulumi/aws-native/personalize";
import type { Provider as AwsNativeProvider } from "@pulumi/aws-native/provider";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKey } from "../../lib/kms";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";
import { ServiceGrant } from "../../lib/contracts";
import { policyJson } from "../../lib/irsaRole";
import {
    accessLogBucketPolicy,
    API_ENV,
    apiAccessStatements,
    AvroSchema,
    DatasetKind,
    personalizeRolePolicy,
    personalizeTrustPolicy,
    schemaName,
    schemaProblems,
    SCHEMAS,
    trainingBucketPolicy,
    trainingKeyPolicy,
} from "./personalizeSpecs";

export interface RecommendationsArgs {
    /** Stack name, for physical names and the campaign name prefix. */
    stack: string;
    /**
     * The recommendations region (`flodrama:recommendations.region`, a region offering Personalize):
     * Personalize ARNs in the trust and access policies name it, and the REST API's pods get it.
     * The component's AWS provider (`{ provider }`) must be in this region: the training bucket, its
     * access-log bucket and the key are created through it, since Personalize reads them only there.
     */
    region: string;
    /** The Cloud Control provider in that region (lib/providers.ts `createRecommendationsProviders`), for the Personalize resources. */
    awsNativeProvider: AwsNativeProvider;
    /**
     * The stack's AWS provider, for the IAM role and its policy: IAM is global, and keeping the role on
     * the stack's provider means choosing another recommendations region never replaces it.
     */
    iamProvider: pulumi.ProviderResource;
    /** `protect` on the dataset group, datasets, key and buckets, and no force-destroy of the buckets. */
    protect: boolean;
    /** Days the S3 server access logs of the training bucket are kept (`logRetentionDays`). */
    logRetentionDays: number;
}

// ---- component ---------------------------------------------------------------------------------------

/** Where the training bucket's access logs go in the log bucket. */
export const ACCESS_LOG_PREFIX = "personalize-training/";

export class Recommendations extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:ml:Recommendations";

    readonly datasetGroupArn: pulumi.Output<string>;
    readonly datasetArns: Record<DatasetKind, pulumi.Output<string>>;
    readonly eventTrackerArn: pulumi.Output<string>;
    /** The tracking id the API sends with PutEvents (not a credential: IAM authorizes PutEvents). */
    readonly trackingId: pulumi.Output<string>;
    readonly trainingBucketName: pulumi.Output<string>;
    readonly trainingBucketArn: pulumi.Output<string>;
    readonly accessLogBucketName: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;
    /** The role Personalize assumes (dataset import jobs pass it as `roleArn`). */
    readonly roleArn: pulumi.Output<string>;
    /** What the REST API's pods and IRSA role get: live events to the tracker, this stack's campaigns and filters. */
    readonly apiGrant: ServiceGrant;

    constructor(name: string, args: RecommendationsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(Recommendations.__pulumiType, name, {}, opts);
        // Personalize resources take `awsNativeProvider`, the role `iamProvider`; the rest this component's
        // provider (the recommendations region), never a default AWS provider.
        requireAwsProvider(this, "Recommendations");
        for (const [kind, build] of Object.entries(SCHEMAS) as [DatasetKind, () => AvroSchema][]) {
            const problems = schemaProblems(build(), kind);
            if (problems.length > 0) {
                throw new Error(`recommendations: invalid Personalize schema:\n  ${problems.join("\n  ")}`);
            }
        }
        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });

        const key = this.createKey(name, args, account.accountId, partition.partition);
        const logBucket = this.createAccessLogBucket(name, args, account.accountId);
        const bucket = this.createTrainingBucket(name, args, key, logBucket, account.accountId);
        const { role, rolePolicy } = this.createRole(name, args, bucket, key, account.accountId, partition.partition);
        const group = this.createDatasetGroup(name, args, key, role, rolePolicy);
        const datasets = this.createDatasets(name, args, group);
        this.datasetArns = { Interactions: datasets.Interactions.datasetArn, Items: datasets.Items.datasetArn, Users: datasets.Users.datasetArn };
        const tracker = new personalize.EventTracker(
            `${name}-event-tracker`,
            { name: physicalName(args.stack, "live-events", "personalize"), datasetGroupArn: group.datasetGroupArn },
            // One tracker per dataset group: it needs the interactions dataset, and a replacement must delete first.
            { parent: this, provider: args.awsNativeProvider, dependsOn: [datasets.Interactions], deleteBeforeReplace: true },
        );
        // The REST API puts live events and reads recommendations: granted to its IRSA role and pods
        // by the workloads (built after this component), so its pods never start without them.
        this.apiGrant = {
            role: "rest-api",
            statements: apiAccessStatements(tracker.eventTrackerArn, partition.partition, args.region, account.accountId, args.stack),
            // The region too: the SDK would otherwise call Personalize in the pods' own region (AWS_REGION), where it may not exist.
            env: { [API_ENV.trackingId]: tracker.trackingId, [API_ENV.datasetGroupArn]: group.datasetGroupArn, [API_ENV.region]: args.region },
        };

        this.datasetGroupArn = group.datasetGroupArn;
        this.eventTrackerArn = tracker.eventTrackerArn;
        this.trackingId = tracker.trackingId;
        this.trainingBucketName = bucket.bucket;
        this.trainingBucketArn = bucket.arn;
        this.accessLogBucketName = logBucket.bucket;
        this.kmsKeyArn = key.arn;
        this.roleArn = role.arn;
        this.registerOutputs({
            datasetGroupArn: this.datasetGroupArn,
            datasetArns: this.datasetArns,
            eventTrackerArn: this.eventTrackerArn,
            trackingId: this.trackingId,
            trainingBucketName: this.trainingBucketName,
            trainingBucketArn: this.trainingBucketArn,
            accessLogBucketName: this.accessLogBucketName,
            kmsKeyArn: this.kmsKeyArn,
            roleArn: this.roleArn,
        });
    }

    /** One key for the training objects and the datasets Personalize stores: deleting it loses both. */
    private createKey(name: string, args: RecommendationsArgs, accountId: pulumi.Output<string>, partition: pulumi.Output<string>): aws.kms.Key {
        return customerManagedKey(
            `${name}-key`,
            {
                description: `Personalize training data and datasets of ${physicalName(args.stack, "recommendations", "personalize")}`,
                policy: pulumi.all([partition, accountId]).apply(([p, a]) => trainingKeyPolicy(p, a)),
                aliasName: physicalName(args.stack, "personalize", "kmsAlias"),
            },
            { key: { parent: this, protect: args.protect, retainOnDelete: args.protect }, alias: { parent: this } },
        );
    }

    /** Private, owner-enforced, public access blocked: the settings every bucket here shares. */
    private lockDown(name: string, bucket: aws.s3.Bucket): void {
        new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
    }

    /** S3 server access logs of the training bucket (FSBP S3.9). Log delivery supports SSE-S3 only on its target. */
    private createAccessLogBucket(name: string, args: RecommendationsArgs, accountId: pulumi.Output<string>): aws.s3.Bucket {
        const logName = `${name}-access-logs`;
        const bucket = new aws.s3.Bucket(
            logName,
            // Bucket names are global: the account id keeps them unique (as the site's and the scraper's).
            { bucket: accountId.apply((a) => physicalName(args.stack, `personalize-access-logs-${a}`, "s3Bucket")), forceDestroy: !args.protect },
            { parent: this, protect: args.protect },
        );
        this.lockDown(logName, bucket);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${logName}-encryption`,
            { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            { parent: this },
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${logName}-lifecycle`,
            {
                bucket: bucket.bucket,
                rules: [
                    { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.logRetentionDays } },
                    { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
                ],
            },
            { parent: this },
        );
        return bucket;
    }

    private createTrainingBucket(name: string, args: RecommendationsArgs, key: aws.kms.Key, logBucket: aws.s3.Bucket, accountId: pulumi.Output<string>): aws.s3.Bucket {
        const bucketName = `${name}-training`;
        const bucket = new aws.s3.Bucket(
            bucketName,
            // Exports of viewing history: never emptied by a routine destroy in prod.
            { bucket: accountId.apply((a) => physicalName(args.stack, `personalize-training-${a}`, "s3Bucket")), forceDestroy: !args.protect },
            { parent: this, protect: args.protect },
        );
        this.lockDown(bucketName, bucket);
        new aws.s3.BucketVersioning(`${bucketName}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${bucketName}-encryption`,
            // Bucket keys cut KMS requests (and cost) for the many objects an export writes.
            { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
            { parent: this },
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${bucketName}-lifecycle`,
            {
                bucket: bucket.bucket,
                rules: [
                    // Each import reads the current export; older versions only serve a rollback for a while.
                    { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
                    { id: "remove-expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
                    { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
                ],
            },
            { parent: this },
        );
        new aws.s3.BucketPolicy(
            `${bucketName}-policy`,
            { bucket: bucket.bucket, policy: pulumi.all([bucket.arn, accountId]).apply(([arn, a]) => trainingBucketPolicy(arn, a)) },
            { parent: this },
        );
        new aws.s3.BucketPolicy(
            `${name}-access-logs-policy`,
            { bucket: logBucket.bucket, policy: pulumi.all([logBucket.arn, bucket.arn, accountId]).apply(([l, s, a]) => accessLogBucketPolicy(l, s, a, ACCESS_LOG_PREFIX)) },
            { parent: this },
        );
        new aws.s3.BucketLogging(
            `${bucketName}-logging`,
            {
                bucket: bucket.bucket,
                targetBucket: logBucket.bucket,
                targetPrefix: ACCESS_LOG_PREFIX,
                targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
            },
            { parent: this },
        );
        return bucket;
    }

    private createRole(
        name: string,
        args: RecommendationsArgs,
        bucket: aws.s3.Bucket,
        key: aws.kms.Key,
        accountId: pulumi.Output<string>,
        partition: pulumi.Output<string>,
    ): { role: aws.iam.Role; rolePolicy: aws.iam.RolePolicy } {
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: physicalName(args.stack, "personalize", "iamRole"),
                description: "Assumed by Amazon Personalize to read this stack's training data",
                assumeRolePolicy: pulumi.all([partition, accountId]).apply(([p, a]) => personalizeTrustPolicy(p, args.region, a)),
                maxSessionDuration: 3600,
            },
            { parent: this, provider: args.iamProvider },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-role-policy`,
            { role: role.id, name: "training-data-read", policy: policyJson(personalizeRolePolicy(bucket.arn, key.arn)) },
            { parent: this, provider: args.iamProvider },
        );
        return { role, rolePolicy };
    }

    private createDatasetGroup(name: string, args: RecommendationsArgs, key: aws.kms.Key, role: aws.iam.Role, rolePolicy: aws.iam.RolePolicy): personalize.DatasetGroup {
        return new personalize.DatasetGroup(
            `${name}-dataset-group`,
            // Personalize checks at creation that the role can use the key: create the policy first.
            { name: physicalName(args.stack, "recommendations", "personalize"), kmsKeyArn: key.arn, roleArn: role.arn },
            { parent: this, provider: args.awsNativeProvider, protect: args.protect, dependsOn: [rolePolicy] },
        );
    }

    private createDatasets(name: string, args: RecommendationsArgs, group: personalize.DatasetGroup): Record<DatasetKind, personalize.Dataset> {
        const kinds: DatasetKind[] = ["Interactions", "Items", "Users"];
        const datasets = {} as Record<DatasetKind, personalize.Dataset>;
        for (const kind of kinds) {
            const lower = kind.toLowerCase();
            const avro = SCHEMAS[kind]();
            const schema = new personalize.Schema(
                `${name}-${lower}-schema`,
                { name: schemaName(args.stack, kind, avro), schema: JSON.stringify(avro) },
                { parent: this, provider: args.awsNativeProvider },
            );
            datasets[kind] = new personalize.Dataset(
                `${name}-${lower}`,
                {
                    name: physicalName(args.stack, lower, "personalize"),
                    datasetGroupArn: group.datasetGroupArn,
                    datasetType: kind,
                    schemaArn: schema.schemaArn,
                },
                // The dataset holds what was imported: protect it in prod. Its name is fixed, so a replacement deletes first.
                { parent: this, provider: args.awsNativeProvider, protect: args.protect, deleteBeforeReplace: true },
            );
        }
        return datasets;
    }
}
