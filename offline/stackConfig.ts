/**
 * A stack file's `flodrama:*` values as the program reads them (optionally edited), for config tests
 * that call `parseConfig` directly instead of running the program.
 */
import { FlodramaConfig, parseConfig, RawConfig } from "../lib/config";
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
