#!/usr/bin/env node
/**
 * `npm test`: the strict type-check (tsc) and the mocha suite run side by side — on two cores the
 * type-check costs no wall time of its own. Mocha's report streams as it runs; tsc's output follows.
 * Exits non-zero when either fails. `npm run typecheck` and `npm run test:unit` run one half alone.
 */
"use strict";
const { spawn } = require("child_process");
const path = require("path");

const root = path.resolve(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const extra = process.argv.slice(2);

function run(cmd, args, stream) {
    return new Promise((resolve) => {
        const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", stream ? "inherit" : "pipe", stream ? "inherit" : "pipe"] });
        let out = "";
        if (!stream) {
            child.stdout.on("data", (d) => (out += d));
            child.stderr.on("data", (d) => (out += d));
        }
        child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
    });
}

(async () => {
    const started = Date.now();
    const [tsc, mocha] = await Promise.all([
        run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"], false),
        run(bin("mocha"), ["tests/**/*.test.ts", ...extra], true),
    ]);
    process.stdout.write(tsc.code === 0 ? "\ntype-check (tsc --noEmit, strict): no errors\n" : `\ntype-check (tsc --noEmit, strict) FAILED:\n${tsc.out}\n`);
    console.log(`npm test: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
    process.exit(tsc.code !== 0 ? tsc.code : mocha.code);
})();
