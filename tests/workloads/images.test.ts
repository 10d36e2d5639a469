/**
 * Service images without a cloud: which files the build sees (services/Dockerfile.dockerignore as
 * BuildKit reads it), the content tag (stable across runs and clones, new when a file the build sees
 * changes, unchanged otherwise), the docker-build inputs, the ECR lifecycle, prod releases resolved to
 * digests and the refusal of a release nobody pushed, and the alias form the URN baseline needs.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { lifecyclePolicy } from "../../components/workloads/imageRepositories";
import { CONTENT_TAG_LENGTH, contentTag, contextFiles, IMAGE_PLATFORM, imageArgs, missingReleaseMessage, parseDockerignore, REPOSITORY_ROOT, serviceBuild } from "../../components/workloads/serviceImage";
import { SERVICE_IMAGE_BUILD } from "../../lib/serviceContract";
import { isSecret, PROJECT_DIR, runProgram, simulate, valueOf } from "../../offline/harness";
import { ACCOUNT_ID, MISSING_RELEASE } from "../../offline/mocks";
import { mockUrnFor, urnFor } from "../../offline/urnBaseline";

const IGNORE_FILE = path.join(REPOSITORY_ROOT, SERVICE_IMAGE_BUILD.ignoreFile);
const REPO_URL = "123456789012.dkr.ecr.eu-west-3.amazonaws.com/flodrama-dev-api";

/** A copy of exactly the build's files (and a file outside them) in a fresh directory: a second clone. */
function copyOfContext(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flodrama-images-"));
    const files = [...contextFiles(REPOSITORY_ROOT, IGNORE_FILE), SERVICE_IMAGE_BUILD.dockerfile, SERVICE_IMAGE_BUILD.ignoreFile, "README.md", "services/README.md"];
    for (const rel of files) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.copyFileSync(path.join(REPOSITORY_ROOT, rel), path.join(dir, rel));
    }
    return dir;
}

describe("images: the files a service build sees", () => {
    const files = contextFiles(REPOSITORY_ROOT, IGNORE_FILE);

    it("are the contract, the services' sources and their package files, nothing else", () => {
        assert.ok(files.includes("lib/serviceContract.ts"));
        for (const f of ["services/package.json", "services/package-lock.json", "services/tsconfig.json", "services/api/main.ts", "services/scraper/main.ts", "services/watch-party/main.ts", "services/common/log.ts"]) {
            assert.ok(files.includes(f), f);
        }
        const allowed = /^(lib\/serviceContract\.ts|services\/(package\.json|package-lock\.json|tsconfig\.json|(common|api|scraper|watch-party)\/.+))$/;
        assert.deepEqual(files.filter((f) => !allowed.test(f)), []);
        assert.ok(!files.some((f) => f.endsWith(".test.ts") || f.includes("node_modules/") || f.includes("/dist/")));
        assert.ok(!files.includes("services/README.md") && !files.includes("services/Dockerfile"));
    });

    it("reads ignore rules as BuildKit does: last match wins, ! re-includes, ** spans directories, a directory rule covers its files", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flodrama-ignore-"));
        const write = (rel: string) => {
            fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
            fs.writeFileSync(path.join(dir, rel), rel);
        };
        ["a/keep.ts", "a/x.test.ts", "a/deep/node_modules/m.js", "b/skip.ts", "/c.ts".slice(1), "a/deep/y.ts"].forEach(write);
        fs.writeFileSync(path.join(dir, "ignore"), "# comment\n*\n!a\n**/node_modules\n**/*.test.ts\n!/c.ts\n");
        assert.deepEqual(contextFiles(dir, path.join(dir, "ignore")), ["a/deep/y.ts", "a/keep.ts", "c.ts"]);
        assert.equal(parseDockerignore("# only a comment\n\n").length, 0);
        assert.deepEqual(contextFiles(dir, path.join(dir, "no-such-ignore-file")).length, 7, "no ignore file: everything");
    });
});

