/** `flodrama:services` (the FloDrama services: image, scaling, runtime settings) and `flodrama:images`. */
import { z } from "zod";
import { bool, dnsLabel, int, isPinnedImage, list, obj, oneOf, optional, parseImageReference, parseQuantity, PINNED_IMAGE_TEXT, quantity, report, stringMap, text, whenParsed } from "../../lib/configSchema";
import { EXPOSURES, NamespaceQuota, SERVICE_ROLES, ServiceConfig, ServiceImageSource } from "../../lib/contracts";
import * as contract from "../../lib/serviceContract";
import { DEFAULT_SCRAPER_INTERVAL_SECONDS, isSecretLikeEnvName, SECRET_ARN_ENV_SUFFIX, SERVICE_IMAGE_BY_ROLE, ServiceImageName } from "../../lib/serviceContract";

/**
 * Environment variables the workloads set themselves (port, data Secret, scraper bucket); a service's
 * `env` may not name them, nor `AWS_*` (IRSA injects the credentials, and keys never belong in config).
 */
export const RESERVED_ENV_NAMES = [
    contract.APP_PORT_ENV,
    contract.MANAGEMENT_PORT_ENV,
    contract.SHUTDOWN_TIMEOUT_ENV,
    ...Object.values(contract.DATA_ENV),
    ...Object.values(contract.SCRAPER_ENV),
    ...Object.values(contract.PERSONALIZE_ENV),
];

/** The images `services/Dockerfile` builds (its build arg `SERVICE`). */
export const BUILDABLE_IMAGES = Object.values(SERVICE_IMAGE_BY_ROLE) as [ServiceImageName, ...ServiceImageName[]];
/** A release the services workflow pushes: the `<version>` of its tag `services-v<version>` (semver). */
export const RELEASE_VERSION = /^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/;
const IMAGE_FORMS =
    "one of `{ build: { service: api | scraper | watch-party } }` (built from services/ during `pulumi up`), `{ release: <version> }` (the image the services workflow pushed to this stack's ECR repository) or " +
    PINNED_IMAGE_TEXT;

/** `services[].image`: a build of services/, a release of the services workflow, or a pinned reference. */
function imageSource() {
    return z.unknown().transform((v, ctx): ServiceImageSource => {
        if (typeof v === "string") {
            if (!isPinnedImage(v)) {
                report(ctx, [], IMAGE_FORMS, { value: v, hint: "Pin the image by digest (`<registry>/<repository>@sha256:<64 hex>`), or use `{ release: <version> }`." });
            }
            return { kind: "pinned", ref: v };
        }
        const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
        const keys = Object.keys(o);
        if (keys.length !== 1 || !["build", "release"].includes(keys[0])) {
            report(ctx, [], IMAGE_FORMS, { value: v });
            return z.NEVER;
        }
        if (keys[0] === "release") {
            if (typeof o.release !== "string" || !RELEASE_VERSION.test(o.release)) {
                report(ctx, ["release"], "a version the services workflow released, such as 1.0.0 (its tag is services-v1.0.0)", { value: o.release, hint: "Quote it in YAML: release: \"1.0.0\"." });
            }
            return { kind: "release", version: String(o.release) };
        }
        const b = (typeof o.build === "object" && o.build !== null ? o.build : {}) as Record<string, unknown>;
        if (Object.keys(b).length !== 1 || !BUILDABLE_IMAGES.includes(b.service as ServiceImageName)) {
            report(ctx, ["build", "service"], `one of ${BUILDABLE_IMAGES.join(", ")} (the build arg SERVICE of services/Dockerfile)`, { value: b.service ?? o.build });
        }
        return { kind: "build", service: b.service as ServiceImageName };
    });
}

const scraperSource = obj({
    name: dnsLabel(40),
    url: text("an https:// URL", { check: (u) => (/^https:\/\/[^\s/]+/.test(u) ? undefined : "an https:// URL") }),
});

/** The stack's config keys and which hold Pulumi secrets, to check `services[].secrets[].config`. */
export interface ConfigKeyRefs {
    configKeys?: ReadonlySet<string>;
    secretKeys?: ReadonlySet<string>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONFIG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]*:[A-Za-z0-9][A-Za-z0-9_./-]*$/;
/** A full secret ARN, with the 6-character suffix Secrets Manager appends to the name. */
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/[0-9a-f-]{36}$/;

