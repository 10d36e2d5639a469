/**
 * Personalize recommendations (docs/decisions.md#personalize-aws-native): the Avro schemas, the trust, access, bucket and key
 * policies (parsed and checked for wildcards and scope), the component alone under mocks (with the API
 * role's access), and the wired program for both stack files.
 */
import { strict as assert } from "assert";
import { expectedTlsOnlyStatement } from "../expectations";
import { ACCESS_LOG_PREFIX, Recommendations } from "../../components/recommendations/recommendations";
import {
    accessLogBucketPolicy,
    API_ENV,
    apiAccessPolicy,
    AvroSchema,
    campaignNamePrefix,
    DatasetKind,
    interactionsSchema,
    itemsSchema,
    personalizeRolePolicy,
    personalizeTrustPolicy,
    REQUIRED_FIELDS,
    SCHEMAS,
    schemaName,
    schemaProblems,
    trainingBucketPolicy,
    trainingKeyPolicy,
    usersSchema,
} from "../../components/recommendations/personalizeSpecs";
import { policyJson } from "../../lib/irsaRole";
import { ACCOUNT_ID } from "../../offline/mocks";
import { PERSONALIZE_ENV } from "../../lib/serviceContract";
import { RESERVED_ENV_NAMES } from "../../components/workloads/config";
import { estimateCost, loadPrices, quantitiesOf } from "../../offline/cost";
import { ProgramRun, RecordedResource, runProgram, simulate, stackNames, valueOf } from "../../offline/harness";
import { wildcardActions } from "../../policy/aws/iam";

const KINDS: DatasetKind[] = ["Interactions", "Items", "Users"];
const BUCKET_ARN = "arn:aws:s3:::flodrama-test-personalize-training";
const KEY_ARN = `arn:aws:kms:eu-west-3:${ACCOUNT_ID}:key/abc`;
const TRACKER_ARN = `arn:aws:personalize:eu-west-3:${ACCOUNT_ID}:event-tracker/flodrama-test-live-events`;

const T = {
    group: "aws-native:personalize:DatasetGroup",
    schema: "aws-native:personalize:Schema",
    dataset: "aws-native:personalize:Dataset",
    tracker: "aws-native:personalize:EventTracker",
    bucket: "aws:s3/bucket:Bucket",
    bpa: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    logging: "aws:s3/bucketLogging:BucketLogging",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    key: "aws:kms/key:Key",
};

const asArray = <X>(x: X | X[]): X[] => (Array.isArray(x) ? x : [x]);

/** Every Allow statement's resources: none may be a bare `*` in an identity policy. */
function allowedResources(doc: any): string[] {
    return doc.Statement.filter((s: any) => s.Effect === "Allow").flatMap((s: any) => asArray(s.Resource));
}