describe("images: the content tag", () => {
    it("is a short hex hash, the same on every run and in every clone", () => {
        const tag = contentTag(serviceBuild("api"));
        assert.match(tag, new RegExp(`^[0-9a-f]{${CONTENT_TAG_LENGTH}}$`));
        assert.equal(contentTag(serviceBuild("api")), tag);
        assert.equal(contentTag(serviceBuild("api", copyOfContext())), tag, "a second clone elsewhere gives the same tag");
    });

    it("changes with any file the build sees, the Dockerfile, the build arg and the platform; not with other files", () => {
        const dir = copyOfContext();
        const tag = () => contentTag(serviceBuild("api", dir));
        const first = tag();
        fs.appendFileSync(path.join(dir, "README.md"), "\nnot in the image\n");
        fs.appendFileSync(path.join(dir, "services/README.md"), "\nignored by the ignore file\n");
        fs.mkdirSync(path.join(dir, "services/api/node_modules"), { recursive: true });
        fs.writeFileSync(path.join(dir, "services/api/node_modules/x.js"), "ignored");
        fs.writeFileSync(path.join(dir, "services/api/app.test.ts"), "ignored");
        assert.equal(tag(), first, "files the build does not see leave the tag alone: no rebuild, no rollout");

        fs.appendFileSync(path.join(dir, "services/api/app.ts"), "\n// a change\n");
        const afterService = tag();
        assert.notEqual(afterService, first, "a service file");
        fs.appendFileSync(path.join(dir, "lib/serviceContract.ts"), "\n// a change\n");
        const afterContract = tag();
        assert.notEqual(afterContract, afterService, "the contract");
        fs.appendFileSync(path.join(dir, SERVICE_IMAGE_BUILD.dockerfile), "\n# a change\n");
        assert.notEqual(tag(), afterContract, "the Dockerfile");
        fs.writeFileSync(path.join(dir, "services/common/extra.ts"), "export const x = 1;\n");
        assert.notEqual(contentTag(serviceBuild("api", dir)), contentTag(serviceBuild("scraper", dir)), "the build arg");
        assert.notEqual(contentTag({ ...serviceBuild("api", dir), platform: "linux/arm64" }), contentTag(serviceBuild("api", dir)), "the platform");
    });
});

describe("images: the docker-build inputs", () => {
    const token = pulumi.output({ userName: "AWS", password: "token-password" });

    it("builds services/Dockerfile from the repository root for linux/amd64 with the build arg, pushes under the content tag", async () => {
        const args = imageArgs(serviceBuild("watch-party"), REPO_URL, token, REPOSITORY_ROOT);
        assert.deepEqual(args.context, { location: "." });
        assert.deepEqual(args.dockerfile, { location: "services/Dockerfile" });
        assert.deepEqual(args.buildArgs, { SERVICE: "watch-party" });
        assert.deepEqual(args.platforms, [IMAGE_PLATFORM]);
        assert.equal(IMAGE_PLATFORM, "linux/amd64");
        assert.equal(args.push, true);
        assert.equal(args.buildOnPreview, false);
        assert.deepEqual(await valueOf(pulumi.output(args.tags)), [`${REPO_URL}:${contentTag(serviceBuild("watch-party"))}`]);
    });

    it("authenticates to the repository's registry with the ECR token, the password secret", async () => {
        const [registry] = (await valueOf(pulumi.output(imageArgs(serviceBuild("api"), REPO_URL, token, REPOSITORY_ROOT).registries))) as any[];
        assert.deepEqual(registry, { address: REPO_URL, username: "AWS", password: "token-password" });
        const raw = (imageArgs(serviceBuild("api"), REPO_URL, token, REPOSITORY_ROOT).registries as any[])[0];
        assert.equal(await isSecret(raw.password), true);
    });

    it("gives context and Dockerfile relative to the working directory, so a clone elsewhere changes no input", () => {
        const [one, two] = [copyOfContext(), copyOfContext()];
        const a = imageArgs(serviceBuild("api", one), REPO_URL, token, one);
        const b = imageArgs(serviceBuild("api", two), REPO_URL, token, two);
        assert.deepEqual([a.context, a.dockerfile], [b.context, b.dockerfile]);
        const below = imageArgs(serviceBuild("api", one), REPO_URL, token, path.join(one, "scripts"));
        assert.deepEqual([below.context, below.dockerfile], [{ location: ".." }, { location: "../services/Dockerfile" }]);
    });

    it("keeps the last N images in ECR", () => {
        const doc = JSON.parse(lifecyclePolicy(12));
        assert.equal(doc.rules.length, 1);
        assert.deepEqual(doc.rules[0].selection, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 12 });
        assert.deepEqual(doc.rules[0].action, { type: "expire" });
    });
});