/** One `services[].secrets` entry: a Pulumi secret config key, or a Secrets Manager ARN (with its key, if a CMK). */
function secretRef(refs: ConfigKeyRefs) {
    return obj({
        config: optional(text("a Pulumi config key such as flodrama:apiStripeKey", { pattern: CONFIG_KEY })),
        secretsManagerArn: optional(text("a full Secrets Manager secret ARN such as arn:aws:secretsmanager:eu-west-3:123456789012:secret:flodrama/stripe-AbCdEf", { pattern: SECRET_ARN })),
        kmsKeyArn: optional(text("a KMS key ARN such as arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", { pattern: KMS_KEY_ARN })),
    })
        .superRefine((r, ctx) => {
            if ((r.config === undefined) === (r.secretsManagerArn === undefined)) {
                report(ctx, ["config"], "exactly one of `config` (a Pulumi secret config key) and `secretsManagerArn`", {
                    hint: "Set `config: flodrama:<key>` after `pulumi config set --secret <key> <value>`, or `secretsManagerArn` to the secret's full ARN.",
                });
            }
            if (r.kmsKeyArn !== undefined && r.secretsManagerArn === undefined) {
                report(ctx, ["kmsKeyArn"], "only beside `secretsManagerArn` (the customer-managed key that encrypts that secret)", { value: r.kmsKeyArn, hint: "Remove kmsKeyArn." });
            }
            if (r.config !== undefined && refs.configKeys) {
                const key = r.config;
                const bare = key.slice(key.indexOf(":") + 1);
                if (!refs.configKeys.has(key)) {
                    report(ctx, ["config"], "an existing config key of this stack", { value: key, hint: `Run \`pulumi config set --secret ${bare} <value>\` (namespace ${key.slice(0, key.indexOf(":"))}).` });
                } else if (!refs.secretKeys?.has(key)) {
                    // The value is plaintext in the stack file: never echo it.
                    report(ctx, ["config"], "a key whose value is a Pulumi secret (`secure:` in the stack file)", {
                        value: `${key} (a plaintext value, not shown)`,
                        hint: `Re-set it as a secret: \`pulumi config set --secret ${bare} <value>\`, and rotate the value: it was stored in plain text.`,
                    });
                }
            }
        }, whenParsed("config", "secretsManagerArn", "kmsKeyArn"));
}

/** Config keys the services' secrets reference (`namespace:key`), read from the raw config before it is validated. */
export function referencedSecretConfigKeys(rawServices: unknown): string[] {
    const out: string[] = [];
    for (const s of Array.isArray(rawServices) ? rawServices : []) {
        const secrets = s && typeof s === "object" ? (s as { secrets?: unknown }).secrets : undefined;
        for (const ref of secrets && typeof secrets === "object" ? Object.values(secrets) : []) {
            const key = ref && typeof ref === "object" ? (ref as { config?: unknown }).config : undefined;
            if (typeof key === "string" && CONFIG_KEY.test(key)) {
                out.push(key);
            }
        }
    }
    return out;
}

/** Does any service read a secret from Secrets Manager (the VPC then needs its endpoint where endpoints are on)? */
export function usesSecretsManager(services: ServiceConfig[]): boolean {
    return services.some((s) => Object.values(s.secrets).some((r) => r.secretsManagerArn !== undefined));
}

