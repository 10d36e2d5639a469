/**
 * Monitoring as the whole program wires it, for both stack files: the alarms watch the real
 * distribution, APIs and (prod) data stores the other components create, CloudFront alarms run in
 * us-east-1, the Helm release uses the cluster's Kubernetes provider and waits for the monitoring
 * namespace, and the stack exports the topic, the dashboard and the Grafana command.
 *
 * Until index.ts wires `Monitoring` (it needs the API component), these tests report as
 * pending rather than pass: docs/monitoring.md ("Wiring") has the snippet.
 */
import { strict as assert } from "assert";
import { ProgramRun, RecordedResource, runProgram, stackNames } from "../../offline/harness";

for (const stack of stackNames()) {
    describe(`monitoring wired on stack ${stack}`, () => {
        let run: ProgramRun;
        let alarms: RecordedResource[];
        const regionOf = (r: RecordedResource) => run.providerOf(r)?.inputs.region;
        const dims = (a: RecordedResource): Record<string, string>[] =>
            a.inputs.metricQueries ? a.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => q.metric.dimensions) : [a.inputs.dimensions];

        before(async function () {
            run = await runProgram(stack);
            if (!run.resources.some((r) => r.type === "flodrama:monitoring:Monitoring")) {
                this.skip();
            }
            alarms = run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("monitoring-"));
        });

        it("creates the Monitoring component once", () => {
            assert.equal(run.resources.filter((r) => r.type === "flodrama:monitoring:Monitoring").length, 1);
            assert.equal(run.resources.filter((r) => r.type === "flodrama:monitoring:MonitoringStack").length, 1);
        });

        it("watches the program's CloudFront distribution from us-east-1", () => {
            const distribution = run.one("aws:cloudfront/distribution:Distribution");
            const cdn = alarms.filter((a) => /-cdn-/.test(a.name));
            assert.equal(cdn.length, 3);
            for (const a of cdn) {
                assert.equal(regionOf(a), "us-east-1");
                for (const d of dims(a)) {
                    assert.deepEqual(d, { DistributionId: `${distribution.name}-id`, Region: "Global" });
                }
            }
        });

        it("watches the program's HTTP and WebSocket APIs on their own stages", () => {
            const apis = run.ofType("aws:apigatewayv2/api:Api");
            const http = apis.find((a) => a.inputs.protocolType === "HTTP")!;
            const ws = apis.find((a) => a.inputs.protocolType === "WEBSOCKET")!;
            const stageOf = (api: RecordedResource) => run.ofType("aws:apigatewayv2/stage:Stage").find((s) => s.inputs.apiId === `${api.name}-id`)!.inputs.name;
            for (const a of alarms.filter((x) => /-api-/.test(x.name))) {
                assert.equal(regionOf(a), run.config["aws:region"]);
                for (const d of dims(a)) {
                    assert.deepEqual(d, { ApiId: `${http.name}-id`, Stage: stageOf(http) });
                }
            }
            const wsAlarms = alarms.filter((x) => /-ws-/.test(x.name));
            assert.equal(wsAlarms.length, 2);
            for (const a of wsAlarms) {
                for (const d of dims(a)) {
                    assert.deepEqual(d, { ApiId: `${ws.name}-id`, Stage: stageOf(ws) });
                }
            }
        });

        it(stack === "prod" ? "watches every DocumentDB instance and ElastiCache node" : "has no data-tier alarm (in-cluster stores)", () => {
            const data = alarms.filter((a) => /-(docdb|redis)-/.test(a.name));
            if (JSON.parse(run.config["flodrama:data"]).mode !== "managed") {
                assert.equal(data.length, 0);
                return;
            }
            assert.equal(data.length, 6);
            const instances = run.ofType("aws:docdb/clusterInstance:ClusterInstance").map((i) => i.inputs.identifier).sort();
            const docIds = [...new Set(data.filter((a) => /docdb/.test(a.name)).flatMap((a) => dims(a).map((d) => d.DBInstanceIdentifier)))].sort();
            assert.deepEqual(docIds, instances);
            const group = run.one("aws:elasticache/replicationGroup:ReplicationGroup");
            const nodes = [...new Set(data.filter((a) => /redis/.test(a.name)).flatMap((a) => dims(a).map((d) => d.CacheClusterId)))];
            assert.equal(nodes.length, JSON.parse(run.config["flodrama:data"]).redis.replicas + 1);
            assert.equal(group.inputs.numCacheClusters ?? nodes.length, nodes.length);
            assert.ok(nodes.every((n) => n.startsWith(`${group.inputs.replicationGroupId}-00`)));
        });

        it("installs kube-prometheus-stack through the cluster's provider in the monitoring namespace", () => {
            const rel = run.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "kube-prometheus-stack")!;
            assert.ok(rel, "the release exists");
            assert.equal(rel.inputs.namespace, "monitoring");
            const provider = run.providerOf(rel)!;
            assert.equal(provider.type, "pulumi:providers:kubernetes");
            assert.equal(provider.name, "cluster-k8s");
        });

        it("exports the alert topic, the dashboard and the Grafana command", () => {
            assert.match(String(run.outputs.alarmTopicArn), new RegExp(`^arn:aws:sns:${run.config["aws:region"]}:\\d{12}:flodrama-${stack}-alerts$`));
            assert.equal(run.outputs.dashboardName, stack === "prod" ? "FloDrama-Dashboard" : `FloDrama-Dashboard-${stack}`);
            assert.match(String(run.outputs.dashboardUrl), /console\.aws\.amazon\.com\/cloudwatch\/home\?region=/);
            assert.equal(run.outputs.grafanaPortForward, "kubectl -n monitoring port-forward svc/grafana 3000:80");
        });
    });
}
