import { strict as assert } from "assert";
import { claimSizes, estimateCost, gibOf, loadPrices, PriceTable, quantitiesOf, Quantities, RunView } from "../../offline/cost";
import { readStackConfig, stackNames } from "../../offline/harness";
import { recorded } from "./fixtures";

/** Round figures so the expectations below can be worked out by hand. */
const prices: PriceTable = {
    region: "test-1",
    currency: "USD",
    hoursPerMonth: 730,
    checked: "2026-11-28",
    source: { summary: "test", pages: {}, verification: "test" },
    eks: { controlPlanePerHour: 0.1, extendedSupportPerHour: 0.6 },
    ec2: { onDemandPerHour: { "m.large": 0.1, "m.xlarge": 0.2 }, spotDiscount: 0.6, spotDiscountNote: "60 % off" },
    ebs: { gp3PerGbMonth: 0.08 },
    vpc: { natGatewayPerHour: 0.05, natGatewayPerGb: 0.05, publicIpv4PerHour: 0.005, interfaceEndpointPerAzHour: 0.01, interfaceEndpointPerGb: 0.01 },
    elb: { nlbPerHour: 0.02, nlbPerLcuHour: 0.006 },
    documentdb: { instancePerHour: { "db.r.large": 0.3 }, storagePerGbMonth: 0.1, ioPerMillion: 0.2, backupPerGbMonth: 0.02, assumedStorageGb: 10, assumedStorageNote: "10 GB" },
    elasticache: { nodePerHour: { "cache.r.large": 0.25 } },
    cloudwatch: { dashboardPerMonth: 3, alarmPerMetricMonth: 0.1, highResolutionAlarmPerMetricMonth: 0.3 },
    kms: { keyPerMonth: 1 },
    global: { waf: { webAclPerMonth: 5, rulePerMonth: 1, perMillionRequests: 0.6 }, usage: [{ service: "CloudFront", item: "out", unit: "GB", price: 0.085 }] },
    usage: [{ service: "API Gateway", item: "HTTP", unit: "million requests", price: 1 }],
};

const none: Quantities = {
    eksClusters: [],
    nodeGroups: [],
    natGateways: { component: "network", count: 0, source: "test" },
    interfaceEndpoints: [],
    networkLoadBalancers: [],
    documentDbInstances: [],
    documentDbClusters: [],
    cacheNodes: [],
    webAcls: [],
    dashboards: [],
    alarms: [],
    volumes: [],
    kmsKeys: [],
};

const monthlyOf = (r: ReturnType<typeof estimateCost>, item: RegExp) => r.lines.filter((l) => item.test(l.item)).reduce((s, l) => s + l.monthly, 0);