function service(refs: ConfigKeyRefs) {
    return obj({
        name: dnsLabel(24),
        role: oneOf(SERVICE_ROLES),
        image: imageSource(),
        port: int(1024, 65535),
        expose: oneOf(EXPOSURES),
        replicas: obj({ min: int(1, 100), max: int(1, 500) }).superRefine((r, ctx) => {
            if (r.min > r.max) {
                report(ctx, ["min"], `at most replicas.max (${r.max})`, { hint: "Lower replicas.min or raise replicas.max." });
            }
        }, whenParsed("min", "max")),
        resources: obj({ cpuRequest: quantity(), memoryRequest: quantity(), cpuLimit: quantity(), memoryLimit: quantity() }),
        autoscaling: obj({ cpuUtilization: int(10, 100), memoryUtilization: int(10, 100) }),
        env: stringMap({ keyPattern: /^[A-Za-z_][A-Za-z0-9_]*$/, keyDescription: "an environment variable name" })
            .superRefine((env, ctx) => {
                for (const k of Object.keys(env)) {
                    if (RESERVED_ENV_NAMES.includes(k) || k.startsWith("AWS_")) {
                        report(ctx, [k], `a variable the program does not set itself (not ${RESERVED_ENV_NAMES.join(", ")} or AWS_*)`, {
                            // The value may be a credential: never echo it into logs.
                            value: "(value not shown)",
                            hint: "The data tier's Secret provides the connection URIs and IRSA the AWS credentials; remove the variable.",
                        });
                    } else if (isSecretLikeEnvName(k)) {
                        report(ctx, [k], "a plain, non-secret value: this name looks like a secret's (password, token, API key, credentials…)", {
                            value: "(value not shown)",
                            hint: `Move it to services[].secrets.${k}: \`pulumi config set --secret <key> <value>\` then \`secrets: { ${k}: { config: flodrama:<key> } }\`, or \`{ secretsManagerArn: arn:aws:secretsmanager:… }\` (docs/services.md). Rotate the value: it was stored in plain text.`,
                        });
                    }
                }
            })
            .default({}),
        /** Secret variables: name → where the value comes from (docs/services.md). */
        secrets: z
            .record(z.string(), secretRef(refs), { error: "a mapping of environment variable names to { config } or { secretsManagerArn }" })
            .superRefine((secrets, ctx) => {
                for (const k of Object.keys(secrets)) {
                    if (!ENV_NAME.test(k)) {
                        report(ctx, [k], "an environment variable name (letters, digits and _, not starting with a digit)");
                    } else if (RESERVED_ENV_NAMES.includes(k) || k.startsWith("AWS_")) {
                        report(ctx, [k], `a variable the program does not set itself (not ${RESERVED_ENV_NAMES.join(", ")} or AWS_*)`, { hint: "Rename the variable." });
                    }
                }
            })
            .default({}),
        /** Only the scraper fetches from the web; any other service leaving the VPC would be a data path nobody reviewed. */
        internetEgress: bool().default(false),
        terminationGracePeriodSeconds: int(5, 3600).default(30),
        /** ECR lifecycle: number of images kept. */
        keepImages: int(1, 1000).default(20),
        /** Role scraper only: what it fetches (`SCRAPER_SOURCES`) and how often (`SCRAPER_INTERVAL_SECONDS`). */
        scraper: optional(
            obj({
                sources: list(scraperSource, { max: 100 }).default([]),
                intervalSeconds: int(60, 7 * 24 * 3600).default(DEFAULT_SCRAPER_INTERVAL_SECONDS),
            }),
        ),
    })
        .superRefine((s, ctx) => {
            if (s.image.kind === "build" && s.image.service !== SERVICE_IMAGE_BY_ROLE[s.role]) {
                report(ctx, ["image", "build", "service"], `${SERVICE_IMAGE_BY_ROLE[s.role]}, the image of role ${s.role}`, { value: s.image.service });
            }
            if (s.scraper !== undefined && s.role !== "scraper") {
                report(ctx, ["scraper"], "absent for a service whose role is not scraper", { hint: "Remove scraper, or set role: scraper." });
            }
        }, whenParsed("image", "role", "scraper"))
        .superRefine((s, ctx) => {
            // One name, one source: a variable is plain or secret, and `NAME_SECRET_ARN` belongs to secret NAME.
            const arnNames = Object.entries(s.secrets).filter(([, r]) => r.secretsManagerArn !== undefined).map(([k]) => `${k}${SECRET_ARN_ENV_SUFFIX}`);
            for (const k of Object.keys(s.secrets)) {
                if (k in s.env || arnNames.includes(k)) {
                    report(ctx, ["secrets", k], `a name not also set ${k in s.env ? "in env" : `as the ARN variable of another secret`}`, { hint: "Keep one definition of the variable." });
                }
            }
            for (const k of arnNames.filter((n) => n in s.env)) {
                report(ctx, ["env", k], "a name the program does not set itself: it carries the ARN of a Secrets Manager secret in services[].secrets", { hint: "Remove the variable." });
            }
        }, whenParsed("env", "secrets"))
        .superRefine((s, ctx) => {
            if (s.internetEgress && s.role !== "scraper") {
                report(ctx, ["internetEgress"], "false for a service whose role is not scraper (only the scraper reaches the internet)", { hint: "Remove internetEgress, or set role: scraper." });
            }
        }, whenParsed("internetEgress", "role"))
        .transform((s): ServiceConfig => ({
            ...s,
            scraper: s.role === "scraper" ? (s.scraper ?? { sources: [], intervalSeconds: DEFAULT_SCRAPER_INTERVAL_SECONDS }) : undefined,
        }));
}