describe("recommendations: schemas", () => {
    for (const kind of KINDS) {
        it(`${kind}: a valid Personalize Avro record with the required fields`, () => {
            const schema = SCHEMAS[kind]();
            assert.deepEqual(schemaProblems(schema, kind), []);
            // What Personalize receives is JSON: it must survive the trip unchanged.
            const parsed = JSON.parse(JSON.stringify(schema));
            assert.equal(parsed.type, "record");
            assert.equal(parsed.name, kind);
            assert.equal(parsed.namespace, "com.amazonaws.personalize.schema");
            assert.equal(parsed.version, "1.0");
            for (const [field, type] of Object.entries(REQUIRED_FIELDS[kind])) {
                assert.equal(parsed.fields.find((f: any) => f.name === field)?.type, type, `${kind}.${field}`);
            }
        });
    }

    it("describes dramas by genre, country and year, and viewers by plan", () => {
        const items = Object.fromEntries(itemsSchema().fields.map((f) => [f.name, f]));
        assert.equal(items.GENRES.categorical, true);
        assert.equal(items.COUNTRY.categorical, true);
        assert.equal(items.RELEASE_YEAR.type, "int");
        assert.equal(items.CREATION_TIMESTAMP.type, "long");
        assert.equal(items.DESCRIPTION.textual, true);
        const users = Object.fromEntries(usersSchema().fields.map((f) => [f.name, f]));
        assert.deepEqual(users.PLAN, { name: "PLAN", type: "string", categorical: true });
        const interactions = interactionsSchema().fields.map((f) => f.name);
        assert.deepEqual(interactions.slice(0, 4), ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]);
    });

    it("reports the schemas Personalize would reject", () => {
        const broken = (kind: DatasetKind, edit: (s: AvroSchema) => void) => {
            const s = structuredClone(SCHEMAS[kind]());
            edit(s);
            return schemaProblems(s, kind);
        };
        assert.ok(broken("Interactions", (s) => (s.fields = s.fields.filter((f) => f.name !== "TIMESTAMP"))).some((p) => /TIMESTAMP/.test(p)));
        assert.ok(broken("Users", (s) => (s.fields[0].type = ["null", "string"])).some((p) => /USER_ID/.test(p)));
        assert.ok(broken("Items", (s) => (s.fields.find((f) => f.name === "RELEASE_YEAR")!.categorical = true)).some((p) => /must be strings/.test(p)));
        assert.ok(broken("Items", (s) => (s.fields = s.fields.slice(0, 1))).some((p) => /metadata field/.test(p)));
        assert.ok(broken("Users", (s) => (s.name = "Items" as DatasetKind)).some((p) => /Avro record/.test(p)));
        assert.ok(broken("Items", (s) => s.fields.push({ ...s.fields[1] })).some((p) => /duplicate/.test(p)));
        assert.ok(broken("Items", (s) => (s.fields[1].type = ["string", "null"] as any)).some((p) => /primitive/.test(p)));
    });

    it("names each schema after its content, within Personalize's 63 characters", () => {
        const a = schemaName("prod", "Items", itemsSchema());
        assert.match(a, /^flodrama-prod-items-[0-9a-f]{8}$/);
        const changed = structuredClone(itemsSchema());
        changed.fields.push({ name: "STUDIO", type: ["null", "string"], categorical: true });
        assert.notEqual(schemaName("prod", "Items", changed), a);
        assert.equal(schemaName("prod", "Items", itemsSchema()), a, "stable for the same content");
        assert.ok(schemaName("a-very-long-stack-name-for-testing-limits", "Interactions", interactionsSchema()).length <= 63);
    });
});

