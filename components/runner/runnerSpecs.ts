/**
 * The deploy runner's pure parts: its buildspec, trust policy and the policy statements of its role.
 * DeployRunner (deployRunner.ts) builds on them; tests read them without mocks.
 */
import { PolicyDocument } from "../../lib/irsaRole";
import { serviceTrustPolicy } from "../../lib/servicePolicy";
import { NODE_MAJOR } from "./config";

export interface BuildspecArgs {
    /** The Pulumi stack the runner deploys. */
    stack: string;
    repositoryUrl: string;
    gitRef: string;
    pulumiVersion: string;
    /** `s3://...` or an https:// service URL; undefined means Pulumi Cloud. */
    pulumiBackendUrl?: string;
    /** True when GIT_TOKEN is set from Secrets Manager (private repository). */
    gitToken: boolean;
}

/**
 * The buildspec (version 0.2: every command runs in one shell, so `cd` and `export` carry over). It
 * installs the pinned Pulumi CLI after checking its published SHA-256, uses Node 22 from the image's
 * runtimes, clones the repository at GIT_REF (overridable per build), runs `npm ci` (program and
 * policy pack), then `pulumi up --yes` of the stack with the policy pack, then `npm run verify`
 * (scripts/verify.ts) against what was deployed.
 */
export function deployBuildspec(a: BuildspecArgs): string {
    const tarball = "pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz";
    const clone = a.gitToken
        ? // The token goes in an HTTP header for this one command, never into .git/config or the logs.
          'git -c http.extraHeader="Authorization: Basic $(printf "x-access-token:%s" "$GIT_TOKEN" | base64 -w0)" clone --no-checkout "$REPOSITORY_URL" src'
        : 'git clone --no-checkout "$REPOSITORY_URL" src';
    const fetch = a.gitToken
        ? 'git -c http.extraHeader="Authorization: Basic $(printf "x-access-token:%s" "$GIT_TOKEN" | base64 -w0)" fetch --depth 1 origin "$GIT_REF"'
        : 'git fetch --depth 1 origin "$GIT_REF"';
    const login = a.pulumiBackendUrl ? `pulumi login "${a.pulumiBackendUrl}"` : "pulumi login";
    const lines = [
        "version: 0.2",
        "env:",
        "  shell: bash",
        "  variables:",
        `    STACK: "${a.stack}"`,
        `    REPOSITORY_URL: "${a.repositoryUrl}"`,
        `    GIT_REF: "${a.gitRef}"`,
        `    PULUMI_VERSION: "${a.pulumiVersion}"`,
        '    PULUMI_SKIP_UPDATE_CHECK: "true"',
        // Extra flags of one build, e.g. `--refresh` (start-build --environment-variables-override).
        '    PULUMI_UP_FLAGS: ""',
        "phases:",
        "  install:",
        "    runtime-versions:",
        `      nodejs: ${NODE_MAJOR}`,
        "    commands:",
        "      - set -euo pipefail",
        `      - curl -fsSLO "https://get.pulumi.com/releases/sdk/${tarball}"`,
        '      - curl -fsSL "https://get.pulumi.com/releases/sdk/pulumi-${PULUMI_VERSION}-checksums.txt" -o pulumi-checksums.txt',
        `      - grep " ${tarball}\$" pulumi-checksums.txt | sha256sum -c -`,
        `      - tar -xzf "${tarball}" -C "$HOME" && export PATH="$HOME/pulumi:$PATH"`,
        '      - test "$(pulumi version)" = "v${PULUMI_VERSION}"',
        `      - node --version | grep -q '^v${NODE_MAJOR}\\.'`,
        "  pre_build:",
        "    commands:",
        "      - set -euo pipefail",
        `      - ${clone}`,
        "      - cd src",
        `      - ${fetch}`,
        "      - git checkout --detach FETCH_HEAD && git log -1 --format='deploying %H %s'",
        "      - npm ci",
        "      - npm ci --prefix policy",
        `      - ${login}`,
        "  build:",
        "    commands:",
        "      - set -euo pipefail",
        // The same policy pack as the CI previews and the deploy workflow: a violation stops the up here too.
        '      - pulumi up --yes --non-interactive --diff --policy-pack policy --stack "$STACK" $PULUMI_UP_FLAGS',
        "  post_build:",
        "    commands:",
        "      - set -euo pipefail",
        '      - if [ "$CODEBUILD_BUILD_SUCCEEDING" = "1" ]; then npm run verify -- "$STACK"; fi',
    ];
    return `${lines.join("\n")}\n`;
}

/** Trust policy: CodeBuild, for this account's runner project only (confused-deputy conditions). */
export function runnerTrustPolicy(accountId: string, projectArn: string): string {
    return serviceTrustPolicy("codebuild.amazonaws.com", { sourceAccount: accountId, sourceArn: projectArn });
}

export interface RunnerPolicyArgs {
    partition: string;
    region: string;
    accountId: string;
    /** IDs of the private subnets the project's ENIs go in. */
    subnetIds: string[];
    logGroupArn: string;
    /** Secrets the build reads (Pulumi token, Git token). */
    secretArns: string[];
}

/**
 * What a CodeBuild project in a VPC needs whatever the deployer policy is: the statements of the AWS
 * CodeBuild guide ("Allow CodeBuild access to AWS services required to create a VPC network
 * interface"), the second one scoped to the runner's subnets; its own log group; its secrets.
 */
export function runnerBasePolicy(a: RunnerPolicyArgs): PolicyDocument {
    const statements: PolicyDocument["Statement"] = [
        {
            Sid: "CodeBuildVpcNetworkInterfaces",
            Effect: "Allow",
            Action: [
                "ec2:CreateNetworkInterface",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeVpcs",
            ],
            Resource: "*",
        },
        {
            Sid: "CodeBuildNetworkInterfacePermissionInRunnerSubnets",
            Effect: "Allow",
            Action: ["ec2:CreateNetworkInterfacePermission"],
            Resource: `arn:${a.partition}:ec2:${a.region}:${a.accountId}:network-interface/*`,
            Condition: {
                StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" },
                ArnEquals: { "ec2:Subnet": a.subnetIds.map((id) => `arn:${a.partition}:ec2:${a.region}:${a.accountId}:subnet/${id}`) },
            },
        },
        {
            Sid: "WriteOwnBuildLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [a.logGroupArn, `${a.logGroupArn}:log-stream:*`],
        },
    ];
    if (a.secretArns.length > 0) {
        statements.push({ Sid: "ReadBuildSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: a.secretArns });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** The command that runs a deploy (step 3 of docs/first-deploy.md and every later `up`). */
export function startBuildCommand(projectName: string, region: string): string {
    return `aws codebuild start-build --region ${region} --project-name ${projectName} --environment-variables-override name=GIT_REF,value=<commit>,type=PLAINTEXT`;
}
