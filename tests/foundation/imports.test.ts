/**
 * The layout rules, checked on the import graph of the program's code: no import cycle anywhere
 * (policy/ included); k8s/, edge/, lib/ and lambda/ never import components/ or the top-level stack
 * config; a feature (components/<feature>/) never imports another feature.
 */
import { strict as assert } from "assert";
import { cycles, featureOf, importGraph, ImportGraph, layoutViolations } from "../../offline/importGraph";

describe("foundation: import graph", () => {
    const graph = importGraph();

    it("reads the program's imports", () => {
        assert.ok(graph.size > 50, `only ${graph.size} files read`);
        assert.ok(graph.get("index.ts")?.includes("components/network/network.ts"), "index.ts → components/network/network.ts not seen");
        assert.ok(graph.get("policy/framework.ts")?.includes("policy/exceptions.ts"), "policy/framework.ts → policy/exceptions.ts not seen");
    });

    it("has no import cycle", () => {
        const found = cycles(graph);
        assert.deepEqual(found.map((c) => c.join(" → ")), [], `import cycles:\n${found.map((c) => `  ${c.join(" → ")}`).join("\n")}`);
    });

    it("keeps k8s/, edge/, lib/ and lambda/ free of features, and features free of each other", () => {
        const found = layoutViolations(graph);
        assert.deepEqual(found, [], `layout violations:\n${found.map((v) => `  ${v}`).join("\n")}`);
    });

    it("keeps every component in a feature folder", () => {
        const loose = [...graph.keys()].filter((f) => f.startsWith("components/") && featureOf(f) === undefined);
        assert.deepEqual(loose, []);
    });

    it("detects a cycle and each broken rule on a made-up graph", () => {
        const fake: ImportGraph = new Map([
            ["policy/a.ts", ["policy/b.ts"]],
            ["policy/b.ts", ["policy/a.ts"]],
            ["k8s/x.ts", ["components/api/httpApi.ts"]],
            ["lib/y.ts", ["config.ts"]],
            ["components/api/httpApi.ts", ["components/identity/identity.ts", "components/api/apiSpecs.ts"]],
        ]);
        assert.deepEqual(cycles(fake), [["policy/a.ts", "policy/b.ts", "policy/a.ts"]]);
        const v = layoutViolations(fake);
        assert.equal(v.length, 3, v.join("\n"));
        assert.ok(v.some((s) => s.startsWith("k8s/x.ts → components/api/httpApi.ts")));
        assert.ok(v.some((s) => s.startsWith("lib/y.ts → config.ts")));
        assert.ok(v.some((s) => s.includes("feature api imports feature identity")));
    });
});