describe("recommendations: policies", () => {
    it("lets only Personalize assume the role, for this account and region", () => {
        const doc = JSON.parse(personalizeTrustPolicy("aws", "eu-west-3", ACCOUNT_ID));
        assert.equal(doc.Statement.length, 1);
        const s = doc.Statement[0];
        assert.deepEqual(s.Principal, { Service: "personalize.amazonaws.com" });
        assert.equal(s.Action, "sts:AssumeRole");
        assert.deepEqual(s.Condition, {
            StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
            ArnLike: { "aws:SourceArn": `arn:aws:personalize:eu-west-3:${ACCOUNT_ID}:*` },
        });
    });

    it("gives the role read access to the training bucket and its key, nothing else", async () => {
        const doc = JSON.parse(await valueOf(policyJson(personalizeRolePolicy(BUCKET_ARN, KEY_ARN))));
        assert.deepEqual(wildcardActions(doc), []);
        const actions = doc.Statement.flatMap((s: any) => asArray(s.Action)).sort();
        assert.deepEqual(actions, ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:ListGrants", "s3:GetObject", "s3:ListBucket"]);
        assert.ok(!actions.some((a: string) => /^s3:(Put|Delete)/.test(a)), "no write");
        assert.deepEqual(allowedResources(doc).sort(), [BUCKET_ARN, `${BUCKET_ARN}/*`, KEY_ARN].sort());
    });

    it("lets the API put events to its tracker and read this stack's campaigns only", async () => {
        const doc = JSON.parse(await valueOf(policyJson(apiAccessPolicy(TRACKER_ARN, "aws", "eu-west-3", ACCOUNT_ID, "test"))));
        assert.deepEqual(wildcardActions(doc), []);
        const byAction = new Map<string, string[]>();
        for (const s of doc.Statement) {
            assert.equal(s.Effect, "Allow");
            for (const a of asArray(s.Action) as string[]) {
                byAction.set(a, asArray(s.Resource));
            }
        }
        assert.deepEqual([...byAction.keys()].sort(), ["personalize:GetPersonalizedRanking", "personalize:GetRecommendations", "personalize:PutEvents"]);
        assert.deepEqual(byAction.get("personalize:PutEvents"), [TRACKER_ARN]);
        assert.equal(campaignNamePrefix("test"), "flodrama-test-");
        for (const r of byAction.get("personalize:GetRecommendations")!) {
            assert.match(r, new RegExp(`^arn:aws:personalize:eu-west-3:${ACCOUNT_ID}:(campaign|filter)/flodrama-test-\\*$`));
        }
        assert.ok(!allowedResources(doc).includes("*"));
    });

    it("makes the training bucket TLS-only and readable by Personalize for this account only", () => {
        const doc = JSON.parse(trainingBucketPolicy(BUCKET_ARN, ACCOUNT_ID));
        const deny = doc.Statement.find((s: any) => s.Effect === "Deny");
        assert.deepEqual(deny.Resource, [BUCKET_ARN, `${BUCKET_ARN}/*`]);
        assert.equal(deny.Action, "s3:*");
        assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
        const allows = doc.Statement.filter((s: any) => s.Effect === "Allow");
        assert.equal(allows.length, 1);
        assert.deepEqual(allows[0].Principal, { Service: "personalize.amazonaws.com" });
        assert.deepEqual(allows[0].Action.sort(), ["s3:GetObject", "s3:ListBucket"]);
        assert.deepEqual(allows[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
    });

    it("lets S3 deliver the training bucket's access logs, and nothing else, into the log bucket", () => {
        const logArn = "arn:aws:s3:::flodrama-test-personalize-access-logs";
        const doc = JSON.parse(accessLogBucketPolicy(logArn, BUCKET_ARN, ACCOUNT_ID, ACCESS_LOG_PREFIX));
        const allow = doc.Statement.find((s: any) => s.Effect === "Allow");
        assert.deepEqual(allow.Principal, { Service: "logging.s3.amazonaws.com" });
        assert.equal(allow.Action, "s3:PutObject");
        assert.equal(allow.Resource, `${logArn}/${ACCESS_LOG_PREFIX}*`);
        assert.deepEqual(allow.Condition, { ArnLike: { "aws:SourceArn": BUCKET_ARN }, StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
        assert.ok(doc.Statement.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
    });

    it("writes a key policy without a public principal or kms:*, Personalize bound to this account", () => {
        const doc = JSON.parse(trainingKeyPolicy("aws", ACCOUNT_ID));
        for (const s of doc.Statement) {
            assert.ok(s.Principal !== "*" && s.Principal.AWS !== "*");
            assert.ok(!asArray(s.Action).includes("kms:*") && !asArray(s.Action).includes("*"));
        }
        const svc = doc.Statement.find((s: any) => s.Principal.Service === "personalize.amazonaws.com");
        assert.deepEqual(svc.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
        assert.ok(svc.Action.includes("kms:CreateGrant"), "Personalize creates grants for training");
    });
});

describe("recommendations: the component alone, with its grant to the REST API", () => {
    let resources: RecordedResource[];
    let rec: Recommendations;
    before(async () => {
        ({ resources } = await simulate("dev", () => {
            const aws = require("@pulumi/aws");
            const { Provider } = require("@pulumi/aws-native/provider");
            // The stack in Paris, recommendations in Frankfurt (Personalize is not offered in eu-west-3).
            const iamProvider = new aws.Provider("test-stack", { region: "eu-west-3" });
            const provider = new aws.Provider("test-aws", { region: "eu-central-1" });
            const awsNativeProvider = new Provider("test-native", { region: "eu-central-1" });
            rec = new Recommendations(
                "rt",
                { stack: "test", region: "eu-central-1", awsNativeProvider, iamProvider, protect: true, logRetentionDays: 90 },
                { provider },
            );
        }));
    });

    const of = (type: string) => resources.filter((r) => r.type === type);
    const named = (type: string, name: string) => {
        const found = of(type).filter((r) => r.name === name);
        assert.equal(found.length, 1, `${type} ${name}`);
        return found[0];
    };

    it("creates Personalize on the aws-native provider, the IAM role on the stack's provider, buckets and key on the recommendations region's", () => {
        for (const r of resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            const expected = r.type.startsWith("aws-native:") ? "::test-native" : r.type.startsWith("aws:iam/") ? "::test-stack" : "::test-aws";
            assert.ok(r.provider?.endsWith(expected), `${r.type} ${r.name} on ${r.provider}`);
            assert.ok(r.name.startsWith("rt-"), r.name);
        }
        assert.equal(of(T.dataset).length, 3);
        assert.equal(of(T.schema).length, 3);
    });

    it("grants the REST API its tracker and this stack's campaigns, and attaches no policy itself", async () => {
        assert.equal(rec.apiGrant.role, "rest-api");
        const doc = JSON.parse(await valueOf(policyJson({ Version: "2012-10-17", Statement: rec.apiGrant.statements })));
        const tracker = named(T.tracker, "rt-event-tracker");
        assert.match(tracker.state.eventTrackerArn, /^arn:aws:personalize:eu-central-1:/);
        assert.deepEqual(doc, JSON.parse(await valueOf(policyJson(apiAccessPolicy(tracker.state.eventTrackerArn, "aws", "eu-central-1", ACCOUNT_ID, "test")))));
        for (const r of doc.Statement.flatMap((x: any) => asArray(x.Resource))) {
            assert.match(r, /^arn:aws:personalize:eu-central-1:/, "every Personalize ARN the API may use is in the recommendations region");
        }
        assert.deepEqual(wildcardActions(doc), []);
        assert.deepEqual(Object.keys(rec.apiGrant.env).sort(), [API_ENV.datasetGroupArn, API_ENV.region, API_ENV.trackingId]);
        assert.equal(API_ENV.region, PERSONALIZE_ENV.region, "the service contract's name");
        assert.equal(await valueOf(rec.apiGrant.env[API_ENV.region]), "eu-central-1");
        for (const name of Object.values(API_ENV)) {
            assert.ok(RESERVED_ENV_NAMES.includes(name), `${name} is reserved: a service's config env cannot shadow it`);
        }
        assert.equal(await valueOf(rec.apiGrant.env[API_ENV.trackingId]), tracker.state.trackingId);
        assert.equal(await valueOf(rec.apiGrant.env[API_ENV.datasetGroupArn]), named(T.group, "rt-dataset-group").state.datasetGroupArn);
        assert.ok(!of(T.rolePolicy).some((p) => /personalize:PutEvents/.test(p.inputs.policy)), "the workloads attach the grant, not this component");
    });

    it("protects the data (dataset group, datasets, key, buckets) and keeps the buckets from a forced destroy", () => {
        for (const r of [...of(T.group), ...of(T.dataset), ...of(T.key), ...of(T.bucket)]) {
            assert.equal(r.protect, true, r.name);
        }
        for (const b of of(T.bucket)) {
            assert.equal(b.inputs.forceDestroy, false);
        }
        assert.equal(named(T.key, "rt-key").retainOnDelete, true);
    });

    it("refuses to run without an explicit AWS provider", async () => {
        await assert.rejects(
            simulate("dev", () => {
                const { Provider } = require("@pulumi/aws-native/provider");
                const awsNativeProvider = new Provider("test-native-2", { region: "eu-central-1" });
                const iamProvider = new (require("@pulumi/aws").Provider)("test-stack-2", { region: "eu-west-3" });
                return new Recommendations("noprov", { stack: "test", region: "eu-central-1", awsNativeProvider, iamProvider, protect: false, logRetentionDays: 30 });
            }),
            /needs the stack's AWS provider/,
        );
    });

    it("exposes the dataset group, bucket, role and tracker", async () => {
        assert.equal(await valueOf(rec.datasetGroupArn), `arn:aws:personalize:eu-central-1:${ACCOUNT_ID}:dataset-group/flodrama-test-recommendations`);
        assert.equal(await valueOf(rec.trainingBucketName), `flodrama-test-personalize-training-${ACCOUNT_ID}`);
        assert.equal(await valueOf(rec.roleArn), `arn:aws:iam::${ACCOUNT_ID}:role/flodrama-test-personalize`);
        assert.equal(await valueOf(rec.trackingId), "0a1b2c3d-offline-tracking-id");
        assert.match(await valueOf(rec.datasetArns.Items), /:dataset\/flodrama-test-items\/Items$/);
    });
});

for (const stack of stackNames()) {
    describe(`recommendations on stack ${stack}`, () => {
        let run: ProgramRun;
        let protect: boolean;
        let region: string;
        before(async () => {
            run = await runProgram(stack);
            protect = JSON.parse(run.config["flodrama:protectStatefulResources"]);
            region = String(run.outputs.recommendationsRegion);
        });
        const companion = (type: string, bucket: RecordedResource) => {
            const found = run.ofType(type).filter((r) => r.inputs.bucket === bucket.inputs.bucket);
            assert.equal(found.length, 1, `${type} of ${bucket.name}`);
            return found[0];
        };

        it("builds the aws and aws-native providers in the recommendations region, with the stack's default tags", () => {
            // Both stacks are in eu-west-3, which lacks Personalize: the default is the nearest region offering it.
            assert.equal(run.config["aws:region"], "eu-west-3");
            assert.equal(region, "eu-central-1");
            const p = run.one("pulumi:providers:aws-native");
            assert.equal(p.name, `aws-native-${region}`);
            assert.equal(p.inputs.region, region);
            const regional = run.one("pulumi:providers:aws", `aws-${region}`);
            assert.equal(regional.inputs.region, region);
            for (const provider of [p, regional]) {
                const tags = JSON.parse(provider.inputs.defaultTags).tags;
                assert.deepEqual(tags, JSON.parse(run.one("pulumi:providers:aws", "aws").inputs.defaultTags).tags, provider.name);
                assert.equal(tags.Stack, stack);
                assert.equal(tags.Project, "flodrama");
            }
            for (const r of run.resources.filter((x) => x.type.startsWith("aws-native:"))) {
                assert.equal(r.provider, p.urn, r.name);
            }
        });

        it("creates every Personalize resource, both buckets (with their settings) and the key in the recommendations region; the IAM role stays on the stack's provider", () => {
            const providerRegion = new Map(run.resources.filter((r) => r.type.startsWith("pulumi:providers:aws")).map((r) => [r.urn, r.inputs.region]));
            const mine = run.resources.filter((r) => r.custom && r.parent?.includes("flodrama:ml:Recommendations"));
            assert.ok(mine.length > 25, `${mine.length} resources`);
            for (const r of mine) {
                const at = providerRegion.get(r.provider ?? "");
                const expected = r.type.startsWith("aws:iam/") ? run.config["aws:region"] : region;
                assert.equal(at, expected, `${r.type} ${r.name}`);
            }
            assert.ok(mine.some((r) => r.type === T.key) && mine.filter((r) => r.type === T.bucket).length === 2);
            assert.equal(run.one(T.tracker).state.eventTrackerArn.split(":")[3], region);
        });

        it("creates the dataset group encrypted with the stack's key, through the Personalize role, after its policy", () => {
            const group = run.one(T.group);
            const key = run.one(T.key, "recommendations-key");
            const role = run.one(T.role, "recommendations-role");
            assert.equal(group.inputs.name, `flodrama-${stack}-recommendations`);
            assert.equal(group.inputs.kmsKeyArn, key.state.arn);
            assert.equal(group.inputs.roleArn, role.state.arn);
            assert.ok(group.dependencies.includes(run.one(T.rolePolicy, "recommendations-role-policy").urn));
            assert.equal(group.protect, protect);
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(key.protect, protect);
        });

        it("adds the interactions, items and users datasets, each with its own schema", () => {
            const group = run.one(T.group);
            for (const kind of KINDS) {
                const lower = kind.toLowerCase();
                const schema = run.one(T.schema, `recommendations-${lower}-schema`);
                assert.deepEqual(JSON.parse(schema.inputs.schema), SCHEMAS[kind]());
                assert.equal(schema.inputs.name, schemaName(stack, kind, SCHEMAS[kind]()));
                const ds = run.one(T.dataset, `recommendations-${lower}`);
                assert.equal(ds.inputs.datasetType, kind);
                assert.equal(ds.inputs.datasetGroupArn, group.state.datasetGroupArn);
                assert.equal(ds.inputs.schemaArn, schema.state.schemaArn);
                assert.equal(ds.protect, protect);
                assert.equal(ds.deleteBeforeReplace, true);
            }
        });

        it("tracks live events on the group once the interactions dataset exists", () => {
            const tracker = run.one(T.tracker);
            assert.equal(tracker.inputs.datasetGroupArn, run.one(T.group).state.datasetGroupArn);
            assert.ok(tracker.dependencies.includes(run.one(T.dataset, "recommendations-interactions").urn));
            assert.equal(tracker.deleteBeforeReplace, true);
        });

        it("keeps training data private, versioned, KMS-encrypted, TLS-only, logged and expiring", () => {
            const bucket = run.one(T.bucket, "recommendations-training");
            assert.equal(bucket.inputs.bucket, `flodrama-${stack}-personalize-training-${ACCOUNT_ID}`);
            assert.equal(bucket.protect, protect);
            assert.equal(bucket.inputs.forceDestroy, !protect);
            const bpa = companion(T.bpa, bucket).inputs;
            assert.deepEqual([bpa.blockPublicAcls, bpa.blockPublicPolicy, bpa.ignorePublicAcls, bpa.restrictPublicBuckets], [true, true, true, true]);
            assert.equal(companion(T.ownership, bucket).inputs.rule.objectOwnership, "BucketOwnerEnforced");
            assert.equal(companion(T.versioning, bucket).inputs.versioningConfiguration.status, "Enabled");
            const sse = companion(T.sse, bucket).inputs.rules[0];
            assert.deepEqual(sse.applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: run.one(T.key, "recommendations-key").state.arn });
            assert.equal(sse.bucketKeyEnabled, true);
            const rules = companion(T.lifecycle, bucket).inputs.rules;
            assert.ok(rules.some((r: any) => r.noncurrentVersionExpiration?.noncurrentDays > 0));
            assert.ok(rules.some((r: any) => r.abortIncompleteMultipartUpload?.daysAfterInitiation > 0));
            const policy = JSON.parse(companion(T.policy, bucket).inputs.policy);
            const objects = [bucket.state.arn, `${bucket.state.arn}/*`];
            assert.deepEqual(policy.Statement, [
                expectedTlsOnlyStatement(bucket.state.arn),
                {
                    Sid: "PersonalizeReadsTrainingData",
                    Effect: "Allow",
                    Principal: { Service: "personalize.amazonaws.com" },
                    Action: ["s3:GetObject", "s3:ListBucket"],
                    Resource: objects,
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
                },
            ]);
            const logging = companion(T.logging, bucket).inputs;
            assert.equal(logging.targetBucket, `flodrama-${stack}-personalize-access-logs-${ACCOUNT_ID}`);
            assert.equal(logging.targetPrefix, ACCESS_LOG_PREFIX);
        });

        it("keeps the access logs for the stack's log retention, SSE-S3 as log delivery requires", () => {
            const logs = run.one(T.bucket, "recommendations-access-logs");
            assert.equal(logs.protect, protect);
            assert.equal(companion(T.sse, logs).inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            const expire = companion(T.lifecycle, logs).inputs.rules.find((r: any) => r.expiration?.days);
            assert.equal(expire.expiration.days, Number(run.config["flodrama:logRetentionDays"]));
            const bpa = companion(T.bpa, logs).inputs;
            assert.equal(bpa.restrictPublicBuckets, true);
        });

        it("gives Personalize a role it alone can assume, reading only the training bucket", () => {
            const role = run.one(T.role, "recommendations-role");
            assert.equal(role.inputs.name, `flodrama-${stack}-personalize`);
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
                {
                    Effect: "Allow",
                    Principal: { Service: "personalize.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID }, ArnLike: { "aws:SourceArn": `arn:aws:personalize:${region}:${ACCOUNT_ID}:*` } },
                },
            ]);
            const doc = JSON.parse(run.one(T.rolePolicy, "recommendations-role-policy").inputs.policy);
            const bucketArn = run.one(T.bucket, "recommendations-training").state.arn;
            assert.deepEqual(allowedResources(doc).sort(), [bucketArn, `${bucketArn}/*`, run.one(T.key, "recommendations-key").state.arn].sort());
            assert.deepEqual(wildcardActions(doc), []);
        });

        it("lets the REST API's ServiceAccount (and no other) put events and read this stack's campaigns", async () => {
            const services: Array<{ name: string; role: string }> = JSON.parse(run.config["flodrama:services"]);
            const api = services.find((x) => x.role === "rest-api")!;
            const attached = run.ofType(T.rolePolicy).filter((p) => /personalize:(PutEvents|Get)/.test(p.inputs.policy));
            assert.equal(attached.length, 1, attached.map((p) => p.name).join(", "));
            const policy = attached[0];
            // RolePolicy.role is the role's id or name; the mocks give a role the id `<logical name>-id`.
            const roles = run.ofType(T.role).filter((r) => r.state.name === policy.inputs.role || `${r.name}-id` === policy.inputs.role);
            assert.equal(roles.length, 1);
            const trust = JSON.parse(roles[0].inputs.assumeRolePolicy);
            const sub = Object.entries(trust.Statement[0].Condition.StringEquals).find(([k]) => k.endsWith(":sub"))![1];
            assert.equal(sub, `system:serviceaccount:flodrama:${api.name}`);
            const doc = JSON.parse(policy.inputs.policy);
            const expected = JSON.parse(await valueOf(policyJson(apiAccessPolicy(run.one(T.tracker).state.eventTrackerArn, "aws", region, ACCOUNT_ID, stack))));
            for (const statement of expected.Statement) {
                assert.ok(doc.Statement.some((s: unknown) => JSON.stringify(s) === JSON.stringify(statement)), `the API role's policy holds ${statement.Sid}`);
            }
            assert.deepEqual(wildcardActions(doc), []);
        });

        it("gives the REST API's pods, and only them, the tracker id, the dataset group and the recommendations region", () => {
            const services: Array<{ name: string; role: string }> = JSON.parse(run.config["flodrama:services"]);
            for (const d of run.kubernetes("Deployment").filter((x) => x.inputs.metadata.namespace === "flodrama")) {
                const env: Array<{ name: string; value?: string }> = d.inputs.spec.template.spec.containers[0].env;
                const value = (n: string) => env.find((e) => e.name === n)?.value;
                const role = services.find((s) => s.name === d.inputs.metadata.name)?.role;
                if (role === "rest-api") {
                    assert.equal(value(API_ENV.trackingId), run.one(T.tracker).state.trackingId);
                    assert.equal(value(API_ENV.datasetGroupArn), run.one(T.group).state.datasetGroupArn);
                    assert.equal(value(PERSONALIZE_ENV.region), region);
                } else {
                    assert.equal(value(API_ENV.trackingId), undefined, d.name);
                    assert.equal(value(PERSONALIZE_ENV.region), undefined, d.name);
                }
            }
        });

        it("has the plan's cost say that Personalize usage is billed in the recommendations region", () => {
            const q = quantitiesOf(run);
            assert.equal(q.personalizeRegion, region);
            const report = estimateCost(q, loadPrices(run.config["aws:region"]));
            const personalize = report.usage.filter((u) => u.service === "Personalize");
            assert.ok(personalize.length > 0);
            for (const u of personalize) {
                assert.match(u.item, new RegExp(`\\(billed in ${region}\\)$`));
            }
            assert.ok(report.assumptions.some((a) => a.startsWith(`Recommendations run in ${region} (Personalize is not offered in ${run.config["aws:region"]})`)));
        });

        it("exports the dataset group, training bucket and role", () => {
            assert.equal(run.outputs.datasetGroupArn, run.one(T.group).state.datasetGroupArn);
            assert.equal(run.outputs.trainingBucketName, `flodrama-${stack}-personalize-training-${ACCOUNT_ID}`);
            assert.equal(run.outputs.personalizeRoleArn, run.one(T.role, "recommendations-role").state.arn);
            assert.equal(run.outputs.personalizeTrackingId, run.one(T.tracker).state.trackingId);
        });
    });
}
