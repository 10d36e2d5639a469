/**
 * The config error machinery, shared by every feature's schema and knowing none of them: a `Problem`
 * per mistake (key path, value as written, what is allowed, a fix line with the exact `pulumi config`
 * command), the conversion of zod issues into problems, "did you mean" for misspelt keys and values,
 * and the message of a YAML syntax error in a stack file. One `ConfigError` lists every problem.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** One thing wrong with the stack config. */
export interface Problem {
    /** Full key, e.g. `flodrama:cluster.nodeGroups[0].minSize` or `aws:region`. */
    key: string;
    /** The value found, as written; `undefined` when the key is missing. */
    value: unknown;
    /** What is allowed, phrased to complete "expected ...". */
    expected: string;
    /** How to fix it: an optional hint, then the exact `pulumi config set` or `rm` command. */
    fix: string;
}

/** What a schema may attach to a custom issue (`ctx.addIssue({ params })`). */
export interface IssueParams {
    /** A hint put before the fix command, e.g. "Lower minSize or raise maxSize.". */
    hint?: string;
    /** The value to show instead of the one at the issue's path (a list of names, or a redaction). */
    value?: unknown;
    /** When set, the key itself is wrong: the fix says to remove it and names this intended key. */
    unknownKeyOf?: readonly string[];
}

/** A value that was a `secure:` secret in the stack file; its plaintext never appears in messages. */
export class SecretValue {
    toString(): string {
        return "[secret]";
    }
    toJSON(): string {
        return "[secret]";
    }
}

/** `.inf`, `-.inf`, `.nan` as YAML writes them (the offline reader hands them over as written). */
const YAML_NON_FINITE = /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/;

