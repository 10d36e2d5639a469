/**
 * The CloudWatch dashboard body (pure): valid JSON, every widget placed on the 24-unit grid with a
 * region, well-formed metric rows, and every metric of the seed (4xx and 5xx rates, latency,
 * requests, bytes downloaded) for CloudFront and the APIs.
 */
import { strict as assert } from "assert";
import { dashboardBody, DashboardInput, dashboardUrl, GRID_WIDTH, layout, MetricRow, metricWidget, textWidget } from "../../components/monitoring/dashboard";

const INPUT: DashboardInput = {
    stack: "prod",
    region: "eu-west-3",
    periodSeconds: 60,
    distributionId: "E2ABCDEF",
    httpApiId: "abc123",
    websocketApiId: "ws456",
    stageName: "$default",
    websocketStageName: "live",
    clusterName: "flodrama-prod-eks",
    grafanaPortForward: "kubectl -n monitoring port-forward svc/grafana 3000:80",
};
const MANAGED = { documentDbInstanceIds: ["doc-1", "doc-2"], redisClusterIds: ["rg-001", "rg-002"] };

function parse(input: DashboardInput): any {
    return JSON.parse(JSON.stringify(dashboardBody(input)));
}

/** Every `[ns, name, k, v, ..., {opts}]` row as `{ns, name, dims, opts}`; expression rows as `{expression}`. */
function rows(widget: any): { ns?: string; name?: string; dims?: Record<string, string>; opts?: any; expression?: string }[] {
    return widget.properties.metrics.map((row: MetricRow) => {
        if (row.length === 1 && typeof row[0] === "object") {
            return { expression: (row[0] as any).expression };
        }
        const last = row[row.length - 1];
        const opts = typeof last === "object" ? last : undefined;
        const strings = (opts ? row.slice(0, -1) : row) as string[];
        const dims: Record<string, string> = {};
        for (let i = 2; i < strings.length; i += 2) {
            dims[strings[i]] = strings[i + 1];
        }
        return { ns: strings[0], name: strings[1], dims, opts, len: strings.length };
    });
}

