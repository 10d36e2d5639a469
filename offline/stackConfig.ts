/**
 * A stack file's `flodrama:*` values as the program reads them (optionally edited), for config tests
 * that call `parseConfig` directly instead of running the program.
 */
import { strict as assert } from "assert";
import { ConfigError, FlodramaConfig, parseConfig, RawConfig } from "../lib/config";
import { PROJECT_DIR, readStackConfig } from "./harness";

/** The raw `flodrama:*` values of a stack file, as the program reads them, optionally edited. */
export function rawFor(stack: string, edit?: (v: Record<string, any>) => void): RawConfig {
    const { config } = readStackConfig(stack, edit);
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
        if (k.startsWith("flodrama:")) {
            try {
                values[k.slice("flodrama:".length)] = JSON.parse(v);
            } catch {
                values[k.slice("flodrama:".length)] = v;
            }
        }
    }
    return { region: config["aws:region"], values };
}

/** The typed config of a stack file, optionally edited; throws `ConfigError` like the program. */
export function configFor(stack: string, edit?: (v: Record<string, any>) => void): FlodramaConfig {
    return parseConfig(rawFor(stack, edit), { stack, projectDir: PROJECT_DIR });
}

/** The `ConfigError` a stack file raises once edited; fails the test when the edit is accepted. */
export function problemsOf(stack: string, edit: (v: Record<string, any>) => void): ConfigError {
    try {
        configFor(stack, edit);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return e;
    }
    assert.fail("expected the config to be rejected");
}

/** The error reports `key`, says what is allowed (matching `expected`), and its message names the key. */
export function assertProblem(err: ConfigError, key: string, expected: RegExp): void {
    const p = err.problems.find((x) => x.key === key);
    assert.ok(p, `no problem reported for ${key}; got: ${err.problems.map((x) => `${x.key} (${x.expected})`).join("; ")}`);
    assert.match(p!.expected, expected);
    assert.ok(err.message.includes(key), "the message names the key");
}