describe("cost estimate: arithmetic", () => {
    it("prices hourly items over 730 hours and Spot at the stated discount", () => {
        const r = estimateCost(
            {
                ...none,
                eksClusters: [{ component: "cluster", extendedSupport: false }],
                nodeGroups: [
                    { component: "cluster", name: "od", instanceType: "m.xlarge", capacityType: "ON_DEMAND", desiredSize: 3, diskGiB: 100 },
                    { component: "cluster", name: "spot", instanceType: "m.large", capacityType: "SPOT", desiredSize: 2, diskGiB: 50 },
                ],
            },
            prices,
        );
        assert.equal(monthlyOf(r, /EKS control plane/), 73); // 0.1 × 730
        assert.equal(monthlyOf(r, /nodes od/), 438); // 3 × 0.2 × 730
        assert.equal(monthlyOf(r, /nodes spot/), 58.4); // 2 × 0.1 × 0.4 × 730
        assert.equal(monthlyOf(r, /root volumes od/), 24); // 300 GB × 0.08
        assert.equal(monthlyOf(r, /root volumes spot/), 8); // 100 GB × 0.08
        assert.equal(r.total, 601.4);
    });

    it("prices the network, data tier, WAF, dashboards, alarms, volumes and keys", () => {
        const r = estimateCost(
            {
                ...none,
                natGateways: { component: "network", count: 3, source: "test" },
                interfaceEndpoints: [{ component: "network", service: "com.amazonaws.test-1.sts", azs: 3 }],
                networkLoadBalancers: [{ component: "api", name: "nlb" }],
                documentDbInstances: [1, 2, 3].map(() => ({ component: "data", instanceClass: "db.r.large" })),
                documentDbClusters: [{ component: "data" }],
                cacheNodes: [{ component: "data", nodeType: "cache.r.large", count: 2 }],
                webAcls: [{ component: "site", rules: 4 }],
                dashboards: [{ component: "monitoring" }],
                alarms: [
                    { component: "monitoring", metrics: 3, highResolution: false },
                    { component: "monitoring", metrics: 1, highResolution: true },
                ],
                volumes: [{ component: "monitoring", name: "prometheus", gib: 100 }],
                kmsKeys: [{ component: "data" }, { component: "data" }],
            },
            prices,
        );
        assert.equal(monthlyOf(r, /^NAT gateways$/), 109.5); // 3 × 0.05 × 730
        assert.equal(monthlyOf(r, /public IPv4/), 10.95); // 3 × 0.005 × 730
        assert.equal(monthlyOf(r, /interface endpoint sts/), 21.9); // 3 AZ × 0.01 × 730
        assert.equal(monthlyOf(r, /NLB/), 14.6); // 0.02 × 730
        assert.equal(monthlyOf(r, /DocumentDB instances/), 657); // 3 × 0.3 × 730
        assert.equal(monthlyOf(r, /DocumentDB storage/), 1); // 10 GB × 0.1
        assert.equal(monthlyOf(r, /ElastiCache/), 365); // 2 × 0.25 × 730
        assert.equal(monthlyOf(r, /WAF web ACL/), 5);
        assert.equal(monthlyOf(r, /WAF rules/), 4);
        assert.equal(monthlyOf(r, /dashboards/), 3);
        assert.equal(monthlyOf(r, /alarm metrics$/), 0.3); // 3 × 0.1
        assert.equal(monthlyOf(r, /high resolution/), 0.3); // 1 × 0.3
        assert.equal(monthlyOf(r, /prometheus/), 8); // 100 × 0.08
        assert.equal(monthlyOf(r, /KMS/), 2);
        assert.equal(r.total, 1202.55);
        assert.deepEqual(
            r.byComponent.map((c) => [c.component, c.monthly]),
            [["data", 1025], ["network", 142.35], ["api", 14.6], ["monitoring", 11.6], ["site", 9]],
        );
        assert.deepEqual(r.usage.map((u) => u.service), ["API Gateway", "CloudFront"]);
    });

    it("warns when the monthly budget is below the baseline, and not when it covers it", () => {
        const q = { ...none, eksClusters: [{ component: "cluster", extendedSupport: false }] };
        const low = estimateCost({ ...q, budgetUsd: 50 }, prices);
        assert.equal(low.warnings.length, 1);
        assert.match(low.warnings[0], /monitoring\.budget\.monthlyLimitUsd is 50 USD, below the estimated baseline of 73\.00 USD/);
        assert.deepEqual(estimateCost({ ...q, budgetUsd: 73 }, prices).warnings, []);
    });

    it("leaves an unpriced instance type out of the total and names it", () => {
        const r = estimateCost({ ...none, nodeGroups: [{ component: "cluster", name: "x", instanceType: "z9.huge", capacityType: "ON_DEMAND", desiredSize: 1, diskGiB: 10 }] }, prices);
        assert.equal(r.total, 0.8); // only the 10 GB root volume
        assert.match(r.warnings.join(" "), /no unit price in data\/prices\/test-1\.json for: nodes x: z9\.huge/);
    });

    it("reads storage quantities in GiB", () => {
        assert.equal(gibOf("20Gi"), 20);
        assert.equal(gibOf("512Mi"), 0.5);
        assert.equal(gibOf("1Ti"), 1024);
        assert.deepEqual(claimSizes({ prometheus: { spec: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } } } } } }, grafana: { persistence: { enabled: true, size: "10Gi" } }, off: { persistence: { enabled: false, size: "9Gi" } } }), [
            { at: "prometheus", gib: 100 },
            { at: "grafana", gib: 10 },
        ]);
    });
});