describe("monitoring: dashboard body", () => {
    for (const managed of [false, true]) {
        describe(managed ? "with the managed data tier" : "with the in-cluster data tier", () => {
            const body = parse({ ...INPUT, managedData: managed ? MANAGED : undefined });

            it("is a valid dashboard: widgets with type, position, size and properties on the grid", () => {
                assert.ok(Array.isArray(body.widgets) && body.widgets.length > 10);
                for (const w of body.widgets) {
                    assert.ok(["metric", "text"].includes(w.type), w.type);
                    for (const k of ["x", "y", "width", "height"]) {
                        assert.ok(Number.isInteger(w[k]) && w[k] >= 0, `${k} of ${JSON.stringify(w).slice(0, 80)}`);
                    }
                    assert.ok(w.width >= 1 && w.x + w.width <= GRID_WIDTH, "fits the 24-unit grid");
                    assert.ok(w.properties && typeof w.properties === "object");
                }
                // No two widgets overlap.
                const cells = new Set<string>();
                for (const w of body.widgets) {
                    for (let x = w.x; x < w.x + w.width; x++) {
                        for (let y = w.y; y < w.y + w.height; y++) {
                            const c = `${x},${y}`;
                            assert.ok(!cells.has(c), `widgets overlap at ${c}`);
                            cells.add(c);
                        }
                    }
                }
            });

            it("gives every metric widget a region, a title and well-formed metric rows", () => {
                for (const w of body.widgets.filter((x: any) => x.type === "metric")) {
                    assert.match(w.properties.region, /^[a-z]{2}-[a-z]+-\d$/);
                    assert.ok(w.properties.title);
                    assert.ok(w.properties.metrics.length > 0);
                    for (const r of rows(w)) {
                        if (r.expression !== undefined) {
                            assert.ok(r.expression.length > 0);
                            continue;
                        }
                        assert.match(r.ns!, /^AWS\//);
                        assert.ok(r.name);
                        assert.equal(((r as any).len - 2) % 2, 0, "dimensions come in name/value pairs");
                    }
                }
            });

            it("shows CloudFront 4xx and 5xx rates, origin latency, requests and bytes downloaded in us-east-1 with Region=Global", () => {
                const cf = body.widgets.filter((w: any) => w.type === "metric" && rows(w).some((r) => r.ns === "AWS/CloudFront"));
                const names = new Set(cf.flatMap((w: any) => rows(w).map((r) => r.name)));
                for (const n of ["4xxErrorRate", "5xxErrorRate", "OriginLatency", "Requests", "BytesDownloaded"]) {
                    assert.ok(names.has(n), `CloudFront ${n}`);
                }
                for (const w of cf) {
                    assert.equal(w.properties.region, "us-east-1");
                    for (const r of rows(w)) {
                        assert.deepEqual(r.dims, { DistributionId: "E2ABCDEF", Region: "Global" });
                    }
                }
            });

            it("shows the HTTP API's 4xx and 5xx rates, latency, requests and bytes, and the WebSocket API's traffic and errors", () => {
                const api = body.widgets.filter((w: any) => w.type === "metric" && rows(w).some((r) => r.ns === "AWS/ApiGateway"));
                const http = api.flatMap((w: any) => rows(w)).filter((r: any) => r.dims?.ApiId === "abc123");
                for (const n of ["4xx", "5xx", "Count", "Latency", "DataProcessed"]) {
                    assert.ok(http.some((r: any) => r.name === n), `HTTP API ${n}`);
                }
                const exprs = api.flatMap((w: any) => rows(w)).filter((r: any) => r.expression).map((r: any) => r.expression);
                assert.ok(exprs.some((e: string) => /100 \* FILL\(e5, 0\) \/ n/.test(e)));
                const ws = api.flatMap((w: any) => rows(w)).filter((r: any) => r.dims?.ApiId === "ws456");
                for (const n of ["ConnectCount", "MessageCount", "ClientError", "ExecutionError", "IntegrationError"]) {
                    assert.ok(ws.some((r: any) => r.name === n), `WebSocket ${n}`);
                }
                assert.ok(ws.every((r: any) => r.dims.Stage === "live") && http.every((r: any) => r.dims.Stage === "$default"), "each API's own stage");
                for (const w of api) {
                    assert.equal(w.properties.region, "eu-west-3");
                }
            });

            it("shows the EKS control plane", () => {
                const eks = body.widgets.flatMap((w: any) => (w.type === "metric" ? rows(w) : [])).filter((r: any) => r.ns === "AWS/EKS");
                assert.ok(eks.some((r: any) => r.name === "apiserver_request_total_5XX"));
                assert.ok(eks.every((r: any) => r.dims.ClusterName === "flodrama-prod-eks"));
            });

            it("sums counts and never sums gauges, rates or latencies", () => {
                const counts = new Set([
                    "Requests", "BytesDownloaded", "BytesUploaded", "Count", "5xx", "4xx", "DataProcessed",
                    "ConnectCount", "MessageCount", "ClientError", "ExecutionError", "IntegrationError",
                    "apiserver_request_total", "apiserver_request_total_4XX", "apiserver_request_total_5XX", "apiserver_request_total_429",
                ]);
                const metricRows = body.widgets.flatMap((w: any) => (w.type === "metric" ? rows(w) : [])).filter((r: any) => r.name);
                assert.ok(metricRows.length > 20);
                for (const r of metricRows) {
                    const stat = r.opts?.stat;
                    assert.ok(stat, `${r.name} names its statistic`);
                    if (counts.has(r.name!)) {
                        assert.equal(stat, "Sum", r.name);
                    } else {
                        assert.ok(/^(Average|Maximum|Minimum|p\d+(\.\d+)?)$/.test(stat), `${r.name}: ${stat} (a gauge, rate or latency is not summed)`);
                    }
                }
            });

            it(`${managed ? "shows" : "leaves out"} DocumentDB and ElastiCache`, () => {
                const data = body.widgets.flatMap((w: any) => (w.type === "metric" ? rows(w) : [])).filter((r: any) => r.ns === "AWS/DocDB" || r.ns === "AWS/ElastiCache");
                if (!managed) {
                    assert.equal(data.length, 0);
                    return;
                }
                assert.deepEqual([...new Set(data.filter((r: any) => r.ns === "AWS/DocDB").map((r: any) => r.dims.DBInstanceIdentifier))], ["doc-1", "doc-2"]);
                assert.deepEqual([...new Set(data.filter((r: any) => r.ns === "AWS/ElastiCache").map((r: any) => r.dims.CacheClusterId))], ["rg-001", "rg-002"]);
            });

            it("opens with a header that names the stack and how to reach Grafana", () => {
                const header = body.widgets[0];
                assert.equal(header.type, "text");
                assert.deepEqual([header.x, header.y, header.width], [0, 0, 24]);
                assert.match(header.properties.markdown, /stack `prod`/);
                assert.match(header.properties.markdown, /port-forward svc\/grafana/);
            });
        });
    }

    it("wraps widgets onto a new row and refuses a widget wider than the grid", () => {
        const placed = layout([metricWidget({ title: "a", region: "eu-west-3", period: 60, metrics: [["AWS/X", "Y"]], width: 16 }), metricWidget({ title: "b", region: "eu-west-3", period: 60, metrics: [["AWS/X", "Y"]], width: 16 })]);
        assert.deepEqual(placed.map((w) => [w.x, w.y]), [[0, 0], [0, 6]]);
        assert.throws(() => layout([{ ...textWidget("x"), width: 25 }]), /grid is 24/);
    });

    it("links to the dashboard in the console", () => {
        assert.equal(dashboardUrl("eu-west-3", "FloDrama-Dashboard"), "https://eu-west-3.console.aws.amazon.com/cloudwatch/home?region=eu-west-3#dashboards/dashboard/FloDrama-Dashboard");
    });
});
