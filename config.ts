/**
 * The stack configuration, composed from every feature's schema (components/<feature>/config.ts)
 * and read once, before any resource is created.
 *
 * `parseConfig` is a pure function of the raw config (plus the clock and, for configured directories,
 * the file system), so tests call it without mocks. `loadConfig` reads the real Pulumi config and
 * throws one `ConfigError` listing every problem: key, value as written, what is allowed and the fix.
 * Stack differences (dev, prod) are data in `Pulumi.<stack>.yaml`, never `if (stack === "prod")` in code.
 */
import * as pulumi from "@pulumi/pulumi";
import { Region } from "@pulumi/aws/types/enums";
import { z } from "zod";
import { closest, ConfigError, problem, Problem, problemsFromIssues, SecretValue, unknownKeyProblem } from "./lib/configErrors";
import { bool, ConfigContext, obj, oneOf, report, stringMap, whenParsed } from "./lib/configSchema";
import { PROJECT } from "./lib/naming";
import { networkSchema } from "./components/network/config";
import { clusterSchema, supportWarning } from "./components/cluster/config";
import { dataSchema } from "./components/data/config";
import { cdnSchema, frontendSchema } from "./components/cdn/config";
import { apiSchema } from "./components/api/config";
import { identitySchema } from "./components/identity/config";
import { appQuotaShortfalls, imagesSchema, referencedSecretConfigKeys, servicesSchema, undigestedImages } from "./components/workloads/config";
import { monitoringSchema } from "./components/monitoring/config";
import { nearestRegionOfferingAll, recommendationsSchema, stackRegionGaps, stackRegionServices } from "./components/recommendations/config";
import { KNOWN_REGIONS, programRegionalServices } from "./lib/regions";
import { bootstrapSchema, deployRunnerSchema } from "./components/runner/config";

export const ENVIRONMENTS = ["dev", "prod"] as const;

/** The retention periods that CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Every AWS region, as the AWS provider lists them. */
export const AWS_REGIONS: readonly string[] = Object.values(Region);

/** Tags every resource carries; `Owner` and `CostCenter` are required, the program adds Project, Stack, Environment, ManagedBy. */
const tagsSchema = stringMap({ keyPattern: /^[\w .:/=+@-]{1,128}$/, keyDescription: "a valid AWS tag key" }).superRefine((tags, ctx) => {
    for (const required of ["Owner", "CostCenter"]) {
        if (tags[required] === undefined) {
            report(ctx, [required], "a non-empty tag value (every resource is tagged with it)");
        }
    }
    for (const reserved of ["Project", "Stack", "Environment", "ManagedBy"]) {
        if (tags[reserved] !== undefined) {
            report(ctx, [reserved], "no value: the program sets this tag itself");
        }
    }
});