describe("cost estimate: quantities from a run", () => {
    const res = (type: string, name: string, inputs: Record<string, any>, parent?: string) => recorded(type, name, inputs, { parent });

    it("reads node groups, launch template disks, NAT strategy, endpoints, data tier, alarms and volumes", () => {
        const net = res("flodrama:network:Network", "network", {});
        const vpc = res("awsx:ec2:Vpc", "network-vpc", { numberOfAvailabilityZones: 3, natGateways: { strategy: "OnePerAz" }, vpcEndpointSpecs: [{ serviceName: "s3", vpcEndpointType: "Gateway" }] }, net.urn);
        const run: RunView = {
            config: { "flodrama:monitoring": JSON.stringify({ budget: { monthlyLimitUsd: 900 } }), "flodrama:network": JSON.stringify({ azCount: 3 }) },
            resources: [
                net,
                vpc,
                res("aws:ec2/vpcEndpoint:VpcEndpoint", "network-endpoint-sts", { vpcEndpointType: "Interface", serviceName: "com.amazonaws.r.sts", subnetIds: ["a", "b", "c"] }, net.urn),
                res("aws:ec2/launchTemplate:LaunchTemplate", "ng-lt", { blockDeviceMappings: [{ ebs: { volumeSize: 80 } }] }),
                res("aws:eks/nodeGroup:NodeGroup", "ng", { nodeGroupName: "general", instanceTypes: ["m.large", "m.xlarge"], capacityType: "SPOT", scalingConfig: { desiredSize: 4 }, launchTemplate: { id: "ng-lt-id" } }),
                res("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { nodeType: "cache.r.large", numCacheClusters: 3 }),
                res("aws:cloudwatch/metricAlarm:MetricAlarm", "a1", { period: 60, metricName: "x" }),
                res("aws:cloudwatch/metricAlarm:MetricAlarm", "a2", { metricQueries: [{ id: "e1", expression: "m0+m1" }, { id: "m0", metric: { period: 10 } }, { id: "m1", metric: { period: 10 } }] }),
                res("kubernetes:apps/v1:StatefulSet", "mongo", { spec: { replicas: 3, volumeClaimTemplates: [{ spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } } }] } }),
            ],
        };
        const q = quantitiesOf(run);
        assert.deepEqual(q.nodeGroups, [{ component: "ng", name: "general", instanceType: "m.large", capacityType: "SPOT", desiredSize: 4, diskGiB: 80 }]);
        assert.deepEqual(q.natGateways.count, 3);
        assert.equal(q.natGateways.component, "network");
        assert.deepEqual(q.interfaceEndpoints, [{ component: "network", service: "com.amazonaws.r.sts", azs: 3 }]);
        assert.deepEqual(q.cacheNodes, [{ component: "redis", nodeType: "cache.r.large", count: 3 }]);
        assert.deepEqual(q.alarms.map((a) => [a.metrics, a.highResolution]), [[1, false], [2, true]]);
        assert.deepEqual(q.volumes.map((v) => v.gib), [60]);
        assert.equal(q.budgetUsd, 900);
    });

    it("reads the budget from the registered Budget before the config", () => {
        const budget = res("aws:budgets/budget:Budget", "budget", { timeUnit: "MONTHLY", limitUnit: "USD", limitAmount: "1200.00" });
        const run: RunView = { config: { "flodrama:monitoring": JSON.stringify({ budget: { monthlyLimitUsd: 900 } }) }, resources: [budget] };
        assert.equal(quantitiesOf(run).budgetUsd, 1200);
    });

    it("falls back to config network.natGateways when the VPC is not an awsx VPC", () => {
        const run: RunView = { config: { "flodrama:network": JSON.stringify({ azCount: 2, natGateways: "one-per-az" }) }, resources: [] };
        assert.equal(quantitiesOf(run).natGateways.count, 2);
    });
});

describe("cost estimate: committed price tables", () => {
    for (const stack of stackNames()) {
        it(`prices every instance, node and class type that Pulumi.${stack}.yaml names`, () => {
            const { config } = readStackConfig(stack);
            const table = loadPrices(config["aws:region"]);
            const cluster = JSON.parse(config["flodrama:cluster"] ?? "{}");
            const data = JSON.parse(config["flodrama:data"] ?? "{}");
            for (const ng of cluster.nodeGroups ?? []) {
                for (const t of ng.instanceTypes) {
                    assert.ok(table.ec2.onDemandPerHour[t] > 0, `no EC2 price for ${t}`);
                }
            }
            if (data.documentDb) {
                assert.ok(table.documentdb.instancePerHour[data.documentDb.instanceClass] > 0, `no DocumentDB price for ${data.documentDb.instanceClass}`);
            }
            if (data.redis) {
                assert.ok(table.elasticache.nodePerHour[data.redis.nodeType] > 0, `no ElastiCache price for ${data.redis.nodeType}`);
            }
            assert.match(table.checked, /^\d{4}-\d{2}-\d{2}$/);
            assert.ok(Object.keys(table.source.pages).length > 0, "the table names its sources");
        });
    }
});
