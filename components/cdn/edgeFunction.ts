/**
 * A Lambda@Edge function: created in us-east-1 (the only region CloudFront replicates from),
 * published so that CloudFront can attach a numbered version, with a role that Lambda@Edge's replicas
 * can assume and that may write their logs in every region. It refuses what the edge cannot do:
 * no environment, layers, VPC or container image can even be asked for, memory and timeout are
 * checked against the trigger's limits, and a provider outside us-east-1 fails the deployment.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../../lib/naming";
import { US_EAST_1 } from "../../lib/providers";
import { EDGE_RUNTIME, VIEWER_PACKAGE_LIMIT_BYTES } from "../../edge/bundle";

export type EdgeEventType = "viewer-request" | "viewer-response" | "origin-request" | "origin-response";

/** Lambda@Edge quotas per trigger kind (AWS "Quotas on Lambda@Edge"). */
export const EDGE_LIMITS = {
    viewer: { maxMemoryMb: 128, maxTimeoutSeconds: 5, maxPackageBytes: VIEWER_PACKAGE_LIMIT_BYTES },
    origin: { maxMemoryMb: 10240, maxTimeoutSeconds: 30, maxPackageBytes: 50 * 1024 * 1024 },
} as const;

export interface EdgeFunctionArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** Short name of the function, a DNS label; the physical name is `flodrama-<stack>-<functionName>`. */
    functionName: string;
    /** What the function does, shown in the Lambda console. */
    description: string;
    /** The bundled CommonJS module exporting `handler` (edge/bundle.ts); deployed as `index.js`. */
    code: string;
    /** The CloudFront event the function serves; decides the memory and timeout limits. */
    eventType: EdgeEventType;
    /** Memory in MB. Default 128 (the viewer-trigger maximum; a headers function needs no more). */
    memorySizeMb?: number;
    /** Timeout in seconds. Default 5. */
    timeoutSeconds?: number;
    /** Retention of the function's us-east-1 log group, in days. */
    logRetentionDays: number;
    /** The us-east-1 provider (lib/providers.ts `usEast1`); any other region fails the deployment. */
    usEast1: aws.Provider;
}

/**
 * `value`, once `provider` is known to be in us-east-1; a deployment error naming `what` otherwise.
 * What CloudFront uses from us-east-1 only (Lambda@Edge, its ACM certificate, a CLOUDFRONT-scope web
 * ACL and their log groups) takes its name through this, so a provider in another region fails the
 * deployment before any of them exists there.
 */
export function inUsEast1<T>(provider: aws.Provider, value: pulumi.Input<T>, what: string, resource: pulumi.Resource): pulumi.Output<T> {
    return pulumi.all([provider.region, value]).apply(([region, v]) => {
        if (region !== US_EAST_1) {
            throw new pulumi.ResourceError(`${what} must be created through a us-east-1 provider, got ${region ?? "no region"}`, resource);
        }
        return v as T;
    });
}

/** Memory, timeout and package size within the limits of the trigger kind; throws naming the limit. */
export function validateEdgeLimits(eventType: EdgeEventType, memorySizeMb: number, timeoutSeconds: number, packageBytes: number): void {
    const kind = eventType.startsWith("viewer") ? "viewer" : "origin";
    const l = EDGE_LIMITS[kind];
    const problems = [
        memorySizeMb < 128 || memorySizeMb > l.maxMemoryMb ? `memory ${memorySizeMb} MB is outside 128-${l.maxMemoryMb} MB` : undefined,
        timeoutSeconds < 1 || timeoutSeconds > l.maxTimeoutSeconds ? `timeout ${timeoutSeconds} s is outside 1-${l.maxTimeoutSeconds} s` : undefined,
        packageBytes > l.maxPackageBytes ? `package ${packageBytes} bytes exceeds ${l.maxPackageBytes} bytes` : undefined,
    ].filter((p): p is string => !!p);
    if (problems.length > 0) {
        throw new Error(`Lambda@Edge ${eventType} function: ${problems.join("; ")} (${kind}-trigger limits)`);
    }
}

