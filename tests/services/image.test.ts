/**
 * services/Dockerfile, checked as text (no Docker engine here): pinned bases, one build arg naming
 * the service, the repository root as context with an allow-list ignore file, non-root numeric user,
 * both contract ports, and image dependencies that match the ones the tests ran against.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_APP_PORT, MANAGEMENT_PORT, SERVICE_IMAGE_BUILD, SERVICE_IMAGE_BY_ROLE, SERVICE_RUN_AS_USER } from "../../lib/serviceContract";

const ROOT = path.join(__dirname, "..", "..");
const dockerfile = fs.readFileSync(path.join(ROOT, SERVICE_IMAGE_BUILD.dockerfile), "utf8");
const ignore = fs.readFileSync(path.join(ROOT, SERVICE_IMAGE_BUILD.ignoreFile), "utf8");
const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
const args = new Map(instructions.filter((l) => /^ARG \w+=/.test(l)).map((l) => l.slice(4).split("=", 2) as [string, string]));

describe("services: the image (services/Dockerfile)", () => {
    it("pins every base image by digest", () => {
        const froms = instructions.filter((l) => l.startsWith("FROM "));
        assert.ok(froms.length >= 2, "multi-stage");
        for (const from of froms) {
            const ref = from.split(/\s+/)[1];
            const resolved = ref.replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name) ?? ref);
            const stage = /^\w+$/.test(ref) && froms.some((f) => f.endsWith(` AS ${ref}`));
            assert.ok(stage || /@sha256:[0-9a-f]{64}$/.test(resolved), `${from} is not pinned by digest (${resolved})`);
        }
        assert.match(args.get("RUNTIME_IMAGE") ?? "", /^gcr\.io\/distroless\/nodejs22-debian12:nonroot@sha256:/);
        assert.match(args.get("BUILD_IMAGE") ?? "", /^node:22-bookworm-slim@sha256:/);
    });

    it("builds one image per service from the SERVICE build arg and refuses any other value", () => {
        assert.ok(instructions.includes(`ARG ${SERVICE_IMAGE_BUILD.buildArg}`));
        const names = Object.values(SERVICE_IMAGE_BY_ROLE);
        assert.ok(dockerfile.includes(`${names.join("|")})`), `the SERVICE check lists exactly ${names.join(", ")}`);
        for (const name of names) {
            const main = fs.readFileSync(path.join(ROOT, "services", name, "main.ts"), "utf8");
            assert.match(main, /export function main\(\): void/, `services/${name}/main.ts exports the main() the entry point calls`);
        }
    });

    it("runs as the numeric non-root user the pods run as, exposes both contract ports, runs node directly", () => {
        const users = instructions.filter((l) => l.startsWith("USER "));
        assert.deepEqual(users, [`USER ${SERVICE_RUN_AS_USER}:${SERVICE_RUN_AS_USER}`]);
        assert.deepEqual(instructions.filter((l) => l.startsWith("EXPOSE ")), [`EXPOSE ${DEFAULT_APP_PORT} ${MANAGEMENT_PORT}`]);
        assert.ok(instructions.includes('CMD ["main.js"]'));
        assert.ok(instructions.some((l) => l.startsWith("ENV ") && l.includes("HOME=/tmp")), "HOME on the writable /tmp");
        assert.ok(!instructions.some((l) => l.startsWith("ADD ")), "COPY only: no remote ADD");
    });

    it("installs production dependencies only in the runtime stage, and compiles with the dev ones", () => {
        assert.ok(instructions.some((l) => l.includes("npm ci --omit=dev")));
        const runtime = instructions.slice(instructions.lastIndexOf(instructions.filter((l) => l.startsWith("FROM ")).pop()!));
        assert.ok(!runtime.some((l) => l.startsWith("RUN ")), "the distroless stage has no shell to RUN with");
        assert.deepEqual(
            runtime.filter((l) => l.startsWith("COPY ")),
            ["COPY --from=deps /app/node_modules ./node_modules", "COPY --from=select /image ./"],
        );
    });

    it("copies from the repository root only what its ignore file lets in, and that exists", () => {
        assert.equal(SERVICE_IMAGE_BUILD.ignoreFile, `${SERVICE_IMAGE_BUILD.dockerfile}.dockerignore`, "BuildKit's name for a Dockerfile's own ignore file");
        const sources = instructions.filter((l) => l.startsWith("COPY ") && !l.includes("--from=")).flatMap((l) => l.split(/\s+/).slice(1, -1));
        const allowed = ignore
            .split("\n")
            .filter((l) => l.startsWith("!"))
            .map((l) => l.slice(1));
        assert.equal(ignore.split("\n").find((l) => l.trim() !== "" && !l.startsWith("#")), "*", "allow-list: everything else is out");
        for (const src of sources) {
            assert.ok(fs.existsSync(path.join(ROOT, src)), `${src} exists`);
            assert.ok(allowed.includes(src), `${src} is let in by ${SERVICE_IMAGE_BUILD.ignoreFile}`);
        }
        assert.ok(sources.includes("lib/serviceContract.ts"), "the contract is compiled in");
    });

    it("services/package.json pins the same versions the tests ran with, and its lock file matches it", () => {
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        const svc = JSON.parse(fs.readFileSync(path.join(ROOT, "services", "package.json"), "utf8"));
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "services", "package-lock.json"), "utf8"));
        for (const [name, version] of Object.entries<string>(svc.dependencies)) {
            assert.equal(root.dependencies[name], version, `${name} in services/package.json and package.json`);
            assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is pinned exactly`);
            assert.equal(lock.packages[`node_modules/${name}`]?.version, version, `${name} in services/package-lock.json`);
        }
        assert.equal(svc.devDependencies.typescript, root.devDependencies.typescript);
    });
});
