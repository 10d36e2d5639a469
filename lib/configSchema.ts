/**
 * Small zod 4 builders that every feature's config schema uses, so that all keys read alike: each
 * issue's message completes "expected ...", a wrong type says how to write it in YAML, objects are
 * strict (a misspelt key is reported, never ignored) and cross-field rules run only on fields that
 * parsed (one mistake gives one problem). Also the formats that config values share.
 */
import * as net from "net";
import { z } from "zod";
import type { IssueParams } from "./configErrors";
import type { DomainConfig } from "./contracts";

type Ctx = z.core.$RefinementCtx<unknown>;

/** Records a problem at `path` (relative to the refined value). */
export function report(ctx: Ctx, path: PropertyKey[], message: string, params: IssueParams = {}): void {
    ctx.addIssue({ code: "custom", path, message, params });
}

/**
 * Options for a cross-field rule (`superRefine(rule, whenParsed("min", "max"))`): the rule runs only
 * when those fields parsed, so a bad field never adds a second, false problem.
 */
export function whenParsed(...fields: string[]) {
    return {
        when: (payload: z.core.ParsePayload) =>
            typeof payload.value === "object" &&
            payload.value !== null &&
            // An unknown key beside the fields (reported on its own) does not make them wrong.
            payload.issues.every((i) => i.code === "unrecognized_keys" || ((i.path?.length ?? 0) > 0 && !fields.includes(String(i.path![0])))),
    };
}

function rangeText(min?: number, max?: number): string {
    return min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : "";
}

/** A number (`integer` true: a whole one) within [min, max]. */
function numberIn(integer: boolean, min?: number, max?: number) {
    const kind = `${integer ? "an integer" : "a number"}${rangeText(min, max)}`;
    return z.number({ error: `${kind} (unquoted in YAML)` }).superRefine((v, ctx) => {
        if (integer && !Number.isInteger(v)) {
            report(ctx, [], `${kind} (unquoted in YAML)`);
        } else if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
            report(ctx, [], kind);
        }
    });
}

export const int = (min?: number, max?: number) => numberIn(true, min, max);
export const num = (min?: number, max?: number) => numberIn(false, min, max);
export const bool = () => z.boolean({ error: "true or false" });

/** One of `values`; the error module adds "did you mean" for a near miss. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `one of ${values.map((v) => `\`${v}\``).join(", ")}` });
}

export interface TextOptions {
    pattern?: RegExp;
    maxLength?: number;
    /** Extra check on a well-formed value: returns what is expected when it is bad. */
    check?: (value: string) => string | undefined;
}

/** A non-empty string; `description` completes "expected ..." for every way it can be wrong. */
export function text(description = "a non-empty string", opts: TextOptions = {}) {
    return z.string({ error: description }).superRefine((v, ctx) => {
        if (v.length === 0 || (opts.pattern && !opts.pattern.test(v))) {
            report(ctx, [], description);
        } else if (opts.maxLength !== undefined && v.length > opts.maxLength) {
            report(ctx, [], `${description}, at most ${opts.maxLength} characters`);
        } else {
            const bad = opts.check?.(v);
            if (bad) {
                report(ctx, [], bad);
            }
        }
    });
}

/** A YAML list of `item`, with bounds on its length and optionally no duplicates. */
export function list<T extends z.ZodType>(item: T, opts: { min?: number; max?: number; unique?: boolean } = {}) {
    return z.array(item, { error: "a list" }).superRefine((v, ctx) => {
        const add = (message: string) => ctx.addIssue({ code: "custom", path: [], message, params: { value: v } });
        if (opts.min !== undefined && v.length < opts.min) {
            add(`a list of at least ${opts.min} item${opts.min === 1 ? "" : "s"}`);
        }
        if (opts.max !== undefined && v.length > opts.max) {
            add(`a list of at most ${opts.max} items`);
        }
        if (opts.unique && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) {
            add("a list without duplicates");
        }
    });
}

/** A mapping of names to non-empty strings (tags, labels, environment variables). */
export function stringMap(opts: { keyPattern?: RegExp; keyDescription?: string } = {}) {
    return z
        .record(z.string(), z.string({ error: "a non-empty string (quote numbers and booleans in YAML)" }).min(1, "a non-empty string (quote numbers and booleans in YAML)"), {
            error: "a mapping of names to strings",
        })
        .superRefine((v, ctx) => {
            for (const k of Object.keys(v)) {
                if (opts.keyPattern && !opts.keyPattern.test(k)) {
                    report(ctx, [k], `a key that is ${opts.keyDescription ?? `matching ${opts.keyPattern}`}`);
                }
            }
        });
}

/** A strict YAML mapping: an unknown key is a problem naming the known ones. */
export function obj<S extends z.core.$ZodLooseShape>(shape: S) {
    const known = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (iss) => (iss.code === "unrecognized_keys" ? `no such key; known keys here: ${known}` : "an object (a YAML mapping)"),
    });
}

/** An optional section: absent, or `null` (an empty YAML key), means not set. */
export function optional<T extends z.ZodType>(schema: T) {
    return z.preprocess((v) => (v === null ? undefined : v), schema.optional());
}

// ---- formats ------------------------------------------------------------------------------------

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isEmail(v: string): boolean {
    return EMAIL.test(v) && v.length <= 254;
}

export const email = (example: string) => text(`an e-mail address such as ${example}`, { check: (s) => (isEmail(s) ? undefined : `an e-mail address such as ${example}`) });

