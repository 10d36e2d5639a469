/**
 * The viewer pool's pre token generation trigger (lambda/pre-token): a Lambda function that adds the
 * colon-free `groups` claim to access tokens, its log group and role (its own logs, nothing else), and
 * Cognito's right to invoke it from that one pool. The HTTP API maps the claim into `x-user-groups`
 * (docs/services.md, "Identity header").
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../../lib/irsaRole";
import { bundleLambda } from "../../lib/lambdaBundle";
import { physicalName } from "../../lib/naming";

/** The trigger event version: V2_0 is the first that customizes access tokens (Essentials or Plus plan). */
export const PRE_TOKEN_LAMBDA_VERSION = "V2_0";

export interface PreTokenTriggerArgs {
    stack: string;
    logRetentionDays: number;
}

/** Bundles lambda/pre-token into one CommonJS file (no npm dependency: a few hundred bytes). */
export function bundlePreTokenTrigger(): string {
    return bundleLambda(path.join(__dirname, "..", "..", "lambda", "pre-token", "handler.ts"));
}

/** Trust policy of the function's role: Lambda only. */
export function lambdaTrustPolicy(): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
}

export class PreTokenTrigger extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:identity:PreTokenTrigger";

    readonly function: aws.lambda.Function;
    /** `lambdaConfig.preTokenGenerationConfig` of the pool that uses it. */
    readonly poolLambdaConfig: pulumi.Output<{ lambdaArn: string; lambdaVersion: string }>;

    constructor(name: string, args: PreTokenTriggerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(PreTokenTrigger.__pulumiType, name, {}, opts);
        const functionName = physicalName(args.stack, "pre-token", "lambda");
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays }, { parent: this });
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: physicalName(args.stack, "pre-token", "iamRole"),
                description: "Role of the viewer pool's pre token generation trigger: writes its own logs, nothing else",
                assumeRolePolicy: lambdaTrustPolicy(),
            },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: policyJson({
                    Version: "2012-10-17",
                    Statement: [{ Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*` }],
                }),
            },
            { parent: this },
        );
        this.function = new aws.lambda.Function(
            name,
            {
                name: functionName,
                description: "Adds the viewer's groups as the colon-free `groups` claim to access tokens",
                runtime: "nodejs22.x",
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundlePreTokenTrigger()) }),
                role: role.arn,
                memorySize: 128,
                // Cognito waits 5 s for a trigger; this one does no I/O.
                timeout: 3,
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            },
            { parent: this, dependsOn: [logGroup, rolePolicy] },
        );
        this.poolLambdaConfig = this.function.arn.apply((lambdaArn) => ({ lambdaArn, lambdaVersion: PRE_TOKEN_LAMBDA_VERSION }));
        this.registerOutputs({ functionArn: this.function.arn });
    }

    /** Lets Cognito invoke the function for this pool only. */
    allowInvokeFrom(name: string, pool: aws.cognito.UserPool): aws.lambda.Permission {
        return new aws.lambda.Permission(
            name,
            { action: "lambda:InvokeFunction", function: this.function.name, principal: "cognito-idp.amazonaws.com", sourceArn: pool.arn },
            { parent: this },
        );
    }
}
