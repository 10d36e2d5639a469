/**
 * Monitoring (docs/decisions.md#cloudwatch-us-east-1, #prometheus-grafana): what the seed's `setup-monitoring.sh` did, in the same `pulumi up`.
 *
 * - Alert topics: one in the stack's region and one in us-east-1 (CloudWatch alarm actions must be
 *   in the alarm's region, and CloudFront's metrics live in us-east-1), each encrypted with its own
 *   customer-managed key (alarms cannot publish to a topic under the AWS-managed `alias/aws/sns`),
 *   a topic policy that admits CloudWatch (and Budgets) from this account only, and the stack's
 *   e-mail subscribers.
 * - Alarms with the seed's thresholds (components/monitoring/alarms.ts), alarm and OK actions on the
 *   topic of their region.
 * - The CloudWatch dashboard (components/monitoring/dashboard.ts).
 * - A monthly cost budget scoped to the stack's `Stack` tag, notifying at 80 % actual and 100 % forecast.
 * - Prometheus, Grafana and Alertmanager in the cluster (components/monitoring/prometheusStack.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MonitoringConfig } from "../../lib/contracts";
import { ApiInfo, ClusterInfo, DataInfo, DeployedService, MONITORING_NAMESPACE, SiteInfo } from "../../lib/contracts";
import { accountKeyStatement, accountRootPrincipal, customerManagedKey } from "../../lib/kms";
import { physicalName } from "../../lib/naming";
import { serviceStatement } from "../../lib/servicePolicy";
import { US_EAST_1 } from "../../lib/providers";
import { MonitoringStack } from "./prometheusStack";
import { grafanaPortForwardCommand } from "../../k8s/monitoringValues";
import {
    AlarmSpec,
    cloudFrontAlarms,
    documentDbLimits,
    httpApiAlarms,
    managedDataAlarms,
    metricAlarmArgs,
    redisMemberClusterIds,
    websocketApiAlarms,
} from "./alarms";
import { dashboardBody, dashboardUrl } from "./dashboard";
import { stateful } from "../../lib/stateful";

export interface MonitoringArgs {
    /** Stack name, for physical names and the budget's tag filter. */
    stack: string;
    /** The stack's region (`aws:region`). */
    region: string;
    /** `flodrama:monitoring`: e-mails, dashboard name, alarm timing, budget, Prometheus and Grafana. */
    monitoring: MonitoringConfig;
    /** The CDN site: its distribution id (CloudFront alarms and widgets). */
    site: SiteInfo;
    /** The HTTP and WebSocket APIs and their stages. */
    api: ApiInfo;
    /** The data tier; managed mode adds DocumentDB and ElastiCache alarms. */
    data: DataInfo;
    /** The deployed services: PodMonitors, rules and Grafana dashboards. */
    services: DeployedService[];
    cluster: ClusterInfo;
    /** The us-east-1 provider (with the stack's default tags): CloudFront alarms and their topic. */
    usEast1Provider: aws.Provider;
    /** The program's one `random` provider: the Grafana admin password. */
    randomProvider: random.Provider;
    /** Protect the topic keys (`protectStatefulResources`). */
    protect: boolean;
}

/** Who may use an alert topic's key: CloudWatch alarms everywhere, Budgets on the stack-region topic. */
export const KEY_USERS = { default: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"], "us-east-1": ["cloudwatch.amazonaws.com"] } as const;

/**
 * Key policy of an alert topic's key: the account administers and uses it through IAM (so
 * Alertmanager's IRSA role can be granted it); the listed services may encrypt messages for the topic.
 */
export function alertKeyPolicy(partition: string, accountId: string, services: readonly string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            accountKeyStatement(partition, accountId),
            {
                Sid: "ServicesPublishToEncryptedTopic",
                Effect: "Allow",
                Principal: { Service: [...services] },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
            },
        ],
    });
}

/**
 * Topic policy: the account manages the topic; CloudWatch alarms of this account and region (and,
 * when `allowBudgets`, this account's budgets) may publish; nobody publishes without TLS.
 */
