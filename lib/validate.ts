/**
 * A small, dependency-free reader for untyped configuration. Every check records a problem
 * (key, value found, what is allowed) instead of throwing, so one run reports every mistake in a
 * stack file at once. `lib/config.ts` builds the typed stack config on top of it.
 */
import * as net from "net";

/** One thing wrong with the stack config. */
export interface ConfigProblem {
    /** Full key, e.g. `flodrama:cluster.nodeGroups[0].minSize`. */
    key: string;
    /** The value found; `undefined` when the key is missing. */
    value: unknown;
    /** What is allowed, phrased to complete "expected ...". */
    expected: string;
    /** Optional extra hint on how to fix it. */
    hint?: string;
}

/** Collects problems while a config object is read. */
export class Problems {
    readonly list: ConfigProblem[] = [];

    add(key: string, value: unknown, expected: string, hint?: string): void {
        this.list.push({ key, value, expected, hint });
    }

    get empty(): boolean {
        return this.list.length === 0;
    }
}

/** A short, readable rendering of a config value for error messages. */
export function show(value: unknown): string {
    if (value === undefined) {
        return "nothing (the key is missing)";
    }
    const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `a.b[0].c` for a child key of `path`. */
export function child(path: string, key: string | number): string {
    return typeof key === "number" ? `${path}[${key}]` : `${path}.${key}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Levenshtein distance, for "did you mean" hints on misspelt keys and enum values. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

/** The closest candidate to `word`, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = distance(word.toLowerCase(), c.toLowerCase());
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * Reads typed values out of an untyped object, recording a problem for each bad one. Readers return
 * `undefined` for a bad value; callers carry on so that later keys are checked too.
 */
export class Reader {
    constructor(
        readonly problems: Problems,
        readonly path: string,
        readonly value: Record<string, unknown>,
    ) {}

    /** A reader over an object value; records a problem and returns an empty reader when it is not one. */
    static of(problems: Problems, path: string, value: unknown, optional = false): Reader | undefined {
        if (value === undefined && optional) {
            return undefined;
        }
        if (!isObject(value)) {
            problems.add(path, value, "an object (a YAML mapping)");
            return new Reader(problems, path, {});
        }
        return new Reader(problems, path, value);
    }

    key(name: string): string {
        return child(this.path, name);
    }

    has(name: string): boolean {
        return this.value[name] !== undefined && this.value[name] !== null;
    }

    /** Flags keys that this reader does not know: a misspelt key would otherwise be silently ignored. */
    allowOnly(names: readonly string[]): void {
        for (const k of Object.keys(this.value)) {
            if (!names.includes(k)) {
                const guess = closest(k, names);
                this.problems.add(
                    this.key(k),
                    this.value[k],
                    `no such key; known keys here: ${names.join(", ")}`,
                    guess ? `Did you mean \`${guess}\`?` : undefined,
                );
            }
        }
    }

    object(name: string, optional = false): Reader | undefined {
        return Reader.of(this.problems, this.key(name), this.value[name] ?? undefined, optional);
    }

    string(name: string, opts: StringOptions = {}): string | undefined {
        return readString(this.problems, this.key(name), this.value[name], opts);
    }

    optionalString(name: string, opts: StringOptions = {}): string | undefined {
        return this.has(name) ? this.string(name, opts) : undefined;
    }

    oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
        return readOneOf(this.problems, this.key(name), this.value[name], allowed, fallback);
    }

    int(name: string, opts: NumberOptions = {}): number | undefined {
        return readNumber(this.problems, this.key(name), this.value[name], { ...opts, integer: true });
    }

    number(name: string, opts: NumberOptions = {}): number | undefined {
        return readNumber(this.problems, this.key(name), this.value[name], opts);
    }

    bool(name: string, fallback?: boolean): boolean | undefined {
        const v = this.value[name];
        if (v === undefined && fallback !== undefined) {
            return fallback;
        }
        if (typeof v !== "boolean") {
            this.problems.add(this.key(name), v, "true or false");
            return undefined;
        }
        return v;
    }

    /** A list whose items are read by `item`; bad items are left out of the result. */
    list<T>(
        name: string,
        item: (path: string, value: unknown) => T | undefined,
        opts: { min?: number; max?: number; fallback?: T[]; unique?: boolean } = {},
    ): T[] | undefined {
        const path = this.key(name);
        const v = this.value[name];
        if (v === undefined && opts.fallback !== undefined) {
            return opts.fallback;
        }
        if (!Array.isArray(v)) {
            this.problems.add(path, v, "a list");
            return undefined;
        }
        if (opts.min !== undefined && v.length < opts.min) {
            this.problems.add(path, v, `a list of at least ${opts.min} item${opts.min === 1 ? "" : "s"}`);
        }
        if (opts.max !== undefined && v.length > opts.max) {
            this.problems.add(path, v, `a list of at most ${opts.max} items`);
        }
        if (opts.unique && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) {
            this.problems.add(path, v, "a list without duplicates");
        }
        const out: T[] = [];
        v.forEach((x, i) => {
            const r = item(child(path, i), x);
            if (r !== undefined) {
                out.push(r);
            }
        });
        return out;
    }

    /** A map of string to string (environment variables, tags, labels). */
    stringMap(name: string, opts: StringMapOptions = {}): Record<string, string> | undefined {
        const v = this.value[name];
        if (v === undefined && opts.fallback !== undefined) {
            return opts.fallback;
        }
        return readStringMap(this.problems, this.key(name), v, opts);
    }
}

