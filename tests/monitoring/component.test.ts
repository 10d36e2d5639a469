/**
 * The Monitoring component under mocks, with the config of each stack file and fixtures for the
 * site, the APIs, the data tier and the services: alert topics and their keys and policies, e-mail
 * subscriptions, every alarm's region, provider, actions and timing, the dashboard, the budget, the
 * Helm release and its values, the Grafana Secret, Alertmanager's IRSA role, the custom resources,
 * the Kubernetes schema, the policy pack, and (prod) the managed data-tier alarms that dev lacks.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FlodramaConfig } from "../../config";
import { ApiInfo, DataInfo, DeployedService, SiteInfo } from "../../lib/contracts";
import { fakeCluster } from "../../offline/fixtures";
import { ProgramRun, RecordedResource, simulate, stackNames, valueOf } from "../../offline/harness";
import { manifestOf, validateManifest } from "../../offline/kubeSchema";
import { ACCOUNT_ID, TEST_SECRET } from "../../offline/mocks";
import { formatFinding, runPolicies } from "../../offline/policyRunner";
import { KUBE_PROMETHEUS_STACK } from "../../k8s/monitoringValues";

const DISTRIBUTION_ID = "E2FIXTURE";
const HTTP_API_ID = "httpapi01";
const WS_API_ID = "wsapi0001";
const STAGE = "$default";
const WS_STAGE = "live";

function fakeSite(): SiteInfo {
    return { url: pulumi.output("https://d111.cloudfront.net"), distributionId: pulumi.output(DISTRIBUTION_ID) };
}

function fakeApi(): ApiInfo {
    return {
        http: { apiId: pulumi.output(HTTP_API_ID), url: pulumi.output(`https://${HTTP_API_ID}.execute-api.eu-west-3.amazonaws.com`), stageName: STAGE },
        websocket: { apiId: pulumi.output(WS_API_ID), url: pulumi.output(`wss://${WS_API_ID}.execute-api.eu-west-3.amazonaws.com/${WS_STAGE}`), stageName: WS_STAGE },
    };
}

function fakeData(cfg: FlodramaConfig): DataInfo {
    const common = { secretName: pulumi.output("flodrama-data"), mongoPort: 27017, redisPort: 6379 };
    if (cfg.data.mode === "in-cluster") {
        return { mode: "in-cluster", ...common };
    }
    return {
        mode: "managed",
        ...common,
        documentDbClusterId: pulumi.output(`flodrama-${cfg.stack}-docdb`),
        documentDbInstanceIds: Array.from({ length: cfg.data.documentDb!.instanceCount }, (_, i) => pulumi.output(`flodrama-${cfg.stack}-docdb-${i}`)),
        redisReplicationGroupId: pulumi.output(`flodrama-${cfg.stack}-redis`),
        documentDbInstanceClass: cfg.data.documentDb!.instanceClass,
        redisReplicas: cfg.data.redis!.replicas,
    };
}

function fakeServices(cfg: FlodramaConfig): DeployedService[] {
    return cfg.services.map((s) => ({
        config: s,
        serviceName: s.expose === "none" ? undefined : pulumi.output(s.name),
        roleName: pulumi.output(`flodrama-${cfg.stack}-${s.name}`),
        roleArn: pulumi.output(`arn:aws:iam::${ACCOUNT_ID}:role/flodrama-${cfg.stack}-${s.name}`),
        image: pulumi.output(`${ACCOUNT_ID}.dkr.ecr.${cfg.region}.amazonaws.com/flodrama-${cfg.stack}-${s.name}@sha256:${"d".repeat(64)}`),
    }));
}

for (const stack of stackNames()) {
    describe(`monitoring component on stack ${stack}`, () => {
        let run: ProgramRun;
        let cfg: FlodramaConfig;
        let outputs: Record<string, unknown>;
        const regionOf = (r: RecordedResource) => run.providerOf(r)?.inputs.region;
        const topic = (region: string) => run.ofType("aws:sns/topic:Topic").find((t) => regionOf(t) === region)!;

        before(async () => {
            const sim = await simulate(stack, async () => {
                const { loadConfig } = require("../../config");
                const { createAwsProviders } = require("../../lib/providers");
                const { Monitoring } = require("../../components/monitoring/monitoring");
                cfg = loadConfig();
                const providers = createAwsProviders(cfg);
                const m = new Monitoring(
                    "monitoring",
                    {
                        stack: cfg.stack,
                        region: cfg.region,
                        monitoring: cfg.monitoring,
                        site: fakeSite(),
                        api: fakeApi(),
                        data: fakeData(cfg),
                        services: fakeServices(cfg),
                        cluster: fakeCluster(),
                        usEast1Provider: providers.usEast1,
                        randomProvider: providers.random,
                        protect: cfg.protect,
                    },
                    { provider: providers.aws },
                );
                outputs = {
                    alarmTopicArn: await valueOf(m.alarmTopicArn),
                    dashboardName: await valueOf(m.dashboardName),
                    dashboardUrl: await valueOf(m.dashboardUrl),
                    grafanaPortForward: m.grafanaPortForward,
                    alarmNames: await Promise.all(m.alarmNames.map((n: pulumi.Output<string>) => valueOf(n))),
                };
            });
            run = new ProgramRun(stack, sim.resources, {}, [], sim.config);
        });

        it("creates an encrypted alert topic in the stack's region and one in us-east-1, each with its own rotating key", () => {
            const topics = run.ofType("aws:sns/topic:Topic");
            assert.deepEqual(topics.map(regionOf).sort(), [cfg.region, "us-east-1"].sort());
            for (const t of topics) {
                const key = run.ofType("aws:kms/key:Key").find((k) => k.state.arn === t.inputs.kmsMasterKeyId);
                assert.ok(key, `topic ${t.name} is encrypted with a key of this component`);
                assert.equal(regionOf(key!), regionOf(t));
                assert.equal(key!.inputs.enableKeyRotation, true);
                assert.equal(key!.protect, cfg.protect);
                const users = JSON.parse(key!.inputs.policy).Statement.find((s: any) => s.Sid === "ServicesPublishToEncryptedTopic").Principal.Service;
                assert.deepEqual(users, regionOf(t) === "us-east-1" ? ["cloudwatch.amazonaws.com"] : ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]);
            }
            assert.equal(outputs.alarmTopicArn, topic(cfg.region).state.arn);
        });

        it("lets CloudWatch of this account (and Budgets on the main topic) publish, and nobody without TLS", () => {
            for (const t of run.ofType("aws:sns/topic:Topic")) {
                const policy = run.ofType("aws:sns/topicPolicy:TopicPolicy").find((p) => p.inputs.arn === t.state.arn)!;
                const doc = JSON.parse(policy.inputs.policy);
                const cw = doc.Statement.find((s: any) => s.Sid === "CloudWatchAlarmsPublish");
                assert.deepEqual(cw.Principal, { Service: "cloudwatch.amazonaws.com" });
                assert.equal(cw.Condition.StringEquals["aws:SourceAccount"], ACCOUNT_ID);
                assert.equal(cw.Condition.ArnLike["aws:SourceArn"], `arn:aws:cloudwatch:${regionOf(t)}:${ACCOUNT_ID}:alarm:*`);
                const budgets = doc.Statement.find((s: any) => s.Sid === "BudgetsPublish");
                assert.equal(!!budgets, regionOf(t) === cfg.region);
                assert.ok(doc.Statement.some((s: any) => s.Effect === "Deny" && s.Condition.Bool["aws:SecureTransport"] === "false"));
                assert.equal(regionOf(policy), regionOf(t));
            }
        });

        it("subscribes every alert e-mail to both topics", () => {
            const subs = run.ofType("aws:sns/topicSubscription:TopicSubscription");
            assert.ok(cfg.monitoring.alertEmails.length >= 1);
            assert.equal(subs.length, 2 * cfg.monitoring.alertEmails.length);
            for (const email of cfg.monitoring.alertEmails) {
                for (const region of [cfg.region, "us-east-1"]) {
                    const s = subs.find((x) => x.inputs.endpoint === email && x.inputs.topic === topic(region).state.arn);
                    assert.ok(s, `${email} on the ${region} topic`);
                    assert.equal(s!.inputs.protocol, "email");
                    assert.equal(regionOf(s!), region);
                }
            }
        });

        it(`creates the CloudFront, API${stack === "prod" ? " and managed data-tier" : ""} alarms, each with alarm and OK actions on its region's topic`, () => {
            const alarms = run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
            const keys = alarms.map((a) => a.name.replace(/^monitoring-alarm-/, "")).sort();
            const expected = ["api-4xx-rate", "api-5xx-rate", "api-latency", "cdn-4xx-rate", "cdn-5xx-rate", "cdn-origin-latency", "ws-client-errors", "ws-server-errors"];
            const data = ["docdb-connections", "docdb-cpu", "docdb-freeable-memory", "redis-connections", "redis-engine-cpu", "redis-memory"];
            assert.deepEqual(keys, [...expected, ...(cfg.data.mode === "managed" ? data : [])].sort());
            assert.equal(cfg.data.mode === "managed", stack === "prod");
            const timing = cfg.monitoring.alarms;
            for (const a of alarms) {
                const key = a.name.replace(/^monitoring-alarm-/, "");
                const region = key.startsWith("cdn-") ? "us-east-1" : cfg.region;
                assert.equal(regionOf(a), region, `${key} region`);
                assert.deepEqual(a.inputs.alarmActions, [topic(region).state.arn], `${key} alarm actions`);
                assert.deepEqual(a.inputs.okActions, [topic(region).state.arn], `${key} OK actions`);
                assert.equal(a.inputs.name, `flodrama-${stack}-${key}`);
                assert.equal(a.inputs.evaluationPeriods, timing.evaluationPeriods);
                assert.equal(a.inputs.datapointsToAlarm, timing.datapointsToAlarm);
                const periods = a.inputs.metricQueries ? a.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => q.metric.period) : [a.inputs.period];
                assert.ok(periods.length > 0 && periods.every((p: number) => p === timing.periodSeconds), `${key} period`);
                const dims = a.inputs.metricQueries ? a.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => q.metric.dimensions) : [a.inputs.dimensions];
                for (const d of dims) {
                    if (key.startsWith("cdn-")) {
                        assert.deepEqual(d, { DistributionId: DISTRIBUTION_ID, Region: "Global" });
                    } else if (key.startsWith("api-")) {
                        assert.deepEqual(d, { ApiId: HTTP_API_ID, Stage: STAGE });
                    } else if (key.startsWith("ws-")) {
                        assert.deepEqual(d, { ApiId: WS_API_ID, Stage: WS_STAGE });
                    } else if (key.startsWith("docdb-")) {
                        assert.match(d.DBInstanceIdentifier, new RegExp(`^flodrama-${stack}-docdb-\\d$`));
                    } else {
                        assert.match(d.CacheClusterId, new RegExp(`^flodrama-${stack}-redis-00[1-9]$`));
                    }
                }
            }
            if (cfg.data.mode === "managed") {
                const redis = alarms.find((a) => a.name.endsWith("redis-memory"))!;
                assert.equal(redis.inputs.metricQueries.filter((q: any) => q.metric).length, cfg.data.redis!.replicas + 1);
                const doc = alarms.find((a) => a.name.endsWith("docdb-cpu"))!;
                assert.equal(doc.inputs.metricQueries.filter((q: any) => q.metric).length, cfg.data.documentDb!.instanceCount);
            }
            assert.equal((outputs.alarmNames as string[]).length, alarms.length);
        });

        it(`names the dashboard ${stack === "prod" ? "FloDrama-Dashboard (the seed's name)" : `FloDrama-Dashboard-${stack}`} and fills it with valid widgets`, () => {
            const d = run.one("aws:cloudwatch/dashboard:Dashboard");
            assert.equal(d.inputs.dashboardName, stack === "prod" ? "FloDrama-Dashboard" : `FloDrama-Dashboard-${stack}`);
            assert.equal(outputs.dashboardName, d.inputs.dashboardName);
            assert.equal(outputs.dashboardUrl, `https://${cfg.region}.console.aws.amazon.com/cloudwatch/home?region=${cfg.region}#dashboards/dashboard/${d.inputs.dashboardName}`);
            const body = JSON.parse(d.inputs.dashboardBody);
            const text = JSON.stringify(body);
            assert.ok(text.includes(DISTRIBUTION_ID) && text.includes(HTTP_API_ID) && text.includes(WS_API_ID) && text.includes("flodrama-test-cluster"));
            assert.equal(text.includes("AWS/DocDB"), cfg.data.mode === "managed");
            assert.equal(text.includes("AWS/ElastiCache"), cfg.data.mode === "managed");
        });

        it("budgets the month's cost of the stack's tag, alerting the main topic at 80 % actual and 100 % forecast", () => {
            const b = run.one("aws:budgets/budget:Budget");
            assert.equal(b.inputs.budgetType, "COST");
            assert.equal(b.inputs.timeUnit, "MONTHLY");
            assert.equal(b.inputs.limitUnit, "USD");
            assert.equal(Number(b.inputs.limitAmount), cfg.monitoring.budget.monthlyLimitUsd);
            assert.deepEqual(b.inputs.costFilters, [{ name: "TagKeyValue", values: [`user:Stack$${stack}`] }]);
            const n = b.inputs.notifications.map((x: any) => [x.notificationType, x.comparisonOperator, x.threshold, x.thresholdType]);
            assert.deepEqual(n, [["ACTUAL", "GREATER_THAN", 80, "PERCENTAGE"], ...(cfg.monitoring.budget.forecastAlert ? [["FORECASTED", "GREATER_THAN", 100, "PERCENTAGE"]] : [])]);
            for (const x of b.inputs.notifications) {
                assert.deepEqual(x.subscriberSnsTopicArns, [topic(cfg.region).state.arn]);
            }
        });

        it("installs the pinned kube-prometheus-stack in the monitoring namespace through the cluster's provider", () => {
            const rel = run.one("kubernetes:helm.sh/v3:Release");
            assert.equal(rel.inputs.chart, "kube-prometheus-stack");
            assert.equal(rel.inputs.version, KUBE_PROMETHEUS_STACK.version);
            assert.equal(rel.inputs.repositoryOpts.repo, KUBE_PROMETHEUS_STACK.repo);
            assert.equal(rel.inputs.namespace, "monitoring");
            assert.equal(rel.inputs.createNamespace, false);
            assert.equal(rel.inputs.atomic, true);
            assert.ok(rel.provider?.endsWith("::fixture-k8s"));
            const secret = run.kubernetes("Secret").find((s) => s.inputs.metadata.name === "grafana-admin")!;
            assert.ok(rel.dependencies.includes(secret.urn), "the release waits for the Grafana Secret");
        });

        it("passes the values that matter: retention, storage, the Grafana Secret, Alertmanager to the topic via IRSA", () => {
            const v = run.one("kubernetes:helm.sh/v3:Release").inputs.values;
            assert.equal(v.prometheus.prometheusSpec.retention, cfg.monitoring.prometheus.retention);
            assert.equal(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, `${cfg.monitoring.prometheus.storageGi}Gi`);
            assert.equal(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName, "gp3-encrypted");
            assert.equal(v.grafana.persistence.size, `${cfg.monitoring.grafana.storageGi}Gi`);
            assert.equal(v.grafana.admin.existingSecret, "grafana-admin");
            assert.ok(!JSON.stringify(v).includes(TEST_SECRET), "no password in the values");
            const sns = v.alertmanager.config.receivers.find((r: any) => r.sns_configs).sns_configs[0];
            assert.equal(sns.topic_arn, topic(cfg.region).state.arn);
            assert.deepEqual(sns.sigv4, { region: cfg.region });
            const role = run.one("aws:iam/role:Role", /alertmanager/);
            assert.equal(v.alertmanager.serviceAccount.annotations["eks.amazonaws.com/role-arn"], role.state.arn);
        });

        it("keeps the Grafana admin password secret, from @pulumi/random, in the monitoring namespace", async () => {
            const pw = run.one("random:index/randomPassword:RandomPassword");
            assert.ok(pw.inputs.length >= 32);
            assert.ok(run.providerOf(pw)?.type === "pulumi:providers:random", "an explicit random provider");
            const secret = run.kubernetes("Secret").find((s) => s.inputs.metadata.name === "grafana-admin")!;
            assert.equal(secret.inputs.metadata.namespace, "monitoring");
            assert.ok(secret.secretInputs.includes("stringData"), "stringData is a Pulumi secret");
            assert.equal(secret.inputs.stringData["admin-password"], TEST_SECRET);
        });

        it("gives Alertmanager an IRSA role for its ServiceAccount that may publish to the main topic only", () => {
            const role = run.one("aws:iam/role:Role", /alertmanager/);
            const trust = JSON.parse(role.inputs.assumeRolePolicy);
            const cond = trust.Statement[0].Condition.StringEquals;
            assert.equal(Object.entries(cond).find(([k]) => k.endsWith(":sub"))![1], "system:serviceaccount:monitoring:alertmanager");
            const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", /alertmanager/).inputs.policy);
            assert.deepEqual(policy.Statement[0], { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: topic(cfg.region).state.arn });
            const mainKey = run.ofType("aws:kms/key:Key").find((k) => regionOf(k) === cfg.region)!;
            assert.equal(policy.Statement[1].Resource, mainKey.state.arn);
            const rel = run.one("kubernetes:helm.sh/v3:Release");
            assert.ok(rel.dependencies.includes(run.one("aws:iam/rolePolicy:RolePolicy", /alertmanager/).urn), "the release waits for Alertmanager's policy");
        });

        it("creates a PodMonitor per service and the rules, after the release's CRDs", () => {
            const rel = run.one("kubernetes:helm.sh/v3:Release");
            const crs = run.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/v1:"));
            const kinds = crs.map((r) => `${r.inputs.kind}/${r.inputs.metadata.name}`).sort();
            // PodMonitors only: the management port is on no Service (k8s/serviceMonitoring.ts).
            const expected = cfg.services.map((s) => `PodMonitor/${s.name}`);
            assert.deepEqual(kinds, [...expected, "PrometheusRule/flodrama-services"].sort());
            for (const cr of crs) {
                assert.ok(cr.dependencies.includes(rel.urn), `${cr.name} depends on the release`);
                assert.ok(cr.provider?.endsWith("::fixture-k8s"));
                assert.equal(cr.inputs.metadata.namespace, cr.inputs.kind === "PrometheusRule" ? "monitoring" : "flodrama");
            }
            const dashboards = run.kubernetes("ConfigMap").filter((c) => c.inputs.metadata.labels?.grafana_dashboard === "1");
            assert.deepEqual(dashboards.map((c) => c.inputs.metadata.name).sort(), cfg.services.map((s) => `grafana-dashboard-${s.name}`).sort());
        });

        it("validates every Kubernetes object against the schema", () => {
            const objects = run.kubernetes();
            assert.ok(objects.length >= 8);
            for (const r of objects) {
                assert.deepEqual(validateManifest(manifestOf(r), ["ServiceMonitor", "PodMonitor", "PrometheusRule"]), [], `${r.type} ${r.name}`);
            }
        });

        it("names every child after the component and gives it an explicit provider", () => {
            for (const r of run.resources.filter((x) => !x.type.startsWith("pulumi:providers:") && x.name !== "monitoring")) {
                assert.ok(r.name.startsWith("monitoring-"), r.name);
                if (r.custom) {
                    assert.ok(r.provider && !/::default(_\d+_\d+_\d+)?$/.test(r.provider), `${r.type} ${r.name} has an explicit provider`);
                }
            }
            assert.equal(outputs.grafanaPortForward, "kubectl -n monitoring port-forward svc/grafana 3000:80");
        });

        it("passes the policy pack", () => {
            const report = runPolicies(run);
            assert.equal(report.violations.length, 0, `\n${report.violations.map(formatFinding).join("\n")}`);
        });
    });
}
