/**
 * The README's "Configuration" table gives each optional key's default. Where that default is one
 * literal (`false`, `120`, `[]`, `main`...), removing the key from a stack file must give exactly that
 * value: the table is what operators read before leaving a key out, so it must not drift from the schemas.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../offline/harness";
import { configFor } from "../../offline/stackConfig";

/** The Configuration section's two tables: the stack keys, then the keys of each `services[]` entry. */
function configTables(): { stackKeys: string; serviceKeys: string } {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    const start = readme.indexOf("## Configuration");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const split = section.indexOf("Each `services[]` entry");
    return { stackKeys: section.slice(0, split), serviceKeys: section.slice(split) };
}

/** The rows whose key is one dotted path and whose default (cell `defaultCell`) is one backticked literal. */
function literalDefaults(table: string, defaultCell: number): { key: string; literal: string }[] {
    return table
        .split("\n")
        .filter((l) => l.startsWith("| `"))
        // Cells are split on unescaped pipes: a type such as `dev` \| `prod` holds escaped ones.
        .map((l) => l.split(/(?<!\\)\|/).map((c) => c.trim()))
        .map((cells) => ({ key: cells[1], literal: cells[defaultCell] }))
        .filter((r) => /^`[A-Za-z.]+`$/.test(r.key) && /^`[^`<]+`$/.test(r.literal))
        .map((r) => ({ key: r.key.slice(1, -1), literal: r.literal.slice(1, -1) }));
}

function parseLiteral(s: string): unknown {
    try {
        return JSON.parse(s);
    } catch {
        return s;
    }
}

/** The config with `key` removed, from the first stack file that stays valid without it. */
function valueWithout(key: string): unknown {
    const parts = key.split(".");
    const remove = (v: Record<string, any>) => {
        const parent = parts.slice(0, -1).reduce((o, p) => o?.[p], v);
        if (parent) {
            delete parent[parts[parts.length - 1]];
        }
    };
    const errors: string[] = [];
    for (const stack of ["dev", "prod"]) {
        try {
            const cfg = configFor(stack, remove) as unknown as Record<string, any>;
            return parts.reduce((o, p) => o?.[p], cfg);
        } catch (e) {
            errors.push(`${stack}: ${(e as Error).message.split("\n").slice(0, 3).join(" ")}`);
        }
    }
    assert.fail(`no stack file stays valid without ${key}:\n${errors.join("\n")}`);
}

describe("README: configuration defaults", () => {
    const tables = configTables();
    const rows = literalDefaults(tables.stackKeys, 3);
    const serviceRows = literalDefaults(tables.serviceKeys, 2);

    it("finds the literal defaults to check", () => {
        assert.ok(rows.length >= 10, `only ${rows.length} rows with a literal default: has the table's layout changed?`);
    });

    for (const { key, literal } of rows) {
        it(`${key}: absent means ${literal}`, () => {
            assert.deepEqual(valueWithout(key), parseLiteral(literal));
        });
    }

    it("finds the literal defaults of a services[] entry", () => {
        assert.ok(serviceRows.length >= 4, `only ${serviceRows.length} services[] rows with a literal default`);
    });

    for (const { key, literal } of serviceRows) {
        it(`services[].${key}: absent means ${literal}`, () => {
            // The first dev service (the REST API): every optional key may be left out of it.
            const cfg = configFor("dev", (v) => delete v.services[0][key]);
            assert.deepEqual((cfg.services[0] as unknown as Record<string, unknown>)[key], parseLiteral(literal));
        });
    }
});
