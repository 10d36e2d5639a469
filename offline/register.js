/**
 * A fast TypeScript loader for the offline plan: each `.ts` file is transpiled with esbuild (a
 * dependency already, for the edge bundle) instead of ts-node's TypeScript compiler, and no
 * source-map-support is installed. Pulumi captures `new Error().stack` for every promise and resource,
 * so source mapping every stack costs seconds per run. Types are not checked here: `npm test` runs tsc.
 * Usage: `node -r ./offline/register.js scripts/plan.ts dev`. Set FLODRAMA_SOURCE_MAPS=1 to map stack
 * traces back to the .ts lines (Node's own source maps; costs about a second per program run).
 */
"use strict";
const fs = require("fs");
const esbuild = require("esbuild");

const sourceMaps = process.env.FLODRAMA_SOURCE_MAPS === "1";
if (sourceMaps) {
    process.setSourceMapsEnabled(true);
}

// Node 22+ caches compiled bytecode of node_modules between runs; older versions lack the call.
require("module").enableCompileCache?.();

require.extensions[".ts"] = function compileTs(module, filename) {
    const { code } = esbuild.transformSync(fs.readFileSync(filename, "utf8"), {
        loader: "ts",
        format: "cjs",
        target: "node20",
        sourcefile: filename,
        // Keep names as written: the program and the mocks read constructor and function names.
        keepNames: true,
        sourcemap: sourceMaps ? "inline" : false,
        // `await import("./x")` becomes a require, as tsc emits it for CommonJS.
        supported: { "dynamic-import": false },
    });
    module._compile(code, filename);
};
