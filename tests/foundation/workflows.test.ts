/**
 * The GitHub workflows, read as YAML: pinned actions and CLI, which jobs run for which event (forks,
 * this repository's pull requests, pushes, dispatches: the `if:` conditions are evaluated), prod only
 * on a required self-hosted runner, roles only from environments, least permissions, the drift check,
 * the services image pipeline, and docs/ci.md naming every environment and variable used.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { PROJECT_DIR, readStackConfig, stackNames } from "../../offline/harness";
import { physicalName } from "../../lib/naming";
import { deployBuildspec, startBuildCommand } from "../../components/runner/runnerSpecs";
import { Context, evaluate, holds } from "./githubExpressions";

const WORKFLOW_DIR = path.join(PROJECT_DIR, ".github/workflows");

interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    name?: string;
    if?: string;
    needs?: string | string[];
    "runs-on": string;
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    strategy?: { matrix?: { include?: Array<Record<string, unknown>> } };
    env?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    on: Record<string, any>;
    permissions: Record<string, string>;
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}

const files = fs.readdirSync(WORKFLOW_DIR).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
const raw: Record<string, string> = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(WORKFLOW_DIR, f), "utf8")]));
const workflows: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parseYaml(raw[f]) as Workflow]));

const pulumiVersion: string = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];

const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const envOf = (job: Job): string | undefined => (typeof job.environment === "string" ? job.environment : job.environment?.name);
const usesAction = (job: Job, action: string) => job.steps.filter((s) => s.uses?.split("@")[0] === action);
const allJobs = () => files.flatMap((f) => Object.entries(workflows[f].jobs).map(([id, job]) => ({ file: f, id, job })));

/** Whether a job runs for an event: its `if:` holds and every job it needs runs (no job here uses always() on that path). */
function runs(wf: Workflow, id: string, ctx: Context): boolean {
    const job = wf.jobs[id];
    return holds(job.if, ctx) && needsOf(job).every((n) => runs(wf, n, ctx));
}

const REPO = "flodrama/flodrama-infra";
const events: Record<string, Context> = {
    forkPullRequest: { github: { event_name: "pull_request", repository: REPO, ref: "refs/pull/7/merge", event: { pull_request: { head: { repo: { full_name: "someone/flodrama-infra" } } } } } },
    ownPullRequest: { github: { event_name: "pull_request", repository: REPO, ref: "refs/pull/8/merge", event: { pull_request: { head: { repo: { full_name: REPO } } } } } },
    pushMain: { github: { event_name: "push", repository: REPO, ref: "refs/heads/main", event: {} } },
    dispatchDev: { github: { event_name: "workflow_dispatch", repository: REPO, ref: "refs/heads/main", event: {} }, inputs: { stack: "dev" } },
    dispatchProd: { github: { event_name: "workflow_dispatch", repository: REPO, ref: "refs/heads/main", event: {} }, inputs: { stack: "prod" } },
    dispatchProdFromBranch: { github: { event_name: "workflow_dispatch", repository: REPO, ref: "refs/heads/feature", event: {} }, inputs: { stack: "prod" } },
};
const runningJobs = (file: string, event: string) => Object.keys(workflows[file].jobs).filter((id) => runs(workflows[file], id, events[event]));

describe("expression evaluator used by these tests", () => {
    it("reads contexts, compares case-insensitively and returns operands from && and ||", () => {
        assert.equal(evaluate("${{ github.event_name == 'PUSH' }}", events.pushMain), true);
        assert.equal(evaluate("vars.MISSING || 'ubuntu-latest'", {}), "ubuntu-latest");
        assert.equal(evaluate("github.event_name == 'push' && inputs.stack", events.pushMain), null);
        assert.equal(evaluate("!(github.event_name == 'push')", events.pushMain), false);
        assert.throws(() => evaluate("always()", {}), /function calls are not supported/);
    });
});

