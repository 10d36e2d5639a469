/**
 * What viewers are recommended (D6): an Amazon Personalize dataset group with the interactions, items
 * (dramas) and users datasets and their schemas, an event tracker for live interactions, an encrypted
 * private S3 bucket for training data, the role Personalize assumes to read it, and (optionally) the
 * permissions of the API service to send events and read recommendations. Personalize exists only in
 * `@pulumi/aws-native` (Cloud Control); solutions, campaigns and import jobs need trained data and
 * belong to the ML pipeline (docs/recommendations.md).
 */
import { createHash } from "crypto";
import * as aws from "@pulumi/aws";
// By subpath: the package root loads every AWS service (shared/TESTING.md).
import * as personalize from "@pulumi/aws-native/personalize";
import type { Provider as AwsNativeProvider } from "@pulumi/aws-native/provider";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../lib/naming";
import { accountKeyStatement } from "../lib/kms";
import { physicalName } from "../lib/naming";
import { requireAwsProvider } from "../lib/providers";
import { denyInsecureTransport, logDeliveryStatement } from "../lib/s3";
import { ServiceGrant } from "../lib/contracts";
import { PolicyDocument, PolicyStatement, policyJson } from "./irsaRole";

export interface RecommendationsArgs {
    /** Stack name, for physical names and the campaign name prefix. */
    stack: string;
    /** The stack's region (`aws:region`): Personalize ARNs in trust and access policies name it. */
    region: string;
    /** The Cloud Control provider (lib/providers.ts `createAwsNativeProvider`) for the Personalize resources. */
    awsNativeProvider: AwsNativeProvider;
    /** `protect` on the dataset group, datasets, key and buckets, and no force-destroy of the buckets. */
    protect: boolean;
    /** Days the S3 server access logs of the training bucket are kept (`logRetentionDays`). */
    logRetentionDays: number;
}

// ---- schemas (Avro, as Personalize reads them) -------------------------------------------------------

export type DatasetKind = "Interactions" | "Items" | "Users";

type AvroPrimitive = "string" | "int" | "long" | "float" | "double" | "boolean";
export interface AvroField {
    name: string;
    type: AvroPrimitive | ["null", AvroPrimitive];
    /** Personalize: a string field whose values are categories (`|` separates several, e.g. `drama|romance`). */
    categorical?: boolean;
    /** Personalize: unstructured text (item descriptions), used by the text-aware recipes. */
    textual?: boolean;
}
export interface AvroSchema {
    type: "record";
    name: DatasetKind;
    namespace: "com.amazonaws.personalize.schema";
    fields: AvroField[];
    version: "1.0";
}

function record(name: DatasetKind, fields: AvroField[]): AvroSchema {
    return { type: "record", name, namespace: "com.amazonaws.personalize.schema", fields, version: "1.0" };
}

/**
 * What viewers do: `EVENT_TYPE` is `watch`, `complete`, `like`, `add-to-list`, `rate`...; `EVENT_VALUE`
 * the share watched or the rating; `DEVICE` the client (web, tv, mobile) as a context feature.
 */
export function interactionsSchema(): AvroSchema {
    return record("Interactions", [
        { name: "USER_ID", type: "string" },
        { name: "ITEM_ID", type: "string" },
        { name: "TIMESTAMP", type: "long" },
        { name: "EVENT_TYPE", type: "string" },
        { name: "EVENT_VALUE", type: ["null", "float"] },
        { name: "DEVICE", type: ["null", "string"], categorical: true },
    ]);
}

/** The catalogue: one row per drama, with the features viewers choose by. */
export function itemsSchema(): AvroSchema {
    return record("Items", [
        { name: "ITEM_ID", type: "string" },
        { name: "GENRES", type: "string", categorical: true },
        { name: "COUNTRY", type: "string", categorical: true },
        { name: "RELEASE_YEAR", type: "int" },
        { name: "LANGUAGE", type: ["null", "string"], categorical: true },
        { name: "CONTENT_TYPE", type: "string", categorical: true },
        { name: "EPISODE_COUNT", type: ["null", "int"] },
        { name: "CONTENT_RATING", type: ["null", "string"], categorical: true },
        // When the drama was added: lets recipes favour new titles (cold start).
        { name: "CREATION_TIMESTAMP", type: "long" },
        { name: "DESCRIPTION", type: ["null", "string"], textual: true },
    ]);
}

