/**
 * The deploy runner: a CodeBuild project in the private subnets that runs `pulumi up` of its stack
 * from inside the VPC, where a private-only EKS endpoint answers. It has its own security group
 * (egress 443 only: Git, npm, the Pulumi backend and plugins, Helm repositories, AWS and EKS APIs,
 * all over HTTPS through NAT or endpoints), its own log group, and a role trusted by CodeBuild for
 * this project only, with the deployer policy plus what a VPC build needs. platform.ts makes that
 * security group an endpoint source (443 into the cluster); the role gets no access entry: it creates
 * the cluster on the first full run, so EKS makes it cluster-admin (docs/deploy-access.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";
import { DeployRunnerConfig } from "./config";
import { deployBuildspec, runnerBasePolicy, runnerTrustPolicy, startBuildCommand } from "./runnerSpecs";

/** A current CodeBuild curated image (Amazon Linux 2023) whose runtimes include Node.js 22. */
export const RUNNER_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";

export interface DeployRunnerArgs {
    /** The stack the runner deploys (and names its resources after). */
    stack: string;
    region: string;
    /** `flodrama:deployRunner`, with `enabled` true and `repositoryUrl` set (config checks both). */
    runner: DeployRunnerConfig;
    vpcId: pulumi.Input<string>;
    /** The private subnets (with NAT): CodeBuild puts the build's ENI there. */
    privateSubnetIds: pulumi.Input<string[]>;
    logRetentionDays: number;
}

export class DeployRunner extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:runner:DeployRunner";

    readonly projectName: pulumi.Output<string>;
    /** The role the builds run as: cluster-admin as the cluster's creator (no access entry). */
    readonly roleArn: pulumi.Output<string>;
    /** The builds' security group: allowed on 443 into the cluster security group. */
    readonly securityGroupId: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    /** The command that starts a deploy. */
    readonly startBuildCommand: string;

    constructor(name: string, args: DeployRunnerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(DeployRunner.__pulumiType, name, {}, opts);
        requireAwsProvider(this, "DeployRunner");
        const repositoryUrl = args.runner.repositoryUrl;
        if (repositoryUrl === undefined) {
            throw new pulumi.ResourceError("flodrama:deployRunner.repositoryUrl is missing (config validation should have refused this)", this);
        }
        const projectName = physicalName(args.stack, "deploy-runner");
        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        const projectArn = pulumi.interpolate`arn:${partition.partition}:codebuild:${args.region}:${account.accountId}:project/${projectName}`;

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/aws/codebuild/${projectName}`, retentionInDays: args.logRetentionDays },
            { parent: this },
        );
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: physicalName(args.stack, "deploy-runner", "securityGroup"),
                description: "Deploy runner builds: HTTPS out only, nothing in",
                vpcId: args.vpcId,
                ingress: [],
                egress: [{ description: "HTTPS: Git, npm, Pulumi backend, Helm repositories, AWS and EKS APIs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
                tags: { Name: physicalName(args.stack, "deploy-runner") },
            },
            { parent: this },
        );
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: physicalName(args.stack, "deploy-runner", "iamRole"),
                description: `Deployer of stack ${args.stack}: the deploy runner's CodeBuild builds run pulumi up as this role`,
                assumeRolePolicy: pulumi.all([account.accountId, projectArn]).apply(([a, p]) => runnerTrustPolicy(a, p)),
                // A full `up` of prod takes 25 to 40 min; the role session outlasts the longest build.
                maxSessionDuration: 4 * 3600,
            },
            { parent: this },
        );
        const deployer = new aws.iam.RolePolicyAttachment(`${name}-deployer-policy`, { role: role.name, policyArn: args.runner.deployerPolicyArn }, { parent: this });
        const secretArns = [args.runner.pulumiAccessTokenSecretArn, args.runner.gitTokenSecretArn].filter((s): s is string => s !== undefined);
        const base = new aws.iam.RolePolicy(
            `${name}-vpc-build-policy`,
            {
                role: role.name,
                policy: pulumi
                    .all([partition.partition, account.accountId, pulumi.output(args.privateSubnetIds), logGroup.arn])
                    .apply(([p, accountId, subnetIds, logGroupArn]) => JSON.stringify(runnerBasePolicy({ partition: p, region: args.region, accountId, subnetIds, logGroupArn, secretArns }))),
            },
            { parent: this },
        );

        const environmentVariables: aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[] = [];
        if (args.runner.pulumiAccessTokenSecretArn) {
            environmentVariables.push({ name: "PULUMI_ACCESS_TOKEN", type: "SECRETS_MANAGER", value: args.runner.pulumiAccessTokenSecretArn });
        }
        if (args.runner.gitTokenSecretArn) {
            environmentVariables.push({ name: "GIT_TOKEN", type: "SECRETS_MANAGER", value: args.runner.gitTokenSecretArn });
        }
        const project = new aws.codebuild.Project(
            `${name}-project`,
            {
                name: projectName,
                description: `Runs pulumi up of stack ${args.stack} from inside its VPC (docs/first-deploy.md)`,
                serviceRole: role.arn,
                buildTimeout: args.runner.timeoutMinutes,
                queuedTimeout: 60,
                // One deploy at a time: two concurrent `up`s would fight over the stack's lock anyway.
                concurrentBuildLimit: 1,
                artifacts: { type: "NO_ARTIFACTS" },
                environment: {
                    computeType: args.runner.computeType,
                    image: RUNNER_IMAGE,
                    type: "LINUX_CONTAINER",
                    imagePullCredentialsType: "CODEBUILD",
                    privilegedMode: false,
                    environmentVariables,
                },
                source: {
                    type: "NO_SOURCE",
                    buildspec: deployBuildspec({
                        stack: args.stack,
                        repositoryUrl,
                        gitRef: args.runner.gitRef,
                        pulumiVersion: args.runner.pulumiVersion,
                        pulumiBackendUrl: args.runner.pulumiBackendUrl,
                        gitToken: args.runner.gitTokenSecretArn !== undefined,
                    }),
                },
                vpcConfig: { vpcId: args.vpcId, subnets: args.privateSubnetIds, securityGroupIds: [sg.id] },
                logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name }, s3Logs: { status: "DISABLED" } },
            },
            // CodeBuild checks the VPC permissions when the project is created: the policies come first.
            { parent: this, dependsOn: [base, deployer] },
        );

        this.projectName = project.name;
        this.roleArn = role.arn;
        this.securityGroupId = sg.id;
        this.logGroupName = logGroup.name;
        this.startBuildCommand = startBuildCommand(projectName, args.region);
        this.registerOutputs({ projectName: this.projectName, roleArn: this.roleArn, securityGroupId: this.securityGroupId, logGroupName: this.logGroupName });
    }
}