describe("workflows: pinning", () => {
    it("has the four workflows", () => {
        assert.deepEqual(files, ["ci.yml", "deploy.yml", "drift.yml", "services.yml"]);
    });

    it("pins every action by a full commit SHA with its version in a comment, the same pin everywhere", () => {
        const pins = new Map<string, string>();
        for (const f of files) {
            const parsed = allJobs().filter((j) => j.file === f).flatMap((j) => j.job.steps.filter((s) => s.uses).map((s) => s.uses!));
            const lines = raw[f].split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
            assert.equal(lines.length, parsed.length, `${f}: every uses: line is a step`);
            for (const line of lines) {
                const m = /^\s*(?:-\s+)?uses:\s+([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s+#\s+(v\d+\.\d+\.\d+)\s*$/.exec(line);
                assert.ok(m, `${f}: "${line.trim()}" must be owner/repo@<40-hex SHA> # vX.Y.Z`);
                const pin = `${m[2]} ${m[3]}`;
                assert.equal(pins.get(m[1]) ?? pin, pin, `${m[1]} pinned differently across workflows`);
                pins.set(m[1], pin);
            }
        }
        assert.ok(pins.size >= 6, "checkout, setup-node, AWS credentials, Pulumi, ECR login, buildx, build-push");
    });

    it("pins the Pulumi CLI to the release of @pulumi/pulumi in package.json", () => {
        assert.match(pulumiVersion, /^\d+\.\d+\.\d+$/, "package.json pins @pulumi/pulumi exactly");
        const steps = allJobs().flatMap((j) => usesAction(j.job, "pulumi/actions").map((s) => ({ ...j, step: s })));
        assert.ok(steps.length >= 5, "previews of both stacks, dev's up, drift of both stacks");
        for (const { file, id, step } of steps) {
            assert.equal(step.with?.["pulumi-version"], pulumiVersion, `${file} ${id}: pulumi-version`);
        }
    });

    it("takes Node from .nvmrc (22) everywhere Node is set up", () => {
        assert.equal(fs.readFileSync(path.join(PROJECT_DIR, ".nvmrc"), "utf8").trim(), "22");
        for (const { file, id, job } of allJobs()) {
            for (const s of usesAction(job, "actions/setup-node")) {
                assert.equal(s.with?.["node-version-file"], ".nvmrc", `${file} ${id}`);
                assert.equal(s.with?.["node-version"], undefined, `${file} ${id}: no second source of the Node version`);
            }
        }
    });

    it("checks out without persisting the token", () => {
        for (const { file, id, job } of allJobs()) {
            for (const s of usesAction(job, "actions/checkout")) {
                assert.equal(s.with?.["persist-credentials"], false, `${file} ${id}`);
            }
        }
    });
});

describe("workflows: who runs what", () => {
    it("gives a fork's pull request the offline job only", () => {
        assert.deepEqual(runningJobs("ci.yml", "forkPullRequest"), ["offline"]);
    });

    it("previews dev (not prod) for a pull request from this repository", () => {
        assert.deepEqual(runningJobs("ci.yml", "ownPullRequest"), ["offline", "preview-dev"]);
    });

    it("previews prod on a push to main, behind its runner check (deploy.yml updates dev on that push)", () => {
        assert.deepEqual(runningJobs("ci.yml", "pushMain"), ["offline", "prod-runner", "preview-prod"]);
    });

    it("runs npm ci, npm test and both offline plans in the offline job, with no cloud access", () => {
        const job = workflows["ci.yml"].jobs.offline;
        const runs = job.steps.map((s) => s.run ?? "").join("\n");
        for (const cmd of ["npm ci", "npm test", "npm run plan -- dev", "npm run plan -- prod"]) {
            assert.ok(runs.includes(cmd), cmd);
        }
        assert.equal(envOf(job), undefined);
        assert.equal(job.permissions, undefined, "inherits contents: read");
        assert.equal(usesAction(job, "aws-actions/configure-aws-credentials").length, 0);
    });

    it("previews with the policy pack and a diff, each stack in its -preview environment", () => {
        for (const [id, job] of Object.entries(workflows["ci.yml"].jobs)) {
            for (const s of usesAction(job, "pulumi/actions")) {
                assert.equal(s.with?.command, "preview", id);
                assert.equal(s.with?.policyPacks, "policy", id);
                assert.equal(s.with?.diff, true, id);
                assert.equal(envOf(job), `${s.with?.["stack-name"]}-preview`, id);
            }
        }
    });

    it("deploys dev on a push to main and on a dev dispatch, in environment dev", () => {
        assert.deepEqual(runningJobs("deploy.yml", "pushMain"), ["test", "dev"]);
        assert.deepEqual(runningJobs("deploy.yml", "dispatchDev"), ["test", "dev"]);
        assert.equal(envOf(workflows["deploy.yml"].jobs.dev), "dev");
    });

    it("deploys prod only by a dispatch, through environment prod, by starting the in-VPC deploy runner", () => {
        assert.deepEqual(runningJobs("deploy.yml", "dispatchProd"), ["test", "prod"]);
        assert.deepEqual(runningJobs("deploy.yml", "dispatchProdFromBranch"), ["test", "prod"], "its first step fails the run with a message (and environment prod admits main only)");
        const wf = workflows["deploy.yml"];
        assert.deepEqual(wf.on.workflow_dispatch.inputs.stack.options, ["dev", "prod"]);
        const prod = wf.jobs.prod;
        assert.equal(envOf(prod), "prod");
        assert.equal(prod["runs-on"], "ubuntu-latest", "GitHub-hosted: the runner, not this job, reaches the private endpoint");
        assert.equal(prod.env?.RUNNER_PROJECT, physicalName("prod", "deploy-runner"), "the project DeployRunner creates");
        assert.equal(usesAction(prod, "pulumi/actions").length, 0, "no pulumi up outside the VPC");
        assert.equal(prod.concurrency?.["cancel-in-progress"], false);
        const upProd = allJobs().filter(({ job }) => usesAction(job, "pulumi/actions").some((s) => s.with?.command === "up" && s.with?.["stack-name"] === "prod"));
        assert.deepEqual(upProd, [], "no workflow runs prod's pulumi up itself");
    });

    it("passes the commit to the runner the way its buildspec takes it (GIT_REF), and the buildspec gates up with the policy pack", () => {
        const start = workflows["deploy.yml"].jobs.prod.steps.find((s) => s.id === "start")!;
        assert.match(start.run!, /aws codebuild start-build --project-name "\$RUNNER_PROJECT"/);
        assert.match(start.run!, /--environment-variables-override "name=GIT_REF,value=\$GITHUB_SHA,type=PLAINTEXT"/);
        assert.doesNotMatch(start.run!, /--source-version|--buildspec-override/, "NO_SOURCE project; the project's own buildspec only");
        const spec = deployBuildspec({ stack: "prod", repositoryUrl: "https://github.com/flodrama/flodrama-infra.git", gitRef: "main", pulumiVersion: pulumiVersion, gitToken: false });
        assert.match(spec, /git fetch --depth 1 origin "\$GIT_REF"/);
        assert.match(spec, /pulumi up --yes .*--policy-pack policy/);
        assert.match(spec, /npm run verify -- "\$STACK"/);
        assert.match(startBuildCommand("flodrama-prod-deploy-runner", "eu-west-3"), /--environment-variables-override name=GIT_REF,value=<commit>,type=PLAINTEXT/);
    });

    describe("the prod job's steps, run against a fake aws CLI", () => {
        const prod = workflows["deploy.yml"].jobs.prod;
        const step = (pred: (s: Step) => boolean) => prod.steps.find(pred)!;
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-prod-"));
            // Answers like the AWS CLI with --output text; build statuses come one per batch-get-builds call.
            fs.writeFileSync(
                path.join(dir, "aws"),
                [
                    "#!/bin/bash",
                    'echo "$*" >> "$FAKE_DIR/calls"',
                    'case "$*" in',
                    '  *"codebuild start-build"*) echo "flodrama-prod-deploy-runner:1b2c" ;;',
                    '  *"builds[0].buildStatus"*) n=$(cat "$FAKE_DIR/n" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_DIR/n"; sed -n "$((n + 1))p" "$FAKE_DIR/statuses" ;;',
                    '  *"logs.deepLink"*) echo "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-3#logEvent:group=/aws/codebuild/flodrama-prod-deploy-runner" ;;',
                    '  *"builds[0].phases"*) if [ "$(tail -n 1 "$FAKE_DIR/statuses")" = FAILED ]; then printf "BUILD\\tFAILED\\n"; fi ;;',
                    '  *"logs.[groupName,streamName]"*) printf "/aws/codebuild/flodrama-prod-deploy-runner\\t1b2c\\n" ;;',
                    '  *"logs tail"*) echo "deploying 0123abc" ;;',
                    "  *) echo \"unexpected: $*\" >&2; exit 2 ;;",
                    "esac",
                ].join("\n"),
                { mode: 0o755 },
            );
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        const exec = (s: Step, extra: Record<string, string>) =>
            spawnSync("bash", ["-e", "-c", s.run!], {
                env: {
                    PATH: `${dir}:${process.env.PATH}`,
                    FAKE_DIR: dir,
                    GITHUB_REF: "refs/heads/main",
                    GITHUB_SHA: "0123abc",
                    GITHUB_OUTPUT: path.join(dir, "output"),
                    GITHUB_STEP_SUMMARY: path.join(dir, "summary"),
                    RUNNER_PROJECT: prod.env!.RUNNER_PROJECT,
                    POLL_SECONDS: "0",
                    ...extra,
                },
                encoding: "utf8",
            });
        const calls = () => fs.readFileSync(path.join(dir, "calls"), "utf8");

        it("refuses a dispatch from another branch than main", () => {
            const guard = step((s) => s.name === "Require main");
            assert.equal(exec(guard, {}).status, 0);
            const branch = exec(guard, { GITHUB_REF: "refs/heads/feature" });
            assert.notEqual(branch.status, 0);
            assert.match(branch.stdout, /::error title=prod deploys from main only::/);
        });

        it("starts a build of the runner project on the commit and outputs its id", () => {
            const r = exec(step((s) => s.id === "start"), {});
            assert.equal(r.status, 0, r.stderr);
            assert.match(calls(), /codebuild start-build --project-name flodrama-prod-deploy-runner --environment-variables-override name=GIT_REF,value=0123abc,type=PLAINTEXT/);
            assert.equal(fs.readFileSync(path.join(dir, "output"), "utf8").trim(), "build_id=flodrama-prod-deploy-runner:1b2c");
        });

        const wait = () => step((s) => (s.name ?? "").startsWith("Wait for the build"));
        it("polls until the build ends and passes when it succeeded, with the log link in the summary", () => {
            fs.writeFileSync(path.join(dir, "statuses"), "IN_PROGRESS\nIN_PROGRESS\nSUCCEEDED\n");
            const r = exec(wait(), { BUILD_ID: "flodrama-prod-deploy-runner:1b2c" });
            assert.equal(r.status, 0, r.stderr);
            assert.equal((calls().match(/buildStatus/g) ?? []).length, 3);
            assert.match(fs.readFileSync(path.join(dir, "summary"), "utf8"), /ended SUCCEEDED[\s\S]*Logs: https:\/\/console\.aws\.amazon\.com/);
        });

        for (const outcome of ["FAILED", "TIMED_OUT", "STOPPED"]) {
            it(`fails the job when the build ends ${outcome}, naming the build and its log`, () => {
                fs.writeFileSync(path.join(dir, "statuses"), `IN_PROGRESS\n${outcome}\n`);
                const r = exec(wait(), { BUILD_ID: "flodrama-prod-deploy-runner:1b2c" });
                assert.notEqual(r.status, 0);
                assert.match(r.stdout, new RegExp(`::error title=prod deploy failed::runner build flodrama-prod-deploy-runner:1b2c ended ${outcome}.*log: https://`));
            });
        }

        it("prints the build's log, even after a failure", () => {
            const log = step((s) => s.name === "Build log");
            assert.equal(log.if, "always() && steps.start.outputs.build_id != ''");
            const r = exec(log, { BUILD_ID: "flodrama-prod-deploy-runner:1b2c" });
            assert.equal(r.status, 0, r.stderr);
            assert.match(calls(), /logs tail \/aws\/codebuild\/flodrama-prod-deploy-runner --log-stream-names 1b2c/);
            assert.match(r.stdout, /deploying 0123abc/);
        });
    });

    it("updates a stack only after the offline checks passed on the same commit", () => {
        const wf = workflows["deploy.yml"];
        assert.ok((wf.jobs.test.steps.map((s) => s.run ?? "")).includes("npm test"));
        for (const [id, job] of Object.entries(wf.jobs)) {
            if (usesAction(job, "aws-actions/configure-aws-credentials").length > 0) {
                assert.ok(needsOf(job).includes("test"), id);
            }
        }
    });

    it("verifies each deployed stack right after pulumi up, and never cancels an update", () => {
        for (const [id, job] of Object.entries(workflows["deploy.yml"].jobs)) {
            const up = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
            if (up < 0) {
                continue;
            }
            const stack = job.steps[up].with!["stack-name"];
            assert.match(job.steps[up + 1].run ?? "", new RegExp(`npm run --silent verify -- ${stack} --json`), id);
            assert.equal(job.concurrency?.["cancel-in-progress"], false, id);
            assert.equal(job.steps[up].with?.policyPacks, "policy", `${id}: the policy pack also gates up`);
        }
    });

    it("checks drift daily, per stack, with a refreshing preview that expects no changes", () => {
        const wf = workflows["drift.yml"];
        assert.ok(Array.isArray(wf.on.schedule) && wf.on.schedule.length === 1);
        const checks = Object.entries(wf.jobs).flatMap(([id, job]) => usesAction(job, "pulumi/actions").map((s) => ({ id, job, s })));
        assert.deepEqual(checks.map((c) => c.s.with?.["stack-name"]).sort(), stackNames());
        for (const { id, job, s } of checks) {
            assert.equal(s.with?.command, "preview", id);
            assert.equal(s.with?.refresh, true, id);
            assert.equal(s.with?.["expect-no-changes"], true, id);
            assert.equal(envOf(job), `${s.with?.["stack-name"]}-preview`, `${id}: read-only role`);
            assert.ok(job.steps.some((x) => x.if === "failure()" && /GITHUB_STEP_SUMMARY/.test(x.run ?? "")), `${id}: failure summary`);
        }
        const report = wf.jobs.report;
        assert.deepEqual([...needsOf(report)].sort(), Object.keys(wf.jobs).filter((j) => j !== "report").sort());
        assert.match(report.if!, /always\(\) && contains\(needs\.\*\.result, 'failure'\)/);
        assert.deepEqual(report.permissions, { issues: "write" });
        assert.match(report.steps[0].run!, /gh issue create/);
    });
});

describe("workflows: prod runners", () => {
    const varRunnerJobs = () => allJobs().filter((j) => j.job["runs-on"].includes("vars."));

    it("runs every prod stack operation on a runner named by a variable, with no fallback", () => {
        for (const { file, id, job } of allJobs()) {
            if (usesAction(job, "pulumi/actions").some((s) => s.with?.["stack-name"] === "prod")) {
                assert.match(job["runs-on"], /^\$\{\{\s*vars\.[A-Z_]+\s*\}\}$/, `${file} ${id}`);
            }
        }
        assert.deepEqual(varRunnerJobs().map((j) => `${j.file} ${j.id}`), ["ci.yml preview-prod", "drift.yml prod"], "prod's deploy uses the CodeBuild runner, not a self-hosted one");
    });

    for (const file of ["ci.yml", "drift.yml"]) {
        it(`${file}: a job checks the runner variable first and fails clearly when it is missing`, () => {
            for (const { id, job } of varRunnerJobs().filter((j) => j.file === file)) {
                const variable = /vars\.([A-Z_]+)/.exec(job["runs-on"])![1];
                const checkId = needsOf(job).find((n) => JSON.stringify(workflows[file].jobs[n].steps).includes(`vars.${variable}`));
                assert.ok(checkId, `${id} needs a job that checks vars.${variable}`);
                const check = workflows[file].jobs[checkId];
                assert.equal(check["runs-on"], "ubuntu-latest");
                for (const [name, ctx] of Object.entries(events)) {
                    if (runs(workflows[file], id, ctx)) {
                        assert.ok(runs(workflows[file], checkId, ctx), `${checkId} runs whenever ${id} does (${name})`);
                    }
                }
                const step = check.steps.find((s) => s.env && Object.values(s.env).some((v) => v.includes(`vars.${variable}`)))!;
                const envName = Object.keys(step.env!).find((k) => step.env![k].includes(`vars.${variable}`))!;
                const exec = (value: string) =>
                    spawnSync("bash", ["-e", "-c", step.run!], { env: { PATH: process.env.PATH, GITHUB_REF: "refs/heads/main", [envName]: value }, encoding: "utf8" });
                const missing = exec("");
                assert.notEqual(missing.status, 0, `${checkId} fails without ${variable}`);
                assert.match(missing.stdout, new RegExp(`::error title=${variable} is not set::.*docs/ci\\.md`));
                assert.equal(exec("flodrama-vpc").status, 0, `${checkId} passes with ${variable} set`);
            }
        });
    }
});

describe("workflows: credentials and permissions", () => {
    const ENVIRONMENTS = ["dev", "dev-preview", "prod", "prod-preview", "services"];

    it("reads only contents at the top of every workflow", () => {
        for (const f of files) {
            assert.deepEqual(workflows[f].permissions, { contents: "read" }, f);
        }
    });

    it("grants id-token: write exactly to the jobs that assume an AWS role, each in an environment", () => {
        for (const { file, id, job } of allJobs()) {
            const assumes = usesAction(job, "aws-actions/configure-aws-credentials").length > 0;
            assert.equal(job.permissions?.["id-token"] === "write", assumes, `${file} ${id}`);
            if (assumes) {
                assert.ok(ENVIRONMENTS.includes(envOf(job) ?? ""), `${file} ${id}: environment ${envOf(job)}`);
            }
        }
    });

    it("grants no other write but pull-requests (preview comment) and issues (drift report)", () => {
        for (const { file, id, job } of allJobs()) {
            for (const [scope, level] of Object.entries(job.permissions ?? {})) {
                assert.ok(["read", "write", "none"].includes(level), `${file} ${id} ${scope}: ${level}`);
                if (level !== "write" || scope === "id-token") {
                    continue;
                }
                if (scope === "pull-requests") {
                    assert.ok(usesAction(job, "pulumi/actions").some((s) => s.with?.["comment-on-pr"] !== undefined), `${file} ${id}`);
                } else {
                    assert.deepEqual([file, id, scope], ["drift.yml", "report", "issues"]);
                }
            }
        }
    });

    it("assumes roles only through OIDC, with the ARN from the job's environment", () => {
        for (const f of files) {
            assert.doesNotMatch(raw[f], /aws-access-key-id|aws-secret-access-key|secrets\./, `${f}: no long-lived credentials`);
        }
        for (const { file, id, job } of allJobs()) {
            for (const s of usesAction(job, "aws-actions/configure-aws-credentials")) {
                assert.equal(s.with?.["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}", `${file} ${id}`);
            }
        }
    });

    it("previews only in -preview environments and updates only in dev and prod", () => {
        for (const { file, id, job } of allJobs()) {
            for (const s of usesAction(job, "pulumi/actions")) {
                const expected = s.with?.command === "up" ? s.with?.["stack-name"] : `${s.with?.["stack-name"]}-preview`;
                assert.equal(envOf(job), expected, `${file} ${id} ${s.with?.command}`);
            }
        }
    });

    it("calls AWS in the stacks' region", () => {
        for (const stack of stackNames()) {
            const region = readStackConfig(stack).config["aws:region"];
            for (const f of files) {
                assert.equal(workflows[f].env?.AWS_REGION, region, `${f} vs Pulumi.${stack}.yaml`);
            }
        }
    });
});

describe("workflows: services images", () => {
    const wf = workflows["services.yml"];
    const job = wf.jobs.image;

    it("runs on services-v* tags only", () => {
        assert.deepEqual(Object.keys(wf.on), ["push"]);
        assert.deepEqual(wf.on.push, { tags: ["services-v*"] });
    });

    it("builds each service in the order of flodrama:services in Pulumi.prod.yaml, into its prod ECR repository", () => {
        const prod = parseYaml(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8")).config["flodrama:services"];
        assert.ok(Array.isArray(prod), "flodrama:services of Pulumi.prod.yaml is a list");
        const include = job.strategy!.matrix!.include!;
        assert.deepEqual(include.map((i) => [i.service, i.index]), prod.map((s: { name: string }, i: number) => [s.name, i]));
        for (const i of include) {
            assert.equal(job.env!.REPOSITORY.replace("${{ matrix.service }}", String(i.service)), physicalName("prod", String(i.service), "ecrRepository"));
        }
    });

    it("builds services/Dockerfile from the repository root with SERVICE, pushes by digest, scans before tagging", () => {
        const names = job.steps.map((s) => s.name ?? s.uses);
        const build = job.steps.find((s) => s.uses?.startsWith("docker/build-push-action@"))!;
        assert.equal(build.with?.context, ".");
        assert.equal(build.with?.file, "services/Dockerfile");
        assert.equal(build.with?.["build-args"], "SERVICE=${{ matrix.service }}");
        assert.match(String(build.with?.outputs), /push-by-digest=true/);
        const scan = names.indexOf("Scan (ECR scan on push)");
        const tag = names.indexOf("Tag the scanned image with the version");
        assert.ok(job.steps.indexOf(build) < scan && scan < tag, "build, then scan, then tag");
        assert.match(job.steps[scan].run!, /CRITICAL[\s\S]*HIGH[\s\S]*exit 1/);
        const summary = job.steps[job.steps.length - 1];
        assert.match(summary.run!, /GITHUB_STEP_SUMMARY/);
        // The summary selects the release as Pulumi.prod.yaml spells it: image: { release: <version> }.
        assert.match(summary.run!, /pulumi config set --stack prod --path 'flodrama:services\[\$\{\{ matrix\.index \}\}\]\.image\.release' '\$\{VERSION\}'/);
        assert.equal(summary.env!.VERSION, "${{ steps.version.outputs.version }}");
        assert.match(summary.env!.IMAGE, /@\$\{\{ steps\.build\.outputs\.digest \}\}$/);
    });
});

describe("docs/ci.md", () => {
    const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs/ci.md"), "utf8");

    it("names every environment and variable the workflows use", () => {
        const used = new Set<string>();
        for (const f of files) {
            for (const m of raw[f].matchAll(/vars\.([A-Z_]+)/g)) {
                used.add(m[1]);
            }
        }
        for (const { job } of allJobs()) {
            if (envOf(job)) {
                used.add(envOf(job)!);
            }
        }
        assert.deepEqual([...used].filter((name) => !doc.includes(`\`${name}\``)), []);
    });

    it("shows a trust policy for each role, scoped to the repository and the environment", () => {
        for (const env of ["dev-preview", "prod-preview", "dev", "prod", "services"]) {
            assert.ok(doc.includes(`"token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:environment:${env}"`), env);
        }
    });

    it("names no runner variable the workflows no longer use (prod deploys through the CodeBuild runner)", () => {
        const used = new Set(files.flatMap((f) => [...raw[f].matchAll(/vars\.([A-Z_]+)/g)].map((m) => m[1])));
        const named = [...new Set([...doc.matchAll(/`(PROD_[A-Z_]+)`/g)].map((m) => m[1]))];
        assert.deepEqual(named.filter((v) => !used.has(v)), []);
        assert.ok(!used.has("PROD_DEPLOY_RUNNER"));
    });

    it("gives the prod deploy job a trigger role that may only start and watch the runner project's builds", () => {
        assert.match(doc, /\| `flodrama-prod-deploy-trigger` \| prod \| `prod` \|/);
        const policy = /### Deploy trigger permissions policy[\s\S]*?```json\n([\s\S]*?)```/.exec(doc);
        assert.ok(policy, "docs/ci.md shows the trigger's permission policy");
        const doc_ = JSON.parse(policy[1]) as { Statement: Array<{ Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }> };
        const allowed = doc_.Statement.filter((st) => st.Effect === "Allow").flatMap((st) => [st.Action].flat());
        assert.deepEqual(allowed.sort(), ["codebuild:BatchGetBuilds", "codebuild:StartBuild", "logs:FilterLogEvents", "logs:GetLogEvents"]);
        for (const st of doc_.Statement) {
            for (const r of [st.Resource].flat()) {
                assert.match(r, /flodrama-prod-deploy-runner/, "scoped to the runner project and its log group");
            }
        }
        assert.ok(doc_.Statement.some((st) => st.Effect === "Deny" && JSON.stringify(st.Condition).includes("codebuild:source.buildspec")), "no buildspec override");
    });
});