/** Viewers: their subscription plan (the Cognito plan group) and coarse, non-identifying preferences. */
export function usersSchema(): AvroSchema {
    return record("Users", [
        { name: "USER_ID", type: "string" },
        { name: "PLAN", type: "string", categorical: true },
        { name: "COUNTRY", type: ["null", "string"], categorical: true },
        { name: "PREFERRED_LANGUAGE", type: ["null", "string"], categorical: true },
    ]);
}

export const SCHEMAS: Record<DatasetKind, () => AvroSchema> = { Interactions: interactionsSchema, Items: itemsSchema, Users: usersSchema };

/** The fields Personalize requires per dataset type, with their types. */
export const REQUIRED_FIELDS: Record<DatasetKind, Record<string, AvroPrimitive>> = {
    Interactions: { USER_ID: "string", ITEM_ID: "string", TIMESTAMP: "long" },
    Items: { ITEM_ID: "string" },
    Users: { USER_ID: "string" },
};

/**
 * Problems that Personalize would reject the schema for (empty when valid): the Avro record shape, the
 * required fields and their types, metadata fields on Items and Users, categorical and textual fields
 * being strings, field names as Avro and Personalize allow them, and the field limits.
 */
export function schemaProblems(schema: AvroSchema, kind: DatasetKind): string[] {
    const problems: string[] = [];
    const primitives = ["string", "int", "long", "float", "double", "boolean"];
    if (schema.type !== "record" || schema.name !== kind || schema.namespace !== "com.amazonaws.personalize.schema" || schema.version !== "1.0") {
        problems.push(`${kind}: not a Personalize Avro record (type, name, namespace, version)`);
    }
    const names = schema.fields.map((f) => f.name);
    if (new Set(names).size !== names.length) {
        problems.push(`${kind}: duplicate field names`);
    }
    for (const f of schema.fields) {
        const base = Array.isArray(f.type) ? f.type[1] : f.type;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.name)) {
            problems.push(`${kind}.${f.name}: not an Avro name`);
        }
        if (!primitives.includes(base) || (Array.isArray(f.type) && (f.type.length !== 2 || f.type[0] !== "null"))) {
            problems.push(`${kind}.${f.name}: type ${JSON.stringify(f.type)} is not a primitive or ["null", primitive]`);
        }
        if ((f.categorical || f.textual) && base !== "string") {
            problems.push(`${kind}.${f.name}: categorical and textual fields must be strings`);
        }
    }
    for (const [name, type] of Object.entries(REQUIRED_FIELDS[kind])) {
        const f = schema.fields.find((x) => x.name === name);
        if (!f || f.type !== type) {
            problems.push(`${kind}: required field ${name} of type ${type} (not nullable)`);
        }
    }
    if (kind === "Interactions" && !schema.fields.some((f) => f.name === "EVENT_TYPE" && f.type === "string")) {
        problems.push("Interactions: EVENT_TYPE (string) lets recipes weigh watches against likes");
    }
    const metadata = schema.fields.filter((f) => !(f.name in REQUIRED_FIELDS[kind]));
    if (kind !== "Interactions" && metadata.length === 0) {
        problems.push(`${kind}: at least one metadata field besides the id`);
    }
    const limit = kind === "Items" ? 100 : kind === "Users" ? 25 : 20;
    if (metadata.length > limit) {
        problems.push(`${kind}: at most ${limit} metadata fields, found ${metadata.length}`);
    }
    return problems;
}

/** The schema's physical name carries a digest of its content: a changed schema is a new schema, created before the old one goes. */
export function schemaName(stack: string, kind: DatasetKind, schema: AvroSchema): string {
    const digest = createHash("sha256").update(JSON.stringify(schema)).digest("hex").slice(0, 8);
    return physicalName(stack, `${kind.toLowerCase()}-${digest}`, "personalize");
}

// ---- policies ---------------------------------------------------------------------------------------

/** ARN prefix of this account's Personalize resources in the stack's region. */
function personalizeArn(partition: string, region: string, accountId: string, resource: string): string {
    return `arn:${partition}:personalize:${region}:${accountId}:${resource}`;
}

/** `personalizeArn` for values known only at deployment (partition and account from data sources). */
function personalizeArnOutput(partition: pulumi.Input<string>, region: string, accountId: pulumi.Input<string>, resource: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:personalize:${region}:${accountId}:${resource}`;
}

/**
 * Personalize assumes the role only on behalf of this account's Personalize resources in this region
 * (aws:SourceAccount and aws:SourceArn, against the confused deputy).
 */
export function personalizeTrustPolicy(partition: string, region: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "personalize.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ArnLike: { "aws:SourceArn": personalizeArn(partition, region, accountId, "*") },
                },
            },
        ],
    });
}

/** The role's permissions: list and read the training bucket, use its key. Nothing else (no write, no other bucket). */
export function personalizeRolePolicy(bucketArn: pulumi.Input<string>, keyArn: pulumi.Input<string>): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ListTrainingBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
            { Sid: "ReadTrainingData", Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${bucketArn}/*` },
            { Sid: "UseTrainingKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants"], Resource: keyArn },
        ],
    };
}

