/**
 * The deploy path as README and docs tell it agrees with the program and with itself: the first prod
 * deploy pushes the release between the bootstrap run and the full `up`, every `pulumi up` they show
 * runs the policy pack, the API Gateway account-setting rule matches the committed stack files, the
 * dev deployer is never told to be listed as the cluster creator, and the two stories told twice
 * (Lambda@Edge on destroy, ECR's immutable tags on a retry) are told the same way.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { PROJECT_DIR } from "../../offline/harness";
import { configFor } from "../../offline/stackConfig";
import { physicalName } from "../../lib/naming";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const flat = (text: string) => text.replace(/\s+/g, " ");
const readme = read("README.md");
const firstDeploy = read("docs/first-deploy.md");

/** Shell lines of the fenced code blocks of a Markdown text, comments stripped. */
function commandLines(markdown: string): string[] {
    const blocks = [...markdown.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks.flatMap((b) => b.split("\n")).map((l) => l.replace(/\s+#.*$/, "").trim()).filter((l) => l && !l.startsWith("#"));
}

describe("deploy path docs: the first prod deploy", () => {
    for (const [name, doc] of [["docs/first-deploy.md", firstDeploy], ["README.md", readme]] as const) {
        it(`${name}: bootstrap up, then the services release tag, then the runner build`, () => {
            const lines = commandLines(doc);
            const bootstrap = lines.findIndex((l) => l.startsWith("pulumi config set --stack prod flodrama:bootstrap true"));
            const bootstrapUp = lines.findIndex((l, i) => i > bootstrap && l.startsWith("pulumi up --stack prod"));
            const tag = lines.findIndex((l) => /^git tag services-v\d+\.\d+\.\d+ && git push origin services-v\d+\.\d+\.\d+$/.test(l));
            const build = lines.findIndex((l) => l.startsWith(`aws codebuild start-build --region eu-west-3 --project-name ${physicalName("prod", "deploy-runner")}`));
            assert.ok(bootstrap >= 0 && bootstrapUp > bootstrap, "the bootstrap run");
            assert.ok(tag > bootstrapUp, "the release is pushed after the bootstrap created the repositories");
            assert.ok(build > tag, "and before the full up, which resolves it");
            const services = parseYaml(read("Pulumi.prod.yaml")).config["flodrama:services"] as Array<{ image: { release?: string } }>;
            const release = services.map((s) => s.image.release);
            assert.ok(release.every((r) => r !== undefined), "prod runs releases");
            assert.ok(release.every((r) => lines[tag].includes(`services-v${r} `)), `the tag is the release Pulumi.prod.yaml runs (${release.join(", ")})`);
        });

        it(`${name}: every pulumi up runs the policy pack, whose dependencies are installed first`, () => {
            const lines = commandLines(doc);
            const ups = lines.filter((l) => /^pulumi up\b/.test(l));
            assert.ok(ups.length >= 1);
            assert.deepEqual(ups.filter((l) => !l.includes("--policy-pack policy")), []);
            const install = lines.findIndex((l) => /npm ci --prefix policy|cd policy && npm ci/.test(l));
            assert.ok(install >= 0 && install < lines.indexOf(ups[0]), "npm ci of policy/ before the first up");
        });
    }

    it("the runner's buildspec, as first-deploy.md describes it, runs up under the policy pack", () => {
        assert.match(flat(firstDeploy), /`pulumi up --yes --non-interactive --diff --policy-pack policy --stack <stack>`/);
        assert.match(flat(firstDeploy), /`npm ci --prefix policy`/);
    });
});

describe("deploy path docs: API Gateway's account setting", () => {
    it("the committed files assume dev and prod in one account: prod manages the setting, dev relies on it", () => {
        assert.equal(configFor("prod").api.manageAccountSettings, true);
        assert.equal(configFor("dev").api.manageAccountSettings, false);
        assert.match(flat(read("Pulumi.dev.yaml")), /dev and prod in ONE # account and region, prod manages the setting, so prod is deployed first/);
    });

    it("README and docs state the same rule and the order it implies", () => {
        const rule = /`true` where no other stack of the same account and region manages/;
        assert.match(flat(readme), rule);
        assert.match(flat(readme), /committed stack files assume dev and prod in \*\*one account and region\*\*.*\*\*prod is deployed first\*\*/);
        assert.match(flat(readme), /### 5\. dev: deploy and verify In the committed layout \(dev and prod in one account\) do step 6 first/);
        for (const file of ["docs/destroy.md", "docs/api.md"]) {
            assert.match(flat(read(file)), /`true` in a stack when no other stack of the same account and region manages API Gateway's account setting, `false` otherwise/, file);
        }
        assert.doesNotMatch(flat(read("docs/first-deploy.md")), /dev in its own account is recommended/);
    });
});

describe("deploy path docs: the dev deployer and the cluster creator", () => {
    it("docs/ci.md never gives flodrama-dev-deployer an access entry it would refuse as the creator", () => {
        const row = read("docs/ci.md").split("\n").find((l) => l.startsWith("| `flodrama-dev-deployer` |"))!;
        assert.doesNotMatch(row, /cluster-admin access entry/);
        assert.match(row, /\*\*not\*\* listed in `cluster\.access\.deployers`.*ResourceInUseException/);
        // README's path: the workstation creates dev's cluster, then lists the CI role for CI to take over.
        assert.match(flat(readme), /list `flodrama-dev-deployer` in `cluster\.access\.deployers` and `pulumi up` once more: your workstation identity created the cluster/);
    });
});

describe("deploy path docs: stories told twice are told the same", () => {
    it("Lambda@Edge on dev's first destroy: one sentence in README and docs/destroy.md", () => {
        const sentence = /The first `pulumi destroy` of dev stops on the Lambda@Edge function \("unable to delete \.\.\. because it is a replicated function"\) until CloudFront has removed its replicas, which takes hours; run `pulumi destroy -s dev` again then and it finishes\./;
        assert.match(flat(readme), sentence);
        assert.match(flat(read("docs/destroy.md")), sentence);
    });

    it("ECR's immutable tags on a retried dev up: the recovery is in docs/workloads.md and README", () => {
        const workloads = flat(read("docs/workloads.md"));
        const images = workloads.slice(workloads.indexOf('<a id="images"></a>'), workloads.indexOf("### Per service"));
        assert.match(images, /ImageTagAlreadyExistsException/);
        assert.match(images, /aws ecr batch-delete-image --repository-name flodrama-dev-<service> --image-ids imageTag=<content tag>/);
        assert.match(flat(readme), /ImageTagAlreadyExistsException.*aws ecr batch-delete-image --repository-name flodrama-dev-<service>/);
        assert.equal(physicalName("dev", "api", "ecrRepository"), "flodrama-dev-api", "the repository name pattern the docs use");
    });
});
