/**
 * Service secrets: `services[].secrets` validated at parse time (a config reference
 * must hold a Pulumi secret, an ARN must be a full secret ARN), secret-looking plaintext `env` refused;
 * in the program, one Kubernetes Secret per service fed from `requireSecret`, env through `secretKeyRef`,
 * the value secret in state and absent from every other resource and output, and the IRSA role scoped
 * to exactly the named Secrets Manager ARNs.
 */
import { strict as assert } from "assert";
import { secretsManagerStatements } from "../../components/workloads/serviceSecrets";
import { ServiceConfig } from "../../lib/contracts";
import { isSecretLikeEnvName, SECRET_NAME_PATTERN } from "../../lib/serviceContract";
import { looksSecret, plaintextSecretEnv, SECRET_NAME_PATTERN as PACK_PATTERN } from "../../policy/kubernetesSecrets";
import { ProgramRun, RecordedResource, runProgram } from "../../offline/harness";
import { manifestOf, validateManifest } from "../../offline/kubeSchema";
import { TEST_SECRET } from "../../offline/mocks";
import { assertProblem, configFor, problemsOf } from "../../offline/stackConfig";

const ARN = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:flodrama/partner-AbCdEf";
const KEY = "arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const api = (v: Record<string, any>) => v.services.find((s: any) => s.role === "rest-api");
const ENCRYPTED = { secure: "v1:AAAAbm90IGEgcmVhbCBjaXBoZXJ0ZXh0" };