/** A short, readable rendering of a config value, as the user wrote it. */
export function show(value: unknown): string {
    if (value === undefined) {
        return "nothing (the key is missing)";
    }
    if (value instanceof SecretValue) {
        return "a secret (`secure:` value)";
    }
    if (typeof value === "string" && YAML_NON_FINITE.test(value)) {
        return `${value} (YAML for a non-finite number)`;
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
        return String(value);
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
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
        const d = editDistance(word.toLowerCase(), c.toLowerCase());
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function splitKey(key: string): { ns: string; rest: string; pathed: boolean } {
    const i = key.indexOf(":");
    const rest = key.slice(i + 1);
    return { ns: key.slice(0, i), rest, pathed: /[.[]/.test(rest) };
}

/** `pulumi config set --stack dev [--path] 'ns:key' <value>`. */
export function setCommand(stack: string, key: string): string {
    const { ns, rest, pathed } = splitKey(key);
    return `pulumi config set --stack ${stack}${pathed ? " --path" : ""} '${ns}:${rest}' <value>`;
}

/** `pulumi config rm --stack dev [--path] 'ns:key'`. */
export function rmCommand(stack: string, key: string): string {
    const { ns, rest, pathed } = splitKey(key);
    return `pulumi config rm --stack ${stack}${pathed ? " --path" : ""} '${ns}:${rest}'`;
}

/** A problem whose fix is to set the key to an allowed value. */
export function problem(stack: string, key: string, value: unknown, expected: string, hint?: string): Problem {
    const how = `Edit Pulumi.${stack}.yaml or run \`${setCommand(stack, key)}\`.`;
    return { key, value, expected, fix: hint ? `${hint} ${how}` : how };
}

/** A key nobody reads (misspelt or stale): the fix removes it and names the likely intended key. */
export function unknownKeyProblem(stack: string, key: string, value: unknown, known: readonly string[], intended?: string): Problem {
    const expected = `no such key; known keys here: ${known.join(", ")}`;
    const rm = `Remove it: run \`${rmCommand(stack, key)}\` (or delete it from Pulumi.${stack}.yaml)`;
    return { key, value, expected, fix: intended ? `Did you mean \`${intended}\`? ${rm}, then set \`${intended}\` instead.` : `${rm}.` };
}

/** `prefix.a[0].b` for a zod issue path below `prefix` (e.g. `flodrama:cluster`). */
export function keyOf(prefix: string, path: readonly PropertyKey[]): string {
    // Below a namespace (`flodrama:`), the first part is a top-level key: `flodrama:network`, not `flodrama:.network`.
    return path.reduce<string>((k, p) => (typeof p === "number" ? `${k}[${p}]` : k.endsWith(":") ? `${k}${String(p)}` : `${k}.${String(p)}`), prefix);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    let v = input;
    for (const p of path) {
        if (v === null || typeof v !== "object") {
            return undefined;
        }
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

/**
 * Problems from zod issues of a value read under `prefix`. Unknown keys (strict objects) give one
 * problem per key with the nearest known key; enum values a "did you mean"; a secret where a plain
 * value is expected says so without showing it.
 */
export function problemsFromIssues(stack: string, prefix: string, input: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
    const out: Problem[] = [];
    for (const issue of issues) {
        const params = ((issue as { params?: IssueParams }).params ?? {}) as IssueParams;
        if (issue.code === "unrecognized_keys") {
            const known = issue.message.slice(issue.message.indexOf(": ") + 2).split(", ");
            const container = valueAt(input, issue.path) as Record<string, unknown>;
            for (const k of issue.keys) {
                const key = keyOf(prefix, [...issue.path, k]);
                const guess = closest(k, known);
                out.push(unknownKeyProblem(stack, key, container?.[k], known, guess && keyOf(prefix, [...issue.path, guess])));
            }
            continue;
        }
        const key = keyOf(prefix, issue.path);
        const value = "value" in params ? params.value : valueAt(input, issue.path);
        if (params.unknownKeyOf) {
            const guess = closest(String(issue.path[issue.path.length - 1] ?? ""), params.unknownKeyOf);
            out.push(unknownKeyProblem(stack, key, value, params.unknownKeyOf, guess && keyOf(prefix, [...issue.path.slice(0, -1), guess])));
            continue;
        }
        if (value instanceof SecretValue) {
            out.push(problem(stack, key, value, `${issue.message}, written in plain: a secret is not allowed here`, "Remove `secure:` and write the value itself."));
            continue;
        }
        let hint = params.hint;
        if (!hint && issue.code === "invalid_value" && typeof value === "string") {
            const guess = closest(value, issue.values.map(String));
            hint = guess ? `Did you mean \`${guess}\`?` : undefined;
        }
        out.push(problem(stack, key, value, issue.message, hint));
    }
    return out;
}

/** Thrown before any resource is created; a `RunError` so Pulumi prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stackName: string,
        readonly problems: Problem[],
    ) {
        super(formatProblems(stackName, problems));
        this.name = "ConfigError";
    }
}

export function formatProblems(stack: string, problems: readonly Problem[]): string {
    const lines = problems.map((p, i) => `  ${i + 1}. ${p.key}: expected ${p.expected}; found ${show(p.value)}.\n     Fix: ${p.fix}`);
    return `Stack config for \`${stack}\` has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was created:\n${lines.join("\n")}`;
}

/** A stack file that is not valid YAML: file, line, column and the offending line, no stack trace. */
export class StackFileError extends pulumi.RunError {
    constructor(
        readonly file: string,
        readonly line: number,
        readonly column: number,
        reason: string,
        text: string,
    ) {
        const source = text.split(/\r?\n/)[line - 1] ?? "";
        const gutter = String(line).length;
        super(
            `${file}:${line}:${column}: not valid YAML: ${reason}\n` +
                `  ${line} | ${source}\n` +
                `  ${" ".repeat(gutter)} | ${" ".repeat(Math.max(0, column - 1))}^\n` +
                `Fix: correct line ${line} of ${file} (YAML indents with spaces, and a key needs ": " before its value); nothing was created.`,
        );
        this.name = "StackFileError";
    }
}
