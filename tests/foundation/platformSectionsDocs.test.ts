/**
 * Area docs say where their component is wired: `platform.ts` under "<section>". Those sections are
 * the `// ---- <section>[: details] ----` headers of platform.ts; a renamed header must not leave docs pointing
 * at a section that no longer exists.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../offline/harness";

describe("docs: platform.ts sections", () => {
    const platform = fs.readFileSync(path.join(PROJECT_DIR, "platform.ts"), "utf8");
    const sections = new Set([...platform.matchAll(/^\s*\/\/ ---- (.+?) -{3,}\s*$/gm)].map((m) => m[1].split(":")[0]));
    const docsDir = path.join(PROJECT_DIR, "docs");
    const cited = fs
        .readdirSync(docsDir)
        .filter((f) => f.endsWith(".md"))
        .flatMap((f) => [...fs.readFileSync(path.join(docsDir, f), "utf8").matchAll(/`platform\.ts`\s+under\s+"([^"]+)"/g)].map((m) => ({ doc: f, section: m[1] })));

    it("finds the sections and the docs that cite them", () => {
        assert.ok(sections.size >= 6, `platform.ts has ${sections.size} section headers`);
        assert.ok(cited.length >= 6, `only ${cited.length} docs cite a platform.ts section`);
    });

    it("cites only sections platform.ts has", () => {
        const missing = cited.filter((c) => !sections.has(c.section)).map((c) => `${c.doc}: "${c.section}"`);
        assert.deepEqual(missing, [], `platform.ts sections: ${[...sections].join(", ")}`);
    });
});