describe("services[].secrets and env: config validation", () => {
    it("accepts a Pulumi secret config reference and a Secrets Manager ARN with its key", () => {
        const cfg = configFor("dev", (v) => {
            v.apiStripeKey = ENCRYPTED;
            api(v).secrets = { STRIPE_KEY: { config: "flodrama:apiStripeKey" }, PARTNER_TOKEN: { secretsManagerArn: ARN, kmsKeyArn: KEY } };
        });
        const s = cfg.services.find((x) => x.role === "rest-api")!;
        assert.deepEqual(s.secrets, { STRIPE_KEY: { config: "flodrama:apiStripeKey" }, PARTNER_TOKEN: { secretsManagerArn: ARN, kmsKeyArn: KEY } });
        assert.deepEqual(cfg.services.find((x) => x.role === "scraper")!.secrets, {}, "secrets default to none");
    });

    it("refuses a plaintext env value whose name looks like a secret, pointing at services[].secrets, without echoing it", () => {
        const err = problemsOf("dev", (v) => {
            api(v).env.DB_PASSWORD = "hunter2";
        });
        const p = assertProblem(err, "flodrama:services[0].env.DB_PASSWORD", /non-secret/);
        assert.match(p.fix, /services\[\]\.secrets\.DB_PASSWORD/);
        assert.match(p.fix, /pulumi config set --secret/);
        assert.ok(!err.message.includes("hunter2"), "the value is not shown");
    });

    it("judges names like the services do, letting ARN and file-path variables through", () => {
        for (const n of ["DB_PASSWORD", "STRIPE_API_KEY", "APIKEY", "GITHUB_TOKEN", "JWT_SECRET", "SSH_PRIVATE_KEY", "GCP_CREDENTIALS", "db_passwd"]) {
            assert.ok(isSecretLikeEnvName(n), n);
        }
        for (const n of ["LOG_LEVEL", "NODE_ENV", "PARTNER_TOKEN_SECRET_ARN", "TLS_PRIVATE_KEY_FILE", "SCRAPER_SOURCES"]) {
            assert.ok(!isSecretLikeEnvName(n), n);
        }
        // The policy pack keeps its own copy (it does not import the program): the same rule.
        assert.equal(PACK_PATTERN.source, SECRET_NAME_PATTERN.source);
        assert.equal(PACK_PATTERN.flags, SECRET_NAME_PATTERN.flags);
        for (const n of ["DB_PASSWORD", "PARTNER_TOKEN_SECRET_ARN", "TLS_PRIVATE_KEY_FILE", "LOG_LEVEL"]) {
            assert.equal(looksSecret(n), isSecretLikeEnvName(n), n);
        }
    });

    it("refuses a config reference whose value is plaintext, telling how to set it as a secret (and not showing it)", () => {
        const err = problemsOf("dev", (v) => {
            v.apiStripeKey = "sk_live_plaintext";
            api(v).secrets = { STRIPE_KEY: { config: "flodrama:apiStripeKey" } };
        });
        const p = assertProblem(err, "flodrama:services[0].secrets.STRIPE_KEY.config", /Pulumi secret/);
        assert.match(p.fix, /pulumi config set --secret apiStripeKey/);
        assert.ok(!err.message.includes("sk_live_plaintext"));
    });

    it("refuses a config reference to a key the stack does not have", () => {
        const err = problemsOf("dev", (v) => {
            api(v).secrets = { STRIPE_KEY: { config: "flodrama:apiStripeKy" } };
        });
        assertProblem(err, "flodrama:services[0].secrets.STRIPE_KEY.config", /existing config key/);
    });

    it("refuses an entry with both or neither source, a partial ARN, and a key without an ARN", () => {
        assertProblem(
            problemsOf("dev", (v) => {
                v.apiStripeKey = ENCRYPTED;
                api(v).secrets = { A_TOKEN: { config: "flodrama:apiStripeKey", secretsManagerArn: ARN } };
            }),
            "flodrama:services[0].secrets.A_TOKEN.config",
            /exactly one of/,
        );
        assertProblem(problemsOf("dev", (v) => void (api(v).secrets = { A_TOKEN: {} })), "flodrama:services[0].secrets.A_TOKEN.config", /exactly one of/);
        assertProblem(
            problemsOf("dev", (v) => void (api(v).secrets = { A_TOKEN: { secretsManagerArn: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:flodrama/partner" } })),
            "flodrama:services[0].secrets.A_TOKEN.secretsManagerArn",
            /full Secrets Manager secret ARN/,
        );
        assertProblem(
            problemsOf("dev", (v) => {
                v.apiStripeKey = ENCRYPTED;
                api(v).secrets = { A_TOKEN: { config: "flodrama:apiStripeKey", kmsKeyArn: KEY } };
            }),
            "flodrama:services[0].secrets.A_TOKEN.kmsKeyArn",
            /only beside `secretsManagerArn`/,
        );
    });

    it("refuses a name set both as env and secret, a reserved name, and an env that shadows an ARN variable", () => {
        assertProblem(
            problemsOf("dev", (v) => {
                api(v).env.PARTNER = "x";
                api(v).secrets = { PARTNER: { secretsManagerArn: ARN } };
            }),
            "flodrama:services[0].secrets.PARTNER",
            /not also set in env/,
        );
        assertProblem(problemsOf("dev", (v) => void (api(v).secrets = { MONGODB_URI: { secretsManagerArn: ARN } })), "flodrama:services[0].secrets.MONGODB_URI", /does not set itself/);
        assertProblem(
            problemsOf("dev", (v) => {
                api(v).env.PARTNER_SECRET_ARN = ARN;
                api(v).secrets = { PARTNER: { secretsManagerArn: ARN } };
            }),
            "flodrama:services[0].env.PARTNER_SECRET_ARN",
            /ARN of a Secrets Manager secret/,
        );
    });
});

describe("services[].secrets: IRSA statements", () => {
    const service = (secrets: ServiceConfig["secrets"]) => ({ name: "api", secrets }) as ServiceConfig;

    it("grants nothing without Secrets Manager secrets", () => {
        assert.deepEqual(secretsManagerStatements(service({ STRIPE_KEY: { config: "flodrama:apiStripeKey" } })), []);
    });

    it("reads exactly the named ARNs, and decrypts with their key only through Secrets Manager, only for them", () => {
        const other = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:flodrama/other-XyZ123";
        assert.deepEqual(secretsManagerStatements(service({ B: { secretsManagerArn: ARN, kmsKeyArn: KEY }, A: { secretsManagerArn: other } })), [
            { Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [other, ARN].sort() },
            {
                Sid: "DecryptOwnSecretsThroughSecretsManager",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: [KEY],
                Condition: { StringEquals: { "kms:ViaService": ["secretsmanager.eu-west-3.amazonaws.com"], "kms:EncryptionContext:SecretARN": [ARN] } },
            },
        ]);
    });
});

describe("services[].secrets in the program (prod, interface endpoints on)", () => {
    let run: ProgramRun;
    let plain: ProgramRun;
    const serialized = (r: RecordedResource) => JSON.stringify({ inputs: r.inputs, state: r.state });
    before(async () => {
        run = await runProgram("prod", {
            override: (v) => {
                v.apiStripeKey = ENCRYPTED;
                api(v).secrets = { STRIPE_KEY: { config: "flodrama:apiStripeKey" }, PARTNER_TOKEN: { secretsManagerArn: ARN, kmsKeyArn: KEY } };
            },
        });
        plain = await runProgram("prod");
    });

    const appSecrets = (r: ProgramRun) => r.kubernetes("Secret").filter((s) => s.name.endsWith("-secrets") && s.name !== "data-secrets");

    it("creates one auto-named Secret for the service, its value secret in state", () => {
        const secrets = appSecrets(run);
        assert.deepEqual(secrets.map((s) => s.name), ["workloads-api-secrets"]);
        const [secret] = secrets;
        assert.equal(secret.inputs.metadata.name, undefined, "auto-named: a new value gives a new name, which rolls the pods");
        assert.equal(secret.inputs.metadata.namespace, "flodrama");
        assert.deepEqual(secret.inputs.stringData, { STRIPE_KEY: TEST_SECRET });
        assert.ok(secret.secretInputs.includes("stringData"), "stringData is a secret input");
        assert.ok(secret.additionalSecretOutputs.includes("stringData") && secret.additionalSecretOutputs.includes("data"));
        assert.deepEqual(appSecrets(plain), [], "no Secret for services without config secrets");
        const deployment = run.kubernetes("Deployment").find((d) => d.inputs.metadata?.name === "api")!;
        for (const r of [secret, deployment]) {
            assert.deepEqual(validateManifest(manifestOf(r)), [], `${r.type} against the Kubernetes schema`);
        }
    });

    it("references the Secret from the container env and passes the ARN variable, never the value", () => {
        const deployment = run.kubernetes("Deployment").find((d) => d.inputs.metadata?.name === "api")!;
        const env: any[] = deployment.inputs.spec.template.spec.containers[0].env;
        const secretName = appSecrets(run)[0].state.metadata.name;
        assert.deepEqual(env.find((e) => e.name === "STRIPE_KEY"), { name: "STRIPE_KEY", valueFrom: { secretKeyRef: { name: secretName, key: "STRIPE_KEY" } } });
        assert.deepEqual(env.find((e) => e.name === "PARTNER_TOKEN_SECRET_ARN"), { name: "PARTNER_TOKEN_SECRET_ARN", value: ARN });
        assert.equal(env.find((e) => e.name === "PARTNER_TOKEN"), undefined);
        // Offline every secret reads as TEST_SECRET (data passwords too): look at what the service's component holds.
        const own = run.resources.filter((r) => r.urn.includes("flodrama:k8s:FlodramaService") && r.urn.endsWith("::workloads-api") === false && /::workloads-api-/.test(r.urn));
        assert.ok(own.length > 5);
        const leaks = own.filter((r) => r !== appSecrets(run)[0] && serialized(r).includes(TEST_SECRET));
        assert.deepEqual(leaks.map((r) => r.urn), [], "no other resource of the service carries the secret value");
        assert.ok(!JSON.stringify(run.outputs).includes(TEST_SECRET), "no output carries it");
    });

    it("passes the policy pack's plaintext-secret rule on every Kubernetes object", () => {
        const objects = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
        const res = (r: RecordedResource) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs, protect: r.protect });
        assert.deepEqual(objects.flatMap((r) => plaintextSecretEnv(res(r))), []);
    });

    it("lets only the service's IRSA role read exactly the named secret, and decrypt it through Secrets Manager", () => {
        const policies = run.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
        const readers = policies.filter((p) => String(p.inputs.policy).includes("secretsmanager:GetSecretValue"));
        assert.deepEqual(readers.map((p) => p.name), ["workloads-api-irsa-policy"]);
        const doc = JSON.parse(readers[0].inputs.policy);
        const read = doc.Statement.find((s: any) => s.Sid === "ReadOwnSecrets");
        assert.deepEqual(read.Resource, [ARN]);
        const decrypt = doc.Statement.find((s: any) => s.Sid === "DecryptOwnSecretsThroughSecretsManager");
        assert.deepEqual(decrypt.Resource, [KEY]);
        assert.deepEqual(decrypt.Condition.StringEquals["kms:ViaService"], ["secretsmanager.eu-west-3.amazonaws.com"]);
    });

    it("adds a Secrets Manager interface endpoint only when a service reads Secrets Manager", () => {
        const endpoints = (r: ProgramRun) => r.resources.filter((x) => x.type === "aws:ec2/vpcEndpoint:VpcEndpoint").map((x) => x.inputs.serviceName);
        assert.ok(endpoints(run).includes("com.amazonaws.eu-west-3.secretsmanager"));
        assert.ok(!endpoints(plain).includes("com.amazonaws.eu-west-3.secretsmanager"));
    });
});
