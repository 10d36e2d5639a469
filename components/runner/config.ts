/**
 * `flodrama:deployRunner`: an optional CodeBuild project in the private subnets that runs `pulumi up`
 * from inside the VPC (the only place a private-only cluster endpoint answers), and
 * `flodrama:bootstrap`: create only the network, the image repositories and the runner, for the first deploy
 * (docs/first-deploy.md).
 */
import { z } from "zod";
import { bool, int, obj, oneOf, optional, report, text } from "../../lib/configSchema";

/** CodeBuild Linux compute types (x86_64 `LINUX_CONTAINER`); SMALL is 3 GB / 2 vCPU, enough for `tsc` + `pulumi up`. */
export const COMPUTE_TYPES = ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"] as const;

/** The Pulumi CLI release the runner installs: the same pin as the CI workflows (.github/workflows, docs/ci.md). */
export const DEFAULT_PULUMI_VERSION = "3.270.0";
/** The Node.js major the runner uses (CodeBuild `runtime-versions`); the program and services target it. */
export const NODE_MAJOR = 22;

const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const SEMVER = /^\d+\.\d+\.\d+$/;
const GIT_HTTPS = /^https:\/\/[\w.-]+(:\d+)?\/[\w./-]+$/;
/** `s3://bucket[/prefix]` (self-managed state in S3) or an `https://` Pulumi Cloud / self-hosted service URL. */
const BACKEND_URL = /^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w./-]*)?(\?[\w=&.-]+)?|https:\/\/[\w.-]+(:\d+)?(\/[\w./-]*)?)$/;

export const deployRunnerSchema = obj({
    /** Create the runner. Default false: a stack whose endpoint the deployer reaches directly needs none. */
    enabled: bool().default(false),
    computeType: oneOf(COMPUTE_TYPES).default("BUILD_GENERAL1_SMALL"),
    /** Build timeout in minutes (CodeBuild allows 5 to 2160); a first prod `up` takes about 25 min plus DocumentDB. */
    timeoutMinutes: int(5, 2160).default(120),
    /** Git repository the runner clones, over HTTPS (e.g. `https://github.com/flodrama/platform.git`). */
    repositoryUrl: optional(text("an https:// Git URL without credentials, such as https://github.com/flodrama/platform.git", { pattern: GIT_HTTPS })),
    /** Branch, tag or commit checked out when `start-build` names none (override per build with GIT_REF). */
    gitRef: text("a Git branch, tag or commit such as main", { pattern: /^[\w./-]{1,200}$/ }).default("main"),
    /** Secrets Manager secret holding a read-only token to clone a private repository (sent as the HTTPS password). */
    gitTokenSecretArn: optional(text("a Secrets Manager secret ARN such as arn:aws:secretsmanager:eu-west-3:123456789012:secret:flodrama/git-token-AbCdEf", { pattern: SECRET_ARN })),
    /** Pulumi CLI release to install (checksum-verified). */
    pulumiVersion: text("a Pulumi CLI release such as 3.270.0", { pattern: SEMVER }).default(DEFAULT_PULUMI_VERSION),
    /** State backend: `s3://bucket/prefix` or an https:// service URL; absent means Pulumi Cloud (app.pulumi.com). */
    pulumiBackendUrl: optional(text("s3://<bucket>[/prefix] or an https:// Pulumi service URL", { pattern: BACKEND_URL })),
    /** Secrets Manager secret with PULUMI_ACCESS_TOKEN; required unless the backend is S3. */
    pulumiAccessTokenSecretArn: optional(text("a Secrets Manager secret ARN such as arn:aws:secretsmanager:eu-west-3:123456789012:secret:flodrama/pulumi-token-AbCdEf", { pattern: SECRET_ARN })),
    /**
     * The policy that gives the runner its deployer rights. It creates every resource of the stack (IAM
     * roles, KMS keys, EKS, VPC...), so the default is AWS's AdministratorAccess; an organisation with a
     * permission boundary or its own deployer policy names it here (docs/first-deploy.md).
     */
    deployerPolicyArn: text("an IAM policy ARN such as arn:aws:iam::aws:policy/AdministratorAccess", {
        pattern: /^arn:aws(-[a-z]+)*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/,
    }).default("arn:aws:iam::aws:policy/AdministratorAccess"),
})
    .superRefine((r, ctx) => {
        if (!r.enabled) {
            return;
        }
        if (r.repositoryUrl === undefined) {
            report(ctx, ["repositoryUrl"], "the https:// URL of this repository when the runner is enabled (it clones the program from there)");
        }
        if (!r.pulumiBackendUrl?.startsWith("s3://") && r.pulumiAccessTokenSecretArn === undefined) {
            report(ctx, ["pulumiAccessTokenSecretArn"], "a Secrets Manager secret ARN holding PULUMI_ACCESS_TOKEN, since the backend is a Pulumi service", {
                hint: "Store the token with `aws secretsmanager create-secret --name flodrama/pulumi-token --secret-string <token>`, or use an s3:// pulumiBackendUrl.",
            });
        }
    })
    .default({ enabled: false, computeType: "BUILD_GENERAL1_SMALL", timeoutMinutes: 120, gitRef: "main", pulumiVersion: DEFAULT_PULUMI_VERSION, deployerPolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });

export type DeployRunnerConfig = z.infer<typeof deployRunnerSchema>;

/** `flodrama:bootstrap`: true creates only the network, the image repositories and the deploy runner (step 1 of docs/first-deploy.md). */
export const bootstrapSchema = bool().default(false);
