/**
 * The alarm specs (pure): namespaces, metrics or expressions, dimensions, regions, thresholds,
 * comparisons, missing-data treatment, and the MetricAlarm arguments they become.
 */
import { SEED_THRESHOLDS } from "../../lib/contracts";
import { strict as assert } from "assert";
import {
    AlarmSpec,
    cloudFrontAlarms,
    documentDbLimits,
    httpApiAlarms,
    managedDataAlarms,
    metricAlarmArgs,
    MIN_REQUESTS_FOR_RATE,
    REDIS_MAX_CLIENTS,
    websocketApiAlarms,
} from "../../components/monitoring/alarms";

const byKey = (specs: AlarmSpec[]) => new Map(specs.map((s) => [s.key, s]));
const TIMING = { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 };

describe("monitoring: alarm specs", () => {
    it("keeps the seed's thresholds", () => {
        assert.deepEqual(SEED_THRESHOLDS, { error5xxPercent: 5, error4xxPercent: 10, latencyMs: 1000 });
    });

    describe("CloudFront", () => {
        const specs = byKey(cloudFrontAlarms("E2ABCDEF"));

        it("alarms in us-east-1 on Region=Global and the distribution", () => {
            assert.deepEqual([...specs.keys()], ["cdn-5xx-rate", "cdn-4xx-rate", "cdn-origin-latency"]);
            for (const s of specs.values()) {
                assert.equal(s.region, "us-east-1");
                const metrics = s.metric ? [s.metric] : Object.values(s.math!.metrics);
                for (const m of metrics) {
                    assert.equal(m.namespace, "AWS/CloudFront");
                    assert.deepEqual(m.dimensions, { DistributionId: "E2ABCDEF", Region: "Global" });
                }
                assert.equal(s.comparison, "GreaterThanThreshold");
                assert.equal(s.treatMissingData, "notBreaching");
            }
        });

        it("judges 5xx > 5 % and 4xx > 10 % on CloudFront's rate metrics, with enough requests", () => {
            const five = specs.get("cdn-5xx-rate")!;
            assert.equal(five.threshold, 5);
            assert.equal(five.math!.metrics.rate.metricName, "5xxErrorRate");
            assert.equal(five.math!.metrics.rate.stat, "Average");
            assert.equal(five.math!.metrics.requests.metricName, "Requests");
            assert.equal(five.math!.expression, `IF(requests >= ${MIN_REQUESTS_FOR_RATE}, rate, 0)`);
            const four = specs.get("cdn-4xx-rate")!;
            assert.equal(four.threshold, 10);
            assert.equal(four.math!.metrics.rate.metricName, "4xxErrorRate");
        });

        it("watches origin latency above 1000 ms on a percentile", () => {
            const l = specs.get("cdn-origin-latency")!;
            assert.equal(l.metric!.metricName, "OriginLatency");
            assert.match(l.metric!.stat, /^p9\d$/);
            assert.equal(l.threshold, 1000);
        });
    });

    describe("HTTP API", () => {
        const specs = byKey(httpApiAlarms("abc123", "$default"));

        it("computes 5xx and 4xx shares of Count by metric math on ApiId and Stage", () => {
            for (const [key, metric, threshold] of [
                ["api-5xx-rate", "5xx", 5],
                ["api-4xx-rate", "4xx", 10],
            ] as const) {
                const s = specs.get(key)!;
                assert.equal(s.region, "default");
                assert.equal(s.threshold, threshold);
                assert.equal(s.math!.metrics.errors.metricName, metric);
                assert.equal(s.math!.metrics.requests.metricName, "Count");
                for (const m of Object.values(s.math!.metrics)) {
                    assert.equal(m.namespace, "AWS/ApiGateway");
                    assert.equal(m.stat, "Sum");
                    assert.deepEqual(m.dimensions, { ApiId: "abc123", Stage: "$default" });
                }
                assert.match(s.math!.expression, /100 \* FILL\(errors, 0\) \/ requests/);
                assert.equal(s.treatMissingData, "notBreaching");
            }
        });

        it("alarms on Latency above 1000 ms", () => {
            const l = specs.get("api-latency")!;
            assert.equal(l.metric!.namespace, "AWS/ApiGateway");
            assert.equal(l.metric!.metricName, "Latency");
            assert.equal(l.threshold, 1000);
            assert.equal(l.comparison, "GreaterThanThreshold");
        });
    });

    it("watches the WebSocket API's server and client errors against traffic", () => {
        const specs = byKey(websocketApiAlarms("ws456", "live"));
        const server = specs.get("ws-server-errors")!;
        assert.deepEqual(Object.values(server.math!.metrics).map((m) => m.metricName).sort(), ["ConnectCount", "ExecutionError", "IntegrationError", "MessageCount"]);
        assert.equal(server.threshold, 5);
        const client = specs.get("ws-client-errors")!;
        assert.ok(Object.values(client.math!.metrics).some((m) => m.metricName === "ClientError"));
        assert.equal(client.threshold, 10);
        for (const s of specs.values()) {
            assert.equal(s.region, "default");
            for (const m of Object.values(s.math!.metrics)) {
                assert.deepEqual(m.dimensions, { ApiId: "ws456", Stage: "live" });
            }
        }
    });

    describe("managed data tier", () => {
        const specs = byKey(
            managedDataAlarms({ documentDbInstanceIds: ["doc-1", "doc-2", "doc-3"], documentDbInstanceClass: "db.r6g.large", redisClusterIds: ["rg-001", "rg-002", "rg-003"] }),
        );

        it("covers DocumentDB CPU, freeable memory and connections, ElastiCache engine CPU, memory and connections", () => {
            assert.deepEqual([...specs.keys()].sort(), ["docdb-connections", "docdb-cpu", "docdb-freeable-memory", "redis-connections", "redis-engine-cpu", "redis-memory"]);
            const metric = (k: string) => Object.values(specs.get(k)!.math!.metrics)[0];
            assert.equal(metric("docdb-cpu").metricName, "CPUUtilization");
            assert.equal(metric("docdb-freeable-memory").metricName, "FreeableMemory");
            assert.equal(metric("docdb-connections").metricName, "DatabaseConnections");
            assert.equal(metric("redis-engine-cpu").metricName, "EngineCPUUtilization");
            assert.equal(metric("redis-memory").metricName, "DatabaseMemoryUsagePercentage");
            assert.equal(metric("redis-connections").metricName, "CurrConnections");
        });

        it("watches every instance and node in one expression", () => {
            const cpu = specs.get("docdb-cpu")!;
            assert.equal(cpu.math!.expression, "MAX([m0, m1, m2])");
            assert.deepEqual(Object.values(cpu.math!.metrics).map((m) => m.dimensions), [
                { DBInstanceIdentifier: "doc-1" },
                { DBInstanceIdentifier: "doc-2" },
                { DBInstanceIdentifier: "doc-3" },
            ]);
            assert.equal(specs.get("docdb-freeable-memory")!.math!.expression, "MIN([m0, m1, m2])");
            const redis = specs.get("redis-memory")!;
            assert.ok(Object.values(redis.math!.metrics).every((m) => m.namespace === "AWS/ElastiCache"));
            assert.deepEqual(Object.values(redis.math!.metrics).map((m) => m.dimensions.CacheClusterId), ["rg-001", "rg-002", "rg-003"]);
        });

        it("fires near the limits of the instance class", () => {
            assert.equal(specs.get("docdb-cpu")!.threshold, 80);
            assert.equal(specs.get("docdb-freeable-memory")!.comparison, "LessThanThreshold");
            assert.equal(specs.get("docdb-freeable-memory")!.threshold, Math.round(16 * 1024 ** 3 * 0.1));
            assert.equal(specs.get("docdb-connections")!.threshold, Math.floor(1700 * 0.8));
            assert.equal(specs.get("redis-connections")!.threshold, Math.floor(REDIS_MAX_CLIENTS * 0.8));
            for (const s of specs.values()) {
                assert.equal(s.region, "default");
                assert.equal(s.treatMissingData, "breaching");
            }
        });

        it("knows DocumentDB limits per class and refuses to guess", () => {
            assert.deepEqual(documentDbLimits("db.t3.medium"), { memoryBytes: 4 * 1024 ** 3, maxConnections: 500 });
            assert.deepEqual(documentDbLimits("db.r6g.2xlarge"), { memoryBytes: 64 * 1024 ** 3, maxConnections: 6800 });
            assert.equal(documentDbLimits("db.r5.16xlarge").maxConnections, 30000);
            assert.throws(() => documentDbLimits("db.x9.large"), /no known memory and connection limits/);
        });
    });

    describe("MetricAlarm arguments", () => {
        it("sets timing from config, alarm and OK actions, and a percentile as extended statistic", () => {
            const spec = cloudFrontAlarms("E1").find((s) => s.key === "cdn-origin-latency")!;
            const args: any = metricAlarmArgs(spec, TIMING, "flodrama-prod-cdn-origin-latency", ["arn:topic"]);
            assert.equal(args.period, 60);
            assert.equal(args.evaluationPeriods, 5);
            assert.equal(args.datapointsToAlarm, 3);
            assert.deepEqual(args.alarmActions, ["arn:topic"]);
            assert.deepEqual(args.okActions, ["arn:topic"]);
            assert.equal(args.actionsEnabled, true);
            assert.equal(args.extendedStatistic, spec.metric!.stat);
            assert.equal((args as any).statistic, undefined);
            assert.equal(args.namespace, "AWS/CloudFront");
        });

        it("turns math into metric queries with one returned expression", () => {
            const spec = httpApiAlarms("a1", "$default")[0];
            const args: any = metricAlarmArgs(spec, TIMING, "n", ["arn:t"]);
            assert.equal((args as any).metricName, undefined);
            const q: any[] = args.metricQueries;
            assert.deepEqual(q.filter((x) => x.returnData).map((x) => x.id), ["e1"]);
            assert.equal(q[0].expression, spec.math!.expression);
            for (const m of q.slice(1)) {
                assert.equal(m.metric!.period, 60);
                assert.match(m.id, /^[a-z][a-zA-Z0-9_]*$/);
            }
        });

        it("rejects a spec with both or neither of metric and math", () => {
            const spec = httpApiAlarms("a1", "$default")[2];
            assert.throws(() => metricAlarmArgs({ ...spec, metric: undefined }, TIMING, "n", []), /exactly one/);
        });
    });
});
