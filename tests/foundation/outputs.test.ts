/**
 * The README's "Stack outputs" table names every output that index.ts exports, and nothing else:
 * the table is the ops team's reference, so it must not drift from the program.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../offline/harness";

describe("README: stack outputs", () => {
    it("documents exactly the outputs index.ts exports", () => {
        const exported = [...fs.readFileSync(path.join(PROJECT_DIR, "index.ts"), "utf8").matchAll(/^export const (\w+)/gm)].map((m) => m[1]).sort();
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Stack outputs"), readme.indexOf("\n## ", readme.indexOf("## Stack outputs") + 1));
        const rows = section.split("\n").filter((l) => l.startsWith("| `"));
        const documented = rows.flatMap((l) => [...l.split("|")[1].matchAll(/`(\w+)`/g)].map((m) => m[1])).sort();
        assert.ok(exported.length > 30, "index.ts exports the stack outputs");
        assert.deepEqual(documented, exported);
    });
});
