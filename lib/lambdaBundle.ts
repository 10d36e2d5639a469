/**
 * Bundles a Lambda handler written in TypeScript (lambda/<name>/handler.ts) into one minified
 * CommonJS file for Node.js 22, with its npm dependencies and the lib/ files it imports.
 */
import { buildSync } from "esbuild";

export function bundleLambda(entryPoint: string): string {
    const result = buildSync({
        entryPoints: [entryPoint],
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        legalComments: "none",
        write: false,
    });
    return result.outputFiles[0].text;
}
