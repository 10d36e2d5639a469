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

// The offline harness evicts the program's modules before every run, so the same files are loaded
// dozens of times in one test process: transpile each file once per content (an esbuild call is a
// round trip to its service process).
const transpiled = new Map();

require.extensions[".ts"] = function compileTs(module, filename) {
    const source = fs.readFileSync(filename, "utf8");
    const cached = transpiled.get(filename);
    if (cached && cached.source === source) {
        module._compile(cached.code, filename);
        return;
    }
    const { code } = esbuild.transformSync(source, {
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
    transpiled.set(filename, { source, code });
    module._compile(code, filename);
};