/** Parses an IPv4 CIDR block; undefined when it is malformed or has host bits set. */
export function parseCidr(v: string): { address: number; prefix: number } | undefined {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(v);
    if (!m || !net.isIPv4(m[1])) {
        return undefined;
    }
    const prefix = Number(m[2]);
    if (prefix > 32) {
        return undefined;
    }
    const address = m[1].split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    return address % 2 ** (32 - prefix) === 0 ? { address, prefix } : undefined;
}

/** An IPv4 CIDR block with no host bits set and a prefix in [minPrefix, maxPrefix]. */
export function cidr(minPrefix = 0, maxPrefix = 32) {
    const expected = `an IPv4 CIDR block such as 10.0.0.0/16 with no host bits set, prefix /${minPrefix} to /${maxPrefix}`;
    return text("an IPv4 CIDR block", {
        check: (v) => {
            const c = parseCidr(v);
            return c && c.prefix >= minPrefix && c.prefix <= maxPrefix ? undefined : expected;
        },
    });
}

export const IAM_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** A Kubernetes resource quantity such as `500m`, `2`, `512Mi` or `4Gi`. */
export const K8S_QUANTITY = /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
export const quantity = () => text("a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi", { pattern: K8S_QUANTITY });

const QUANTITY_FACTORS: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes quantity (`500m`, `2`, `512Mi`) as a number of cores or bytes. */
export function parseQuantity(q: string): number {
    const m = K8S_QUANTITY.exec(q);
    if (!m) {
        throw new Error(`not a Kubernetes quantity: ${q}`);
    }
    return Number(m[1]) * QUANTITY_FACTORS[m[3] ?? ""];
}

/** An RFC 1123 DNS label, as Kubernetes names and most AWS name parts need. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const dnsLabel = (maxLength: number) =>
    text("a DNS label: lower-case letters, digits and '-', starting with a letter", { pattern: DNS_LABEL, maxLength });

/** A DNS name such as `www.flodrama.com`. */
export const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

// OCI distribution reference grammar: [host[:port]/]path[:tag][@algorithm:hex].
const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|-+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(?:(${HOST})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** The parts of an image reference, or undefined when it does not follow the OCI reference grammar. */
export function parseImageReference(ref: string): { name: string; tag?: string; digest?: string } | undefined {
    const m = REFERENCE.exec(ref);
    if (!m || ref.length > 255 + 129 + 72) {
        return undefined;
    }
    const [, host, path, tag, digest] = m;
    return { name: host ? `${host}/${path}` : path, tag, digest };
}

/** Pinned: a well-formed reference with a full `sha256` digest, or with a tag other than `latest`. */
export function isPinnedImage(ref: string): boolean {
    const r = parseImageReference(ref);
    if (!r) {
        return false;
    }
    if (r.digest !== undefined) {
        return /^sha256:[a-f0-9]{64}$/.test(r.digest);
    }
    return r.tag !== undefined && r.tag !== "latest";
}

export const PINNED_IMAGE_TEXT = "a pinned image reference: [registry[:port]/]repository:tag (not `latest`) or repository@sha256:<64 hex digits>";
export const pinnedImage = () => text(PINNED_IMAGE_TEXT, { check: (v) => (isPinnedImage(v) ? undefined : PINNED_IMAGE_TEXT) });

// ---- shared by several features -----------------------------------------------------------------

/** What a feature's schema may depend on besides its own keys; absent facts (a key that did not parse) skip the rules that need them. */
export interface ConfigContext {
    stack: string;
    /** Directory that relative paths (frontend build, Docker contexts) are resolved against. */
    projectDir: string;
    /** `flodrama:environment`, when it parsed. */
    environment?: "dev" | "prod";
    /** `aws:region`, when it parsed. */
    region?: string;
    /** The time of the run (support dates are checked against it). */
    now: Date;
    /** Every config key of the stack (`namespace:key`), for references such as `services[].secrets`. */
    configKeys?: ReadonlySet<string>;
    /** The keys among them whose value is a Pulumi secret (`pulumi config set --secret`). */
    secretKeys?: ReadonlySet<string>;
}

/**
 * A custom domain (`names` inside `hostedZone`); `single` allows one name (an API's domain).
 * Checked against the `DomainConfig` shape of lib/contracts.ts.
 */
export function domain(single: boolean) {
    return obj({
        names: list(text("a lower-case DNS name such as www.flodrama.com", { pattern: DNS_NAME }), { min: 1, max: single ? 1 : 10, unique: true }),
        hostedZone: text("the Route 53 public zone name, such as flodrama.com", { pattern: DNS_NAME }),
    }).superRefine((d, ctx) => {
        d.names.forEach((n, i) => {
            if (n !== d.hostedZone && !n.endsWith(`.${d.hostedZone}`)) {
                report(ctx, ["names", i], `a name inside the hosted zone ${d.hostedZone}`);
            }
        });
    }, whenParsed("names", "hostedZone")) satisfies z.ZodType<DomainConfig>;
}

/** `s` as an absolute URL, or undefined. */
export function parseUrl(s: string): URL | undefined {
    try {
        return new URL(s);
    } catch {
        return undefined;
    }
}

/** https, or plain http to this machine where `allowLocalHttp` (a local dev server in dev). */
export function isHttpsOrLocal(u: URL, allowLocalHttp: boolean): boolean {
    const local = u.protocol === "http:" && (u.hostname === "localhost" || u.hostname === "127.0.0.1");
    return u.protocol === "https:" || (allowLocalHttp && local);
}
