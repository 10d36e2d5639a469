/** `flodrama:services`: the FloDrama services, their images or build contexts, scaling and runtime settings. */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { bool, dnsLabel, int, list, obj, oneOf, optional, parseQuantity, pinnedImage, quantity, report, stringMap, text, whenParsed } from "../../lib/configSchema";
import { EXPOSURES, NamespaceQuota, SERVICE_ROLES, ServiceConfig } from "../../lib/contracts";
import * as contract from "../../lib/serviceContract";

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

function service(projectDir: string) {
    return obj({
        name: dnsLabel(24),
        role: oneOf(SERVICE_ROLES),
        image: optional(pinnedImage()),
        build: optional(obj({ context: text("a directory holding the service's Dockerfile"), dockerfile: optional(text()) })),
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
                    }
                }
            })
            .default({}),
        /** Only the scraper fetches from the web; any other service leaving the VPC would be a data path nobody reviewed. */
        internetEgress: bool().default(false),
        terminationGracePeriodSeconds: int(5, 3600).default(30),
        /** ECR lifecycle: number of images kept. */
        keepImages: int(1, 1000).default(20),
    })
        .superRefine((s, ctx) => {
            if ((s.image === undefined) === (s.build === undefined)) {
                report(ctx, ["image"], "exactly one of `image` (a pinned reference) and `build` (a Docker context)", {
                    value: s.image,
                    hint: s.image !== undefined ? "Remove one of the two." : "Set `image` to a pinned reference or `build.context` to a directory with a Dockerfile.",
                });
            }
        }, whenParsed("image", "build"))
        .superRefine((s, ctx) => {
            if (s.internetEgress && s.role !== "scraper") {
                report(ctx, ["internetEgress"], "false for a service whose role is not scraper (only the scraper reaches the internet)", { hint: "Remove internetEgress, or set role: scraper." });
            }
        }, whenParsed("internetEgress", "role"))
        .transform((s, ctx): ServiceConfig => {
            if (!s.build) {
                return { ...s, build: undefined };
            }
            const dir = path.resolve(projectDir, s.build.context);
            const file = path.resolve(dir, s.build.dockerfile ?? "Dockerfile");
            if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
                report(ctx, ["build", "context"], `an existing directory (resolved to ${dir})`);
            } else if (!fs.existsSync(file)) {
                report(ctx, ["build", s.build.dockerfile ? "dockerfile" : "context"], `a Dockerfile at ${file}`);
            }
            return { ...s, build: { context: dir, dockerfile: s.build.dockerfile ? file : undefined } };
        });
}

/** Cross-service rules, run only when every entry parsed: unique names, one service per role and per API. */
export function servicesSchema(projectDir: string) {
    return list(service(projectDir), { min: 1, max: 20 }).superRefine(
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
