/**
 * The one config-error test helper: a stack file's values as the program reads them (optionally
 * edited in memory), parsed by `parseConfig` directly instead of running the program.
 */
import { strict as assert } from "assert";
import { FlodramaConfig, parseConfig, RawConfig } from "../config";
import { ConfigError, Problem } from "../lib/configErrors";
import { PROJECT_DIR, readStackConfig } from "./harness";

/** An edit of a stack's values: `flodrama:*` keys without the prefix, other namespaces with theirs (`aws:region`). */
export type ConfigEdit = (values: Record<string, any>) => void;

function parseValue(v: string): unknown {
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}

/** The raw config of a stack file, as the program reads it, optionally edited. */
export function rawFor(stack: string, edit?: ConfigEdit): RawConfig {
    const { config, secretKeys } = readStackConfig(stack, edit);
    const values: Record<string, unknown> = {};
    const others: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
        if (k.startsWith("flodrama:")) {
            values[k.slice("flodrama:".length)] = parseValue(v);
        } else {
            others[k] = parseValue(v);
        }
    }
    return { region: others["aws:region"], values, others, secretKeys };
}

/** The typed config of a stack file, optionally edited; throws `ConfigError` like the program. */
export function configFor(stack: string, edit?: ConfigEdit, now?: Date): FlodramaConfig {
    return parseConfig(rawFor(stack, edit), { stack, projectDir: PROJECT_DIR, now });
}

/** The `ConfigError` a stack file raises once edited; fails the test when the edit is accepted. */
export function problemsOf(stack: string, edit: ConfigEdit, now?: Date): ConfigError {
    try {
        configFor(stack, edit, now);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return e;
    }
    assert.fail("expected the config to be rejected");
}

/** The error reports `key`, says what is allowed (matching `expected`), and its message names the key. Returns the problem. */
export function assertProblem(err: ConfigError, key: string, expected: RegExp): Problem {
    const p = err.problems.find((x) => x.key === key);
    assert.ok(p, `no problem reported for ${key}; got: ${err.problems.map((x) => `${x.key} (${x.expected})`).join("; ")}`);
    assert.match(p.expected, expected);
    assert.ok(err.message.includes(key), "the message names the key");
    return p;
}

/** The problems a stack file has once edited; empty when the edit is accepted. */
export function problemsFor(stack: string, edit: ConfigEdit, now?: Date): Problem[] {
    try {
        configFor(stack, edit, now);
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return e.problems;
    }
}