/**
 * The training bucket's policy: TLS only, and read access for the Personalize service on behalf of
 * this account only (import jobs read through the service principal as well as the role).
 */
export function trainingBucketPolicy(bucketArn: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            denyInsecureTransport(bucketArn),
            {
                Sid: "PersonalizeReadsTrainingData",
                Effect: "Allow",
                Principal: { Service: "personalize.amazonaws.com" },
                Action: ["s3:GetObject", "s3:ListBucket"],
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    });
}

/** The access-log bucket's policy: TLS only, and S3 log delivery from the training bucket of this account only. */
export function accessLogBucketPolicy(logBucketArn: string, sourceBucketArn: string, accountId: string, prefix: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [denyInsecureTransport(logBucketArn), logDeliveryStatement(logBucketArn, sourceBucketArn, accountId, prefix)],
    });
}

/**
 * The key of the training data and the datasets. The account administers it and grants its use through
 * IAM (the Personalize role's policy); the Personalize service itself uses it on this account's behalf
 * only, including the grants it creates for training.
 */
export function trainingKeyPolicy(partition: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            accountKeyStatement(partition, accountId),
            {
                Sid: "PersonalizeUsesKeyForThisAccount",
                Effect: "Allow",
                Principal: { Service: "personalize.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    });
}

/** Prefix that the ML pipeline gives campaign and filter names, so the API's access covers this stack's only. */
export function campaignNamePrefix(stack: string): string {
    return `${PROJECT}-${stack}-`;
}

/**
 * What the API service may do: send live interactions to this stack's tracker, and get
 * recommendations and rankings from this stack's campaigns (with its filters). No training, no data
 * import, no other stack's campaigns.
 */
export function apiAccessPolicy(eventTrackerArn: pulumi.Input<string>, partition: pulumi.Input<string>, region: string, accountId: pulumi.Input<string>, stack: string): PolicyDocument {
    return { Version: "2012-10-17", Statement: apiAccessStatements(eventTrackerArn, partition, region, accountId, stack) };
}

/** The statements of `apiAccessPolicy`, granted to the REST API's IRSA role through `ServiceGrant`. */
export function apiAccessStatements(eventTrackerArn: pulumi.Input<string>, partition: pulumi.Input<string>, region: string, accountId: pulumi.Input<string>, stack: string): PolicyStatement[] {
    const prefix = campaignNamePrefix(stack);
    const arn = (resource: string) =>
        typeof partition === "string" && typeof accountId === "string" ? personalizeArn(partition, region, accountId, resource) : personalizeArnOutput(partition, region, accountId, resource);
    return [
        { Sid: "PutLiveEvents", Effect: "Allow", Action: "personalize:PutEvents", Resource: eventTrackerArn },
        {
            Sid: "ReadRecommendations",
            Effect: "Allow",
            Action: ["personalize:GetRecommendations", "personalize:GetPersonalizedRanking"],
            Resource: [arn(`campaign/${prefix}*`), arn(`filter/${prefix}*`)],
        },
    ];
}

/** Environment variables of the REST API pods: where to send live events, which dataset group serves them. */
export const API_ENV = { trackingId: "PERSONALIZE_TRACKING_ID", datasetGroupArn: "PERSONALIZE_DATASET_GROUP_ARN" } as const;

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
        // Personalize resources take `awsNativeProvider`; everything else must not fall back to a default AWS provider.
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
            env: { [API_ENV.trackingId]: tracker.trackingId, [API_ENV.datasetGroupArn]: group.datasetGroupArn },
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
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Personalize training data and datasets of ${physicalName(args.stack, "recommendations", "personalize")}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.all([partition, accountId]).apply(([p, a]) => trainingKeyPolicy(p, a)),
            },
            { parent: this, protect: args.protect, retainOnDelete: args.protect },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${physicalName(args.stack, "personalize", "kmsAlias")}`, targetKeyId: key.keyId }, { parent: this });
        return key;
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
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-role-policy`,
            { role: role.id, name: "training-data-read", policy: policyJson(personalizeRolePolicy(bucket.arn, key.arn)) },
            { parent: this },
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