const logRetentionDays = z.custom<(typeof LOG_RETENTION_DAYS)[number]>((v) => (LOG_RETENTION_DAYS as readonly unknown[]).includes(v), {
    error: `one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
});

/**
 * A private-only endpoint (no `cluster.publicAccessCidrs`) answers only inside the VPC and the
 * networks given a 443 rule: the stack needs a network path for its deployer (an endpoint source or
 * the deploy runner) and a deployer with an access entry (or the runner, whose role creates the
 * cluster). Without them the first `pulumi up` creates the cluster and then cannot reach it.
 */
export function deployPathProblems(
    cluster: { publicAccessCidrs: string[]; access: { deployers: string[]; endpointSources: { cidrs: string[]; securityGroupIds: string[] } } },
    runnerEnabled: boolean,
): { path: string[]; expected: string; value: unknown; hint: string }[] {
    if (cluster.publicAccessCidrs.length > 0 || runnerEnabled) {
        return [];
    }
    const out = [];
    const { cidrs, securityGroupIds } = cluster.access.endpointSources;
    if (cidrs.length + securityGroupIds.length === 0) {
        out.push({
            path: ["cluster", "access", "endpointSources"],
            expected: "a network path to the private-only endpoint (cluster.publicAccessCidrs is empty): at least one of endpointSources.cidrs or endpointSources.securityGroupIds, or deployRunner.enabled: true",
            value: cluster.access.endpointSources,
            hint: "Set flodrama:deployRunner.enabled to true (the runner deploys from inside the VPC), or list your VPN/Transit Gateway CIDR or tooling security group under cluster.access.endpointSources (docs/deploy-access.md).",
        });
    }
    if (cluster.access.deployers.length === 0) {
        out.push({
            path: ["cluster", "access", "deployers"],
            expected: "at least one deployer role for a private-only endpoint (or deployRunner.enabled: true): the role that runs `pulumi up` from a network in endpointSources",
            value: cluster.access.deployers,
            hint: "List the role that runs `pulumi up` under cluster.access.deployers, unless it is the identity that creates the cluster (EKS makes that one admin itself), or enable flodrama:deployRunner (docs/deploy-access.md).",
        });
    }
    return out;
}

/** The whole `flodrama:*` namespace: one key per feature plus the stack-wide keys. */
export function stackSchema(ctx: ConfigContext) {
    return obj({
        /** How strict validation is (prod requires alert e-mails, HTTPS callbacks, protection). */
        environment: oneOf(ENVIRONMENTS),
        tags: tagsSchema,
        /** `protect`, deletion protection and final snapshots on stateful resources. */
        protectStatefulResources: bool(),
        /** Retention of every CloudWatch log group the program creates. */
        logRetentionDays,
        network: networkSchema,
        cluster: clusterSchema(ctx.now),
        data: dataSchema,
        cdn: cdnSchema,
        frontend: frontendSchema(ctx.projectDir),
        services: servicesSchema(ctx),
        images: imagesSchema,
        api: apiSchema(ctx.environment),
        identity: identitySchema(ctx.environment, ctx.region),
        monitoring: monitoringSchema(ctx.environment, ctx.stack),
        /** Optional: the region of Personalize and what it reads (default: the nearest region offering it). */
        recommendations: recommendationsSchema(ctx.region),
        deployRunner: deployRunnerSchema,
        bootstrap: bootstrapSchema,
    })
        .superRefine((v, c) => {
            // Bootstrap creates the network, the image repositories and the runner only: without a runner nothing could deploy the rest.
            if (v.bootstrap && !v.deployRunner.enabled) {
                report(c, ["bootstrap"], "false unless deployRunner.enabled is true (bootstrap creates only the network, the image repositories and the deploy runner)", {
                    hint: "Set deployRunner.enabled: true with its repositoryUrl, or set bootstrap to false.",
                });
            }
        }, whenParsed("bootstrap", "deployRunner"))
        .superRefine((v, c) => {
            // The runner's CodeBuild container is unprivileged: no Docker engine, so docker-build cannot build there.
            if (!v.deployRunner.enabled) {
                return;
            }
            v.services.forEach((s, i) => {
                if (s.image.kind === "build") {
                    report(c, ["services", i, "image", "build"], "a `release` or a pinned image when deployRunner.enabled is true (the runner has no Docker engine to build with)", {
                        hint: "Use `image: { release: <version> }` pushed by the services workflow (docs/workloads.md#images), or run `pulumi up` of this stack where Docker is available and disable the runner.",
                    });
                }
            });
        }, whenParsed("services", "deployRunner"))
        .superRefine((v, c) => {
            if (v.environment === "prod" && !v.protectStatefulResources) {
                report(c, ["protectStatefulResources"], "true in prod, so that no routine `pulumi up` can delete user data");
            }
        }, whenParsed("environment", "protectStatefulResources"))
        .superRefine((v, c) => {
            for (const p of deployPathProblems(v.cluster, (v as { deployRunner?: { enabled?: boolean } }).deployRunner?.enabled === true)) {
                report(c, p.path, p.expected, { value: p.value, hint: p.hint });
            }
        }, whenParsed("cluster", "deployRunner"))
        .superRefine((v, c) => {
            for (const p of appQuotaShortfalls(v.services, v.cluster.quotas.app)) {
                report(c, ["cluster", "quotas", "app", p.field], p.expected, { value: p.quota, hint: "Raise the quota, or lower replicas.max or the resources of the services." });
            }
        }, whenParsed("services", "cluster"))
        .superRefine((v, c) => {
            for (const u of undigestedImages(v.services, v.images)) {
                report(c, ["services", u.index, "image"], "an image pinned by digest (`flodrama:images.requireDigest` is true)", {
                    value: u.ref,
                    hint: "Use `{ release: <version> }` (resolved to the digest the services workflow pushed) or `<registry>/<repository>@sha256:<64 hex>`.",
                });
            }
        }, whenParsed("services", "images"));
}

/** The top-level `flodrama:*` keys; any other `flodrama:` key is reported as unknown. */
export const TOP_LEVEL_KEYS = Object.keys(stackSchema({ stack: "", projectDir: "", now: new Date(0) }).shape);

type Parsed = z.infer<ReturnType<typeof stackSchema>>;

export interface FlodramaConfig extends Omit<Parsed, "protectStatefulResources" | "logRetentionDays"> {
    project: string;
    /** Pulumi stack name, e.g. `dev`. */
    stack: string;
    /** Default AWS region (`aws:region`); CloudFront, ACM for CloudFront, WAF and Lambda@Edge use us-east-1. */
    region: string;
    /** `flodrama:protectStatefulResources`. */
    protect: boolean;
    logRetentionDays: number;
    /** Things that are allowed but need attention soon (e.g. a Kubernetes version leaving support); the plan prints them. */
    warnings: string[];
}

export interface RawConfig {
    /** `aws:region`. */
    region?: unknown;
    /** The `flodrama:*` values, without the prefix, already JSON-parsed. */
    values: Record<string, unknown>;
    /** Values of every other namespace, keyed with it (`aws:profile`, `flodram:environment`), to catch a misspelt namespace. */
    others?: Record<string, unknown>;
    /** Keys (with namespace) whose value was a `secure:` secret. */
    secretKeys?: string[];
}

export interface ParseOptions {
    stack: string;
    /** Directory that relative paths (frontend build, Docker contexts) are resolved against. */
    projectDir: string;
    /** The time of the run; default now. */
    now?: Date;
}

/** A key of another namespace that is a misspelling of ours (`flodram:environment`), with the key meant. */
function misspeltNamespaceProblems(stack: string, raw: RawConfig): Problem[] {
    const out: Problem[] = [];
    for (const [key, value] of Object.entries(raw.others ?? {})) {
        const ns = key.slice(0, key.indexOf(":"));
        if (ns !== PROJECT && closest(ns, [PROJECT])) {
            const top = key.slice(key.indexOf(":") + 1);
            const intended = `${PROJECT}:${closest(top, TOP_LEVEL_KEYS) ?? top}`;
            out.push(unknownKeyProblem(stack, key, value, TOP_LEVEL_KEYS.map((k) => `${PROJECT}:${k}`), intended));
        }
    }
    return out;
}

/**
 * Validates the raw stack config and returns the typed config, or throws a `ConfigError` that lists
 * every problem. Only the rules whose inputs parsed run, so one mistake gives one problem.
 */
export function parseConfig(raw: RawConfig, opts: ParseOptions): FlodramaConfig {
    const { stack } = opts;
    const now = opts.now ?? new Date();
    const secret = new Set(raw.secretKeys ?? []);
    // Keys that services[].secrets name hold service secrets, not settings: the schema does not read them.
    const serviceSecretKeys = new Set(referencedSecretConfigKeys(raw.values.services).filter((k) => !TOP_LEVEL_KEYS.some((t) => k === `${PROJECT}:${t}`)));
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw.values)) {
        if (!serviceSecretKeys.has(`${PROJECT}:${k}`)) {
            values[k] = secret.has(`${PROJECT}:${k}`) ? new SecretValue() : v;
        }
    }
    const configKeys = new Set([...Object.keys(raw.values).map((k) => `${PROJECT}:${k}`), ...Object.keys(raw.others ?? {})]);
    const regionValue = secret.has("aws:region") ? new SecretValue() : raw.region;

    const problems: Problem[] = misspeltNamespaceProblems(stack, raw);
    const regionParsed = z.enum(AWS_REGIONS as [string, ...string[]], { error: "an AWS region such as eu-west-3 (one of the regions the AWS provider knows)" }).safeParse(regionValue);
    if (!regionParsed.success) {
        problems.push(...problemsFromIssues(stack, "aws:region", regionValue, regionParsed.error.issues));
    }
    const environment = oneOf(ENVIRONMENTS).safeParse(values.environment);
    const ctx: ConfigContext = { stack, projectDir: opts.projectDir, now, environment: environment.data, region: regionParsed.data, configKeys, secretKeys: secret };
    const parsed = stackSchema(ctx).safeParse(values);
    if (!parsed.success) {
        problems.push(...problemsFromIssues(stack, `${PROJECT}:`, values, parsed.error.issues));
    }
    if (regionParsed.success) {
        // Every regional service the program uses must exist in aws:region (Personalize: in the recommendations region).
        // The managed data services count only when data.mode says managed (a bad mode is reported on its own).
        const managedData = (values.data as { mode?: unknown } | undefined)?.mode === "managed";
        const needed = stackRegionServices(programRegionalServices(), managedData);
        if (!KNOWN_REGIONS.includes(regionParsed.data)) {
            const expected = `a region of the aws partition, which data/aws-regional-services.json lists (${KNOWN_REGIONS.join(", ")})`;
            problems.push(problem(stack, "aws:region", regionValue, expected, "Other partitions are not checked: if AWS added the region, regenerate the file (docs/regions.md)."));
        } else {
            const gaps = stackRegionGaps(regionParsed.data, needed);
            if (gaps.length > 0) {
                const nearest = nearestRegionOfferingAll(needed, regionParsed.data);
                const hint = `${nearest ? `The nearest region offering them all is ${nearest}. ` : ""}Personalize alone may be elsewhere (flodrama:recommendations.region); see docs/regions.md.`;
                problems.push(problem(stack, "aws:region", regionValue, `a region offering every regional service the program uses, but ${gaps.join("; ")}`, hint));
            }
        }
    }
    if (problems.length > 0 || !parsed.success || !regionParsed.success) {
        throw new ConfigError(stack, problems);
    }
    const { protectStatefulResources, logRetentionDays, ...rest } = parsed.data;
    const warning = supportWarning(rest.cluster.version, now);
    return {
        ...rest,
        project: PROJECT,
        stack,
        region: regionParsed.data,
        tags: { ...rest.tags, Project: PROJECT, Stack: stack, Environment: rest.environment, ManagedBy: "pulumi" },
        protect: protectStatefulResources,
        logRetentionDays,
        warnings: warning ? [warning] : [],
    };
}

// ---- loading ---------------------------------------------------------------------------------------------

/** Pulumi hands every value over as a string; objects and scalars are JSON. */
function parseValue(v: string): unknown {
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}

/** Reads the raw config of every namespace from the Pulumi runtime. */
export function readRawConfig(): RawConfig {
    const all = pulumi.runtime.allConfig();
    const values: Record<string, unknown> = {};
    const others: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(all)) {
        if (k.startsWith(`${PROJECT}:`)) {
            values[k.slice(PROJECT.length + 1)] = parseValue(v);
        } else {
            others[k] = parseValue(v);
        }
    }
    // `isConfigSecret` is marked internal in the SDK's typings; it reads PULUMI_CONFIG_SECRET_KEYS.
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    const secretKeys = Object.keys(all).filter((k) => isSecret?.(k) ?? false);
    return { region: all["aws:region"], values, others, secretKeys };
}

/** Loads and validates the current stack's config; throws `ConfigError` on bad input, logs the warnings. */
export function loadConfig(projectDir: string = __dirname): FlodramaConfig {
    const cfg = parseConfig(readRawConfig(), { stack: pulumi.getStack(), projectDir });
    for (const w of cfg.warnings) {
        pulumi.log.warn(w);
    }
    return cfg;
}
