/**
 * A small evaluator of GitHub Actions expressions, enough for the workflows' `if:` conditions:
 * property access on contexts, string/boolean/number literals, `==`, `!=`, `&&`, `||`, `!`,
 * parentheses. GitHub's rules: string comparison ignores case, `&&`/`||` return an operand, a
 * missing property is null. Anything else throws, so a condition the tests cannot read is loud.
 */
export type Context = Record<string, unknown>;

type Token = { kind: "op" | "str" | "num" | "ident"; value: string };

function tokenize(src: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < src.length) {
        const c = src[i];
        if (/\s/.test(c)) {
            i++;
        } else if (src.startsWith("&&", i) || src.startsWith("||", i) || src.startsWith("==", i) || src.startsWith("!=", i)) {
            tokens.push({ kind: "op", value: src.slice(i, i + 2) });
            i += 2;
        } else if ("()!".includes(c)) {
            tokens.push({ kind: "op", value: c });
            i++;
        } else if (c === "'") {
            let j = i + 1;
            let s = "";
            while (j < src.length) {
                if (src[j] === "'" && src[j + 1] === "'") {
                    s += "'";
                    j += 2;
                } else if (src[j] === "'") {
                    break;
                } else {
                    s += src[j++];
                }
            }
            if (j >= src.length) {
                throw new Error(`unterminated string in expression: ${src}`);
            }
            tokens.push({ kind: "str", value: s });
            i = j + 1;
        } else if (/[0-9]/.test(c)) {
            const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
            tokens.push({ kind: "num", value: m[0] });
            i += m[0].length;
        } else if (/[A-Za-z_]/.test(c)) {
            const m = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*/.exec(src.slice(i))!;
            tokens.push({ kind: "ident", value: m[0] });
            i += m[0].length;
        } else {
            throw new Error(`unsupported character "${c}" in expression: ${src}`);
        }
    }
    return tokens;
}

function truthy(v: unknown): boolean {
    return !(v === null || v === undefined || v === false || v === 0 || v === "" || Number.isNaN(v));
}

function equal(a: unknown, b: unknown): boolean {
    if (typeof a === "string" && typeof b === "string") {
        return a.toLowerCase() === b.toLowerCase();
    }
    return (a ?? null) === (b ?? null);
}

/** Evaluates `expr` (with or without the `${{ }}` wrapper) against `ctx`. */
export function evaluate(expr: string, ctx: Context): unknown {
    const src = expr.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
    const tokens = tokenize(src);
    let pos = 0;
    const peek = () => tokens[pos];
    const take = (value?: string) => {
        const t = tokens[pos];
        if (!t || (value !== undefined && t.value !== value)) {
            throw new Error(`expected ${value ?? "a token"} at token ${pos} of: ${src}`);
        }
        pos++;
        return t;
    };
    const primary = (): unknown => {
        const t = take();
        if (t.kind === "op" && t.value === "(") {
            const v = or();
            take(")");
            return v;
        }
        if (t.kind === "op" && t.value === "!") {
            return !truthy(primary());
        }
        if (t.kind === "str") {
            return t.value;
        }
        if (t.kind === "num") {
            return Number(t.value);
        }
        if (t.kind === "ident") {
            if (peek()?.value === "(") {
                throw new Error(`function calls are not supported by this evaluator: ${t.value}() in ${src}`);
            }
            if (t.value === "true" || t.value === "false") {
                return t.value === "true";
            }
            if (t.value === "null") {
                return null;
            }
            return t.value.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] ?? null : null), ctx);
        }
        throw new Error(`unexpected "${t.value}" in: ${src}`);
    };
    const comparison = (): unknown => {
        let v = primary();
        while (peek()?.value === "==" || peek()?.value === "!=") {
            const op = take().value;
            const r = primary();
            v = op === "==" ? equal(v, r) : !equal(v, r);
        }
        return v;
    };
    const and = (): unknown => {
        let v = comparison();
        while (peek()?.value === "&&") {
            take();
            const r = comparison();
            v = truthy(v) ? r : v;
        }
        return v;
    };
    const or = (): unknown => {
        let v = and();
        while (peek()?.value === "||") {
            take();
            const r = and();
            v = truthy(v) ? v : r;
        }
        return v;
    };
    const result = or();
    if (pos !== tokens.length) {
        throw new Error(`unexpected "${tokens[pos].value}" in: ${src}`);
    }
    return result;
}

/** Whether an `if:` condition holds (an absent condition always does). */
export function holds(condition: string | boolean | undefined, ctx: Context): boolean {
    if (condition === undefined) {
        return true;
    }
    return typeof condition === "boolean" ? condition : truthy(evaluate(condition, ctx));
}