/** Trust policy: Lambda runs the function in us-east-1, Lambda@Edge runs its replicas at the edge. */
export function edgeTrustPolicy(): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] },
                Action: "sts:AssumeRole",
            },
        ],
    });
}

/**
 * The logging policy: replicas log to `/aws/lambda/us-east-1.<name>` in the region of the edge location
 * that ran them, so any region; direct invocations in us-east-1 log to `/aws/lambda/<name>`.
 */
export function edgeLogsPolicy(accountId: string, functionName: string): string {
    const groups = [`/aws/lambda/us-east-1.${functionName}`, `/aws/lambda/${functionName}`].map((g) => `arn:aws:logs:*:${accountId}:log-group:${g}`);
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EdgeLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                // `<group>` for CreateLogGroup, `<group>:*` (its streams) for the other two: the forms the
                // CloudWatch Logs and Lambda docs give; `<group>:log-stream:*` alone may not cover CreateLogStream.
                Resource: groups.flatMap((g) => [g, `${g}:*`]),
            },
        ],
    });
}

export class EdgeFunction extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:cdn:EdgeFunction";

    /** `arn:aws:lambda:us-east-1:<account>:function:<name>:<version>`: what CloudFront attaches. */
    readonly qualifiedArn: pulumi.Output<string>;
    /** The function (its name, unqualified ARN and published `version`) and its execution role. */
    readonly lambda: aws.lambda.Function;
    readonly role: aws.iam.Role;

    constructor(name: string, args: EdgeFunctionArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(EdgeFunction.__pulumiType, name, {}, opts);
        const memorySizeMb = args.memorySizeMb ?? 128;
        const timeoutSeconds = args.timeoutSeconds ?? 5;
        validateEdgeLimits(args.eventType, memorySizeMb, timeoutSeconds, Buffer.byteLength(args.code));
        const fnName = physicalName(args.stack, args.functionName, "lambda");
        const provider = args.usEast1;

        // A provider in another region would create a function CloudFront cannot use. The names of the
        // function and of its log group wait for this check, so a wrong provider fails the deployment
        // before either exists (the role and its policy are IAM, which has no region).
        const checkedName = inUsEast1(provider, fnName, `EdgeFunction ${name}`, this);
        const { role, logsPolicy } = this.createRole(name, args, fnName, provider);
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            // The us-east-1 log group of the replicas; other regions' groups are created by Lambda on first use.
            { name: pulumi.interpolate`/aws/lambda/us-east-1.${checkedName}`, retentionInDays: args.logRetentionDays },
            { parent: this, provider },
        );
        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                name: checkedName,
                description: args.description,
                role: role.arn,
                runtime: EDGE_RUNTIME,
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(args.code) }),
                // CloudFront attaches numbered versions only.
                publish: true,
                memorySize: memorySizeMb,
                timeout: timeoutSeconds,
                // Lambda@Edge runs x86_64 only.
                architectures: ["x86_64"],
            },
            // Log group and policy first, so the first invocations' logs are kept with the retention.
            { parent: this, provider, dependsOn: [logGroup, logsPolicy] },
        );

        this.qualifiedArn = fn.qualifiedArn;
        this.lambda = fn;
        this.role = role;

        this.registerOutputs({ qualifiedArn: fn.qualifiedArn, arn: fn.arn, functionName: fn.name, version: fn.version, roleArn: role.arn });
    }

    private createRole(name: string, args: EdgeFunctionArgs, fnName: string, provider: aws.Provider): { role: aws.iam.Role; logsPolicy: aws.iam.RolePolicy } {
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: physicalName(args.stack, `${args.functionName}-edge`, "iamRole"),
                description: `Execution role of the Lambda@Edge function ${fnName}`,
                assumeRolePolicy: edgeTrustPolicy(),
            },
            { parent: this, provider },
        );
        const account = aws.getCallerIdentityOutput({}, { parent: this, provider });
        const logsPolicy = new aws.iam.RolePolicy(
            `${name}-logs-policy`,
            {
                role: role.id,
                policy: account.accountId.apply((id) => edgeLogsPolicy(id, fnName)),
            },
            { parent: this, provider },
        );
        return { role, logsPolicy };
    }
}
