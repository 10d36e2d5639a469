/** Cognito, ECR, SNS, Lambda, Secrets Manager and API Gateway v2 controls. */
import { asArray, Res, resourcePolicy, stackPolicy, statementsOf } from "../framework";
import { LAMBDA_FUNCTION } from "../resourceTypes";

/** Runtimes Lambda supports for new functions (nodejs20.x was deprecated on 2026-04-30). */
export const SUPPORTED_LAMBDA_RUNTIMES = ["nodejs24.x", "nodejs22.x", "python3.14", "python3.13", "python3.12", "java25", "java21", "dotnet8", "ruby3.4"];

const isPublic = (p: any) => p === "*" || asArray(p?.AWS).includes("*");

function repositoryHasLifecycle(resources: Res[], repo: Res): boolean {
    const names = [repo.props.name, repo.props.id].filter(Boolean);
    return resources.some((r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy" && (names.includes(r.props.repository) || (r.dependencies ?? []).includes(repo.urn)));
}

export const servicePolicies = [
    resourcePolicy(
        {
            name: "cognito-3-password-policy",
            control: "Cognito.3",
            description: "Password policies for Cognito user pools should have strong configurations",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:cognito/userPool:UserPool"],
            remediation: "minimumLength >= 8, all four character classes, temporaryPasswordValidityDays <= 7.",
        },
        ({ props, name }) => {
            const p = props.passwordPolicy ?? {};
            const ok =
                Number(p.minimumLength ?? 0) >= 8 &&
                p.requireLowercase === true &&
                p.requireUppercase === true &&
                p.requireNumbers === true &&
                p.requireSymbols === true &&
                Number(p.temporaryPasswordValidityDays ?? 7) <= 7;
            return ok ? undefined : `User pool ${name} has a weak password policy.`;
        },
    ),
    resourcePolicy(
        {
            name: "cognito-2-no-unauthenticated-identities",
            control: "Cognito.2",
            description: "Cognito identity pools should not allow unauthenticated identities",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:cognito/identityPool:IdentityPool"],
            remediation: "set allowUnauthenticatedIdentities false.",
        },
        ({ props, name }) => (props.allowUnauthenticatedIdentities ? `Identity pool ${name} allows unauthenticated identities.` : undefined),
    ),
    resourcePolicy(
        {
            name: "ecr-1-scan-on-push",
            control: "ECR.1",
            description: "ECR private repositories should have image scanning configured",
            severity: "high",
            judge: "S",
            appliesTo: ["aws:ecr/repository:Repository"],
            remediation: "set imageScanningConfiguration.scanOnPush true.",
        },
        ({ props, name }) => (props.imageScanningConfiguration?.scanOnPush === true ? undefined : `Repository ${name} does not scan on push.`),
    ),
    resourcePolicy(
        {
            name: "ecr-2-immutable-tags",
            control: "ECR.2",
            description: "ECR private repositories should have tag immutability configured",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:ecr/repository:Repository"],
            remediation: "set imageTagMutability IMMUTABLE.",
        },
        ({ props, name }) => (props.imageTagMutability === "IMMUTABLE" ? undefined : `Repository ${name} has mutable tags.`),
    ),
    stackPolicy(
        {
            name: "ecr-3-lifecycle-policy",
            control: "ECR.3",
            description: "ECR repositories should have at least one lifecycle policy configured",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:ecr/repository:Repository"],
            remediation: "add an aws.ecr.LifecyclePolicy to the repository.",
        },
        (resources) =>
            resources
                .filter((r) => r.type === "aws:ecr/repository:Repository" && !repositoryHasLifecycle(resources, r))
                .map((r) => ({ message: `Repository ${r.name} has no lifecycle policy.`, urn: r.urn })),
    ),
    resourcePolicy(
        {
            name: "sns-4-no-public-topic-policy",
            control: "SNS.4",
            description: "SNS topic access policies should not allow public access",
            severity: "high",
            judge: "S",
            appliesTo: ["aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy"],
            remediation: "grant publish to service principals (cloudwatch, budgets) with aws:SourceAccount conditions.",
        },
        ({ props, name }) =>
            statementsOf(props.policy).some((s) => s.Effect === "Allow" && isPublic(s.Principal) && !s.Condition) ? `Topic policy of ${name} allows everyone.` : undefined,
    ),
    resourcePolicy(
        {
            name: "lambda-1-no-public-invoke",
            control: "Lambda.1",
            description: "Lambda function policies should prohibit public access",
            severity: "critical",
            judge: "S",
            appliesTo: ["aws:lambda/permission:Permission"],
            remediation: "grant invoke to a service principal with sourceArn (and sourceAccount for S3).",
        },
        ({ props, name }) => {
            if (props.principal === "*" || props.principal === "public") {
                return `Permission ${name} lets anyone invoke the function.`;
            }
            return /\.amazonaws\.com$/.test(String(props.principal)) && !props.sourceArn ? `Permission ${name} has no sourceArn.` : undefined;
        },
    ),
    resourcePolicy(
        {
            name: "lambda-2-supported-runtime",
            control: "Lambda.2",
            description: "Lambda functions should use supported runtimes",
            severity: "medium",
            judge: "S",
            appliesTo: [LAMBDA_FUNCTION],
            remediation: `use one of ${SUPPORTED_LAMBDA_RUNTIMES.join(", ")}.`,
        },
        ({ props, name }) =>
            props.packageType === "Image" || SUPPORTED_LAMBDA_RUNTIMES.includes(props.runtime) ? undefined : `Function ${name} uses runtime ${props.runtime ?? "(unset)"}.`,
    ),
    resourcePolicy(
        {
            name: "lambda-5-multi-az-vpc",
            control: "Lambda.5",
            description: "VPC Lambda functions should operate in multiple Availability Zones",
            severity: "medium",
            judge: "P",
            appliesTo: [LAMBDA_FUNCTION],
            remediation: "give vpcConfig.subnetIds from at least two AZs.",
        },
        ({ props, name }) => (props.vpcConfig && asArray(props.vpcConfig.subnetIds).length < 2 ? `Function ${name} runs in a single subnet.` : undefined),
    ),
    stackPolicy(
        {
            name: "secretsmanager-1-rotation",
            control: "SecretsManager.1",
            description: "Secrets Manager secrets should have automatic rotation enabled",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:secretsmanager/secret:Secret"],
            remediation: "add an aws.secretsmanager.SecretRotation for the secret.",
        },
        (resources) =>
            resources
                .filter((r) => r.type === "aws:secretsmanager/secret:Secret")
                .filter((s) => !resources.some((x) => x.type === "aws:secretsmanager/secretRotation:SecretRotation" && (x.dependencies ?? []).includes(s.urn)))
                .map((s) => ({ message: `Secret ${s.name} does not rotate.`, urn: s.urn })),
    ),
    resourcePolicy(
        {
            name: "secretsmanager-4-rotation-period",
            control: "SecretsManager.4",
            description: "Secrets Manager secrets should be rotated within a specified number of days",
            severity: "medium",
            judge: "P",
            appliesTo: ["aws:secretsmanager/secretRotation:SecretRotation"],
            remediation: "rotate at least every 90 days.",
        },
        ({ props, name }) => (Number(props.rotationRules?.automaticallyAfterDays ?? 0) <= 90 ? undefined : `Rotation ${name} is longer than 90 days.`),
    ),
    stackPolicy(
        {
            name: "apigateway-1-execution-logging",
            control: "APIGateway.1",
            description: "API Gateway REST and WebSocket API execution logging should be enabled",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:apigatewayv2/api:Api"],
            remediation: "set defaultRouteSettings.loggingLevel to INFO or ERROR on the WebSocket stage.",
        },
        (resources) => {
            const websockets = resources.filter((r) => r.type === "aws:apigatewayv2/api:Api" && r.props.protocolType === "WEBSOCKET");
            const stages = resources.filter((r) => r.type === "aws:apigatewayv2/stage:Stage");
            return websockets.flatMap((api) => {
                const own = stages.filter((s) => (s.dependencies ?? []).includes(api.urn));
                const bad = own.length === 0 || own.some((s) => !["INFO", "ERROR"].includes(s.props.defaultRouteSettings?.loggingLevel) || asArray(s.props.routeSettings).some((x: any) => x.loggingLevel === "OFF"));
                return bad ? [{ message: `WebSocket API ${api.name} has a stage without execution logging.`, urn: api.urn }] : [];
            });
        },
    ),
    resourcePolicy(
        {
            name: "apigateway-8-route-authorization",
            control: "APIGateway.8",
            description: "API Gateway routes should specify an authorization type",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:apigatewayv2/route:Route"],
            remediation: "give the route a JWT, CUSTOM or AWS_IAM authorizer.",
        },
        ({ props, name }) => ((props.authorizationType ?? "NONE") === "NONE" ? `Route ${props.routeKey ?? name} has no authorization.` : undefined),
    ),
    resourcePolicy(
        {
            name: "apigateway-9-access-logging",
            control: "APIGateway.9",
            description: "Access logging should be configured for API Gateway V2 Stages",
            severity: "medium",
            judge: "S",
            appliesTo: ["aws:apigatewayv2/stage:Stage"],
            remediation: "set accessLogSettings {destinationArn, format}.",
        },
        ({ props, name }) => (props.accessLogSettings?.destinationArn && props.accessLogSettings?.format ? undefined : `Stage ${name} has no access logs.`),
    ),
];