/**
 * `flodrama:images`: `requireDigest: true` (prod) refuses a service image given as a tag: the stack
 * then runs only digests (a `release` resolves to one, a `build` pushes one, a pinned string must carry
 * `@sha256:`), so nothing it runs can change under the same name.
 */
export const imagesSchema = obj({ requireDigest: bool().default(false) }).default({ requireDigest: false });

/** The services whose image is a reference without a digest, when `images.requireDigest` forbids them. */
export function undigestedImages(services: ServiceConfig[], images: { requireDigest: boolean }): Array<{ index: number; ref: string }> {
    if (!images.requireDigest) {
        return [];
    }
    return services.flatMap((s, index) => (s.image.kind === "pinned" && !parseImageReference(s.image.ref)?.digest ? [{ index, ref: s.image.ref }] : []));
}

/** Cross-service rules, run only when every entry parsed: unique names, one service per role and per API. */
export function servicesSchema(refs: ConfigKeyRefs = {}) {
    return list(service(refs), { min: 1, max: 20 }).superRefine(
        (services, ctx) => {
            const names = services.map((s) => s.name);
            if (new Set(names).size !== names.length) {
                report(ctx, [], "services with distinct names", { value: names });
            }
            for (const [expose, role] of [
                ["http-api", "rest-api"],
                ["websocket-api", "watch-party"],
            ] as const) {
                const exposed = services.filter((s) => s.expose === expose);
                if (exposed.length !== 1) {
                    report(ctx, [], `exactly one service with expose: ${expose} (the ${role})`, { value: exposed.map((s) => s.name) });
                }
            }
            for (const role of SERVICE_ROLES) {
                if (!services.some((s) => s.role === role)) {
                    report(ctx, [], `a service with role: ${role}`, { value: names });
                }
            }
        },
        { when: (p) => p.issues.length === 0 },
    ) satisfies z.ZodType<ServiceConfig[]>;
}

/** Rollouts add up to 25 % of the replicas (rounded up) before old pods go (`maxSurge: 25%`, `maxUnavailable: 0`). */
export const ROLLOUT_SURGE = 0.25;

/**
 * The `flodrama` namespace's ResourceQuota must hold every service at `replicas.max` during a rollout;
 * otherwise the HPA stops below its maximum (the quota rejects the pods) and rollouts at scale hang.
 * Returns each quota field that is too small, with the amount needed.
 */
export function appQuotaShortfalls(services: ServiceConfig[], quota: NamespaceQuota): Array<{ field: keyof NamespaceQuota; quota: string | number; expected: string }> {
    const pods = (s: ServiceConfig) => s.replicas.max + Math.ceil(s.replicas.max * ROLLOUT_SURGE);
    const need = (pick: (s: ServiceConfig) => string) => services.reduce((sum, s) => sum + pods(s) * parseQuantity(pick(s)), 0);
    const out: Array<{ field: keyof NamespaceQuota; quota: string | number; expected: string }> = [];
    const check = (field: "requestsCpu" | "limitsCpu" | "requestsMemory" | "limitsMemory", needed: number, unit: "cores" | "Gi") => {
        const have = parseQuantity(quota[field]);
        const shown = unit === "Gi" ? `${Math.ceil((needed / 2 ** 30) * 100) / 100}Gi` : `${Math.ceil(needed * 1000) / 1000}`;
        if (have + 1e-9 < needed) {
            out.push({ field, quota: quota[field], expected: `at least ${shown} (every service at replicas.max plus the 25 % rollout surge)` });
        }
    };
    check("requestsCpu", need((s) => s.resources.cpuRequest), "cores");
    check("limitsCpu", need((s) => s.resources.cpuLimit), "cores");
    check("requestsMemory", need((s) => s.resources.memoryRequest), "Gi");
    check("limitsMemory", need((s) => s.resources.memoryLimit), "Gi");
    const totalPods = services.reduce((sum, s) => sum + pods(s), 0);
    if (quota.pods < totalPods) {
        out.push({ field: "pods", quota: quota.pods, expected: `at least ${totalPods} (every service at replicas.max plus the 25 % rollout surge)` });
    }
    return out;
}