export interface StringMapOptions {
    keyPattern?: RegExp;
    keyDescription?: string;
    fallback?: Record<string, string>;
}

export function readStringMap(problems: Problems, path: string, v: unknown, opts: StringMapOptions = {}): Record<string, string> | undefined {
    if (!isObject(v)) {
        problems.add(path, v, "a mapping of names to strings");
        return undefined;
    }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
        if (opts.keyPattern && !opts.keyPattern.test(k)) {
            problems.add(child(path, k), x, `a key that is ${opts.keyDescription ?? `matching ${opts.keyPattern}`}`);
        }
        if (typeof x !== "string" || x.length === 0) {
            problems.add(child(path, k), x, "a non-empty string (quote numbers and booleans in YAML)");
        } else {
            out[k] = x;
        }
    }
    return out;
}

export interface StringOptions {
    /** Regular expression the whole value must match. */
    pattern?: RegExp;
    /** Human description of the pattern, used in the message. */
    description?: string;
    /** Value used when the key is missing. */
    fallback?: string;
    maxLength?: number;
    /** Extra check on a well-formed string: returns what is expected when the value is bad. */
    check?: (value: string) => string | undefined;
}

export interface NumberOptions {
    min?: number;
    max?: number;
    integer?: boolean;
    fallback?: number;
}

export function readString(problems: Problems, path: string, v: unknown, opts: StringOptions = {}): string | undefined {
    if (v === undefined && opts.fallback !== undefined) {
        return opts.fallback;
    }
    const expected = opts.description ?? "a non-empty string";
    if (typeof v !== "string" || v.length === 0) {
        problems.add(path, v, expected);
        return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
        problems.add(path, v, expected);
        return undefined;
    }
    if (opts.maxLength !== undefined && v.length > opts.maxLength) {
        problems.add(path, v, `${expected}, at most ${opts.maxLength} characters`);
        return undefined;
    }
    const bad = opts.check?.(v);
    if (bad) {
        problems.add(path, v, bad);
        return undefined;
    }
    return v;
}

export function readOneOf<T extends string>(problems: Problems, path: string, v: unknown, allowed: readonly T[], fallback?: T): T | undefined {
    if (v === undefined && fallback !== undefined) {
        return fallback;
    }
    if (typeof v === "string" && (allowed as readonly string[]).includes(v)) {
        return v as T;
    }
    const guess = typeof v === "string" ? closest(v, allowed) : undefined;
    problems.add(path, v, `one of ${allowed.map((a) => `\`${a}\``).join(", ")}`, guess ? `Did you mean \`${guess}\`?` : undefined);
    return undefined;
}

export function readNumber(problems: Problems, path: string, v: unknown, opts: NumberOptions = {}): number | undefined {
    if (v === undefined && opts.fallback !== undefined) {
        return opts.fallback;
    }
    const kind = opts.integer ? "an integer" : "a number";
    const range =
        opts.min !== undefined && opts.max !== undefined
            ? ` from ${opts.min} to ${opts.max}`
            : opts.min !== undefined
              ? ` of at least ${opts.min}`
              : opts.max !== undefined
                ? ` of at most ${opts.max}`
                : "";
    if (typeof v !== "number" || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v))) {
        problems.add(path, v, `${kind}${range} (unquoted in YAML)`);
        return undefined;
    }
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
        problems.add(path, v, `${kind}${range}`);
        return undefined;
    }
    return v;
}

// ---- formats ------------------------------------------------------------------------------------

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isEmail(v: string): boolean {
    return EMAIL.test(v) && v.length <= 254;
}

/** Parses an IPv4 CIDR block; returns undefined when it is malformed or has host bits set. */
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
    const size = 2 ** (32 - prefix);
    if (address % size !== 0) {
        return undefined;
    }
    return { address, prefix };
}

export function cidrCheck(minPrefix = 0, maxPrefix = 32): (v: string) => string | undefined {
    const expected = `an IPv4 CIDR block such as 10.0.0.0/16 with no host bits set, prefix /${minPrefix} to /${maxPrefix}`;
    return (v) => {
        const c = parseCidr(v);
        return c && c.prefix >= minPrefix && c.prefix <= maxPrefix ? undefined : expected;
    };
}

export const IAM_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** A Kubernetes resource quantity such as `500m`, `2`, `512Mi` or `4Gi`. */
export const K8S_QUANTITY = /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** An RFC 1123 DNS label, as Kubernetes names and most AWS name parts need. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS name such as `www.flodrama.com`. */
export const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
