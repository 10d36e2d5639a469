/**
 * Recommendations' pure parts: the Avro schemas of the Personalize datasets (as Personalize reads
 * them) with their checks, and the trust, access, bucket and key policies. Recommendations
 * (recommendations.ts) builds on them; tests read them without mocks.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../../lib/naming";
import { accountKeyStatement } from "../../lib/kms";
import { physicalName } from "../../lib/naming";
import { denyInsecureTransport, logDeliveryStatement } from "../../lib/s3";
import { PolicyDocument, PolicyStatement } from "../../lib/irsaRole";
import { PERSONALIZE_ENV } from "../../lib/serviceContract";
import { serviceTrustPolicy } from "../../lib/servicePolicy";

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

/** ARN prefix of this account's Personalize resources in the recommendations region. */
function personalizeArn(partition: string, region: string, accountId: string, resource: string): string {
    return `arn:${partition}:personalize:${region}:${accountId}:${resource}`;
}

/** `personalizeArn` for values known only at deployment (partition and account from data sources). */
function personalizeArnOutput(partition: pulumi.Input<string>, region: string, accountId: pulumi.Input<string>, resource: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:personalize:${region}:${accountId}:${resource}`;
}

/**
 * Personalize assumes the role only on behalf of this account's Personalize resources in the recommendations region
 * (aws:SourceAccount and aws:SourceArn, against the confused deputy).
 */
export function personalizeTrustPolicy(partition: string, region: string, accountId: string): string {
    return serviceTrustPolicy("personalize.amazonaws.com", { sourceAccount: accountId, sourceArn: personalizeArn(partition, region, accountId, "*") });
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

/**
 * Environment variables of the REST API pods (the service contract's names): where to send live
 * events, which dataset group serves them, and the region Personalize runs in.
 */
export const API_ENV = PERSONALIZE_ENV;