export function alertTopicPolicy(topicArn: string, partition: string, accountId: string, region: string, allowBudgets: boolean): string {
    const statements: Record<string, unknown>[] = [
        {
            Sid: "AccountManagesTopic",
            Effect: "Allow",
            Principal: accountRootPrincipal(partition, accountId),
            Action: [
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:AddPermission",
                "sns:RemovePermission",
                "sns:DeleteTopic",
                "sns:Subscribe",
                "sns:ListSubscriptionsByTopic",
                "sns:Publish",
            ],
            Resource: topicArn,
        },
        serviceStatement("CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com", "sns:Publish", topicArn, {
            sourceAccount: accountId,
            sourceArn: `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*`,
        }),
    ];
    if (allowBudgets) {
        statements.push(serviceStatement("BudgetsPublish", "budgets.amazonaws.com", "sns:Publish", topicArn, { sourceAccount: accountId, sourceArn: `arn:${partition}:budgets::${accountId}:*` }));
    }
    statements.push({
        Sid: "DenyPublishWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Budget alerts: 80 % of actual cost, and 100 % of forecast cost when `forecastAlert`. */
export function budgetNotifications(topicArn: pulumi.Input<string>, forecastAlert: boolean): aws.types.input.budgets.BudgetNotification[] {
    const notify = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
        notificationType,
        comparisonOperator: "GREATER_THAN",
        threshold,
        thresholdType: "PERCENTAGE",
        subscriberSnsTopicArns: [topicArn],
    });
    return [notify("ACTUAL", 80), ...(forecastAlert ? [notify("FORECASTED", 100)] : [])];
}

/** The cost allocation tag that scopes a stack's budget (the providers tag every resource with it). */
export function budgetCostFilters(stack: string): aws.types.input.budgets.BudgetCostFilter[] {
    return [{ name: "TagKeyValue", values: [`user:Stack$${stack}`] }];
}

/** What the managed data-tier alarms and widgets watch. */
interface ManagedTargets {
    instanceIds: pulumi.Input<string>[];
    instanceClass: string;
    redisClusterIds: pulumi.Output<string>[];
}

interface AlertTopic {
    topic: aws.sns.Topic;
    key: aws.kms.Key;
    policy: aws.sns.TopicPolicy;
}

export class Monitoring extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:monitoring:Monitoring";

    /** The stack-region alert topic: every alarm outside CloudFront, the budget and Alertmanager publish here. */
    readonly alarmTopicArn: pulumi.Output<string>;
    /** The us-east-1 alert topic of the CloudFront alarms. */
    readonly usEast1AlarmTopicArn: pulumi.Output<string>;
    readonly alarmNames: pulumi.Output<string>[];
    readonly dashboardName: pulumi.Output<string>;
    readonly dashboardUrl: pulumi.Output<string>;
    readonly budgetName: pulumi.Output<string>;
    /** `kubectl port-forward` command that opens Grafana on http://localhost:3000. */
    readonly grafanaPortForward: string;

    constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(Monitoring.__pulumiType, name, {}, opts);
        if (!this.getProvider("aws::")) {
            throw new pulumi.ResourceError("Monitoring needs the stack's AWS provider in its options ({ provider })", this);
        }
        const managed = this.validateData(args);

        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        const main = this.createAlertTopic(name, args, "", undefined, KEY_USERS.default, account.accountId, partition.partition, args.region);
        const edge = this.createAlertTopic(name, args, "-us-east-1", args.usEast1Provider, KEY_USERS["us-east-1"], account.accountId, partition.partition, US_EAST_1);
        this.alarmTopicArn = main.topic.arn;
        this.usEast1AlarmTopicArn = edge.topic.arn;

        this.alarmNames = this.createAlarms(name, args, managed, main, edge);
        const dashboard = this.createDashboard(name, args, managed);
        this.dashboardName = dashboard.dashboardName;
        this.dashboardUrl = dashboard.dashboardName.apply((n) => dashboardUrl(args.region, n));
        this.budgetName = this.createBudget(name, args, main).name;

        const inCluster = new MonitoringStack(
            `${name}-in-cluster`,
            {
                stack: args.stack,
                region: args.region,
                cluster: args.cluster,
                services: args.services,
                prometheus: args.monitoring.prometheus,
                grafana: args.monitoring.grafana,
                alertTopicArn: main.topic.arn,
                alertTopicKeyArn: main.key.arn,
                randomProvider: args.randomProvider,
            },
            { parent: this },
        );
        this.grafanaPortForward = inCluster.grafanaPortForward;

        this.registerOutputs({
            alarmTopicArn: this.alarmTopicArn,
            usEast1AlarmTopicArn: this.usEast1AlarmTopicArn,
            dashboardName: this.dashboardName,
            dashboardUrl: this.dashboardUrl,
            budgetName: this.budgetName,
            grafanaPortForward: this.grafanaPortForward,
        });
    }

    /** Managed mode needs the ids the data-tier alarms watch; fail before creating anything otherwise. */
    private validateData(args: MonitoringArgs): ManagedTargets | undefined {
        if (args.data.mode !== "managed") {
            return undefined;
        }
        const { documentDbInstanceIds, redisReplicationGroupId, documentDbInstanceClass, redisReplicas } = args.data;
        if (!documentDbInstanceIds?.length || !redisReplicationGroupId || !documentDbInstanceClass || redisReplicas === undefined) {
            throw new pulumi.ResourceError(
                "Monitoring: the managed data tier must hand over documentDbInstanceIds, redisReplicationGroupId, documentDbInstanceClass and redisReplicas (DataInfo)",
                this,
            );
        }
        documentDbLimits(documentDbInstanceClass);
        return {
            instanceIds: documentDbInstanceIds,
            instanceClass: documentDbInstanceClass,
            redisClusterIds: redisMemberClusterIds(redisReplicationGroupId, redisReplicas),
        };
    }

    private createAlertTopic(
        name: string,
        args: MonitoringArgs,
        suffix: string,
        provider: aws.Provider | undefined,
        keyUsers: readonly string[],
        accountId: pulumi.Output<string>,
        partition: pulumi.Output<string>,
        region: string,
    ): AlertTopic {
        const base = `${name}-alerts${suffix}`;
        const opts = { parent: this, ...(provider ? { provider } : {}) };
        const key = customerManagedKey(
            `${base}-key`,
            {
                description: `Encrypts the FloDrama ${args.stack} alert topic in ${region}`,
                policy: pulumi.all([partition, accountId]).apply(([p, a]) => alertKeyPolicy(p, a, keyUsers)),
                aliasName: physicalName(args.stack, `alerts${suffix}`, "kmsAlias"),
                deletionWindowInDays: stateful(args.protect).kmsDeletionWindowInDays,
            },
            { key: { ...opts, ...stateful(args.protect).retainOptions }, alias: opts },
        );
        const topic = new aws.sns.Topic(
            base,
            {
                name: physicalName(args.stack, `alerts${suffix}`, "snsTopic"),
                displayName: `FloDrama ${args.stack} alerts`,
                kmsMasterKeyId: key.arn,
            },
            opts,
        );
        const policy = new aws.sns.TopicPolicy(
            `${base}-policy`,
            {
                arn: topic.arn,
                policy: pulumi.all([topic.arn, partition, accountId]).apply(([arn, p, a]) => alertTopicPolicy(arn, p, a, region, keyUsers.includes("budgets.amazonaws.com"))),
            },
            opts,
        );
        // Keyed by address, not position: removing one address leaves the others' confirmed subscriptions alone.
        for (const email of args.monitoring.alertEmails) {
            new aws.sns.TopicSubscription(`${base}-email-${email}`, { topic: topic.arn, protocol: "email", endpoint: email }, opts);
        }
        return { topic, key, policy };
    }

    private alarmSpecs(args: MonitoringArgs, managed: ManagedTargets | undefined): AlarmSpec[] {
        return [
            ...cloudFrontAlarms(args.site.distributionId),
            ...httpApiAlarms(args.api.http.apiId, args.api.http.stageName),
            ...websocketApiAlarms(args.api.websocket.apiId, args.api.websocket.stageName),
            ...(managed
                ? managedDataAlarms({ documentDbInstanceIds: managed.instanceIds, documentDbInstanceClass: managed.instanceClass, redisClusterIds: managed.redisClusterIds })
                : []),
        ];
    }

    private createAlarms(name: string, args: MonitoringArgs, managed: ManagedTargets | undefined, main: AlertTopic, edge: AlertTopic): pulumi.Output<string>[] {
        return this.alarmSpecs(args, managed).map((spec) => {
            const usEast1 = spec.region === "us-east-1";
            const { topic, policy } = usEast1 ? edge : main;
            const alarm = new aws.cloudwatch.MetricAlarm(
                `${name}-alarm-${spec.key}`,
                metricAlarmArgs(spec, args.monitoring.alarms, physicalName(args.stack, spec.key, "alarm"), [topic.arn]),
                { parent: this, ...(usEast1 ? { provider: args.usEast1Provider } : {}), dependsOn: [policy] },
            );
            return alarm.name;
        });
    }

    private createDashboard(name: string, args: MonitoringArgs, managed: ManagedTargets | undefined): aws.cloudwatch.Dashboard {
        const body = pulumi
            .all([
                args.site.distributionId,
                args.api.http.apiId,
                args.api.websocket.apiId,
                args.cluster.name,
                pulumi.all(managed?.instanceIds ?? []),
                pulumi.all(managed?.redisClusterIds ?? []),
            ])
            .apply(([distributionId, httpApiId, websocketApiId, clusterName, instanceIds, redisClusterIds]) =>
                JSON.stringify(
                    dashboardBody({
                        stack: args.stack,
                        region: args.region,
                        periodSeconds: args.monitoring.alarms.periodSeconds,
                        distributionId,
                        httpApiId,
                        websocketApiId,
                        stageName: args.api.http.stageName,
                        websocketStageName: args.api.websocket.stageName,
                        clusterName,
                        managedData: managed ? { documentDbInstanceIds: instanceIds, redisClusterIds } : undefined,
                        grafanaPortForward: grafanaPortForwardCommand(MONITORING_NAMESPACE),
                    }),
                ),
            );
        return new aws.cloudwatch.Dashboard(`${name}-dashboard`, { dashboardName: args.monitoring.dashboardName, dashboardBody: body }, { parent: this });
    }

    private createBudget(name: string, args: MonitoringArgs, main: AlertTopic): aws.budgets.Budget {
        const b = args.monitoring.budget;
        return new aws.budgets.Budget(
            `${name}-budget`,
            {
                name: physicalName(args.stack, "monthly-cost", "budget"),
                budgetType: "COST",
                timeUnit: "MONTHLY",
                limitAmount: b.monthlyLimitUsd.toFixed(2),
                limitUnit: "USD",
                costFilters: budgetCostFilters(args.stack),
                notifications: budgetNotifications(main.topic.arn, b.forecastAlert),
            },
            // Budgets must be able to publish (topic policy) before it validates the subscriber.
            { parent: this, dependsOn: [main.policy] },
        );
    }
}