describe("images: prod releases", () => {
    it("resolves each release through aws:ecr/getImage on the stack's provider, in the service's repository", async () => {
        const run = await runProgram("prod");
        const calls = run.invokes.filter((i) => i.token === "aws:ecr/getImage:getImage");
        assert.equal(calls.length, 3);
        const aws = run.one("pulumi:providers:aws", "aws");
        assert.ok(calls.every((c) => c.provider?.startsWith(aws.urn)), "the stack's AWS provider");
    });

    it("stops a run whose release is not in ECR, naming the repository, the workflow and the first-deploy guide", async () => {
        // The image alone, as Workloads builds it for prod's api with a release nobody pushed.
        const out = (v: string) => pulumi.output(v);
        const repository = { name: out("flodrama-prod-api"), url: out(`${ACCOUNT_ID}.dkr.ecr.eu-west-3.amazonaws.com/flodrama-prod-api`), arn: out("arn:aws:ecr:eu-west-3:123456789012:repository/flodrama-prod-api"), registryId: out(ACCOUNT_ID) };
        let image: { image: pulumi.Output<string> } | undefined;
        await simulate("prod", () => {
            const aws = require("@pulumi/aws");
            const { ServiceImage } = require("../../components/workloads/serviceImage");
            image = new ServiceImage("workloads-api-image", { serviceName: "api", source: { kind: "release", version: MISSING_RELEASE }, repository }, { provider: new aws.Provider("aws", { region: "eu-west-3" }) });
        });
        await assert.rejects(
            (image!.image as any).promise(),
            (err: Error) => {
                assert.match(err.message, new RegExp(`release: version ${MISSING_RELEASE.replace(/\./g, "\\.")} is not in the ECR repository flodrama-prod-api`));
                assert.match(err.message, /services-v0\.0\.0-unpublished/);
                assert.match(err.message, /\.github\/workflows\/services\.yml/);
                assert.match(err.message, /docs\/first-deploy\.md/);
                return true;
            },
        );
    });

    it("words the refusal with the cause and the fix", () => {
        const m = missingReleaseMessage("api", "flodrama-prod-api", "1.2.0", "ImageNotFoundException");
        assert.match(m, /^flodrama:services\[api\]\.image\.release: version 1\.2\.0 is not in the ECR repository flodrama-prod-api \(ImageNotFoundException\)/);
        assert.match(m, /push the tag services-v1\.2\.0/);
    });
});

describe("images: repositories before the cluster", () => {
    it("are registered before the cluster and depend on nothing of it, so a bootstrap run can create them", async () => {
        const run = await runProgram("dev");
        const order = (type: string) => run.resources.findIndex((r) => r.type === type);
        assert.ok(order("flodrama:images:ImageRepositories") >= 0);
        assert.ok(order("flodrama:images:ImageRepositories") < order("flodrama:cluster:EksCluster"));
        const root = run.one("flodrama:images:ImageRepositories");
        const clusterSide = new Set(run.resources.filter((r) => /^flodrama:(cluster|data|k8s):/.test(r.type) || r.type.startsWith("eks:")).flatMap((r) => [r.urn, ...run.descendants(r.urn).map((d) => d.urn)]));
        for (const r of [root, ...run.descendants(root.urn)]) {
            assert.deepEqual(r.dependencies.filter((d) => clusterSide.has(d)), [], r.name);
        }
    });
});

describe("images: URN aliases of the moved repositories", () => {
    it("also match in the form Pulumi's mocks record (parent's own type only)", () => {
        const workloads = urnFor("dev", "flodrama", "flodrama:k8s:Workloads", "workloads");
        const image = urnFor("dev", "flodrama", "flodrama:images:ServiceImage", "workloads-api-image", workloads);
        assert.equal(urnFor("dev", "flodrama", "aws:ecr/repository:Repository", "r", image), "urn:pulumi:dev::flodrama::flodrama:k8s:Workloads$flodrama:images:ServiceImage$aws:ecr/repository:Repository::r");
        assert.equal(mockUrnFor("dev", "flodrama", "aws:ecr/repository:Repository", "r", image), "urn:pulumi:dev::flodrama::flodrama:images:ServiceImage$aws:ecr/repository:Repository::r");
        assert.equal(PROJECT_DIR, REPOSITORY_ROOT);
    });
});
