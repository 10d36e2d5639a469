/**
 * Monthly baseline cost of a stack, estimated offline from what the program registers (node groups,
 * DocumentDB instances, ElastiCache, alarms, dashboards, WAF, volumes) and, for what remote components
 * hide (the awsx VPC's NAT gateways), from their inputs and the stack config. Pure: no I/O besides
 * `loadPrices`, no import of components. Usage-priced items are listed with their unit price only.
 */
import * as fs from "fs";
import * as path from "path";
import type { RecordedResource } from "./harness";

export interface UsagePrice {
    service: string;
    item: string;
    unit: string;
    price: number;
}

/** The committed price table (data/prices/<region>.json). */
export interface PriceTable {
    region: string;
    currency: string;
    hoursPerMonth: number;
    checked: string;
    source: { summary: string; pages: Record<string, string>; verification: string };
    eks: { controlPlanePerHour: number; extendedSupportPerHour: number };
    ec2: { onDemandPerHour: Record<string, number>; spotDiscount: number; spotDiscountNote: string };
    ebs: { gp3PerGbMonth: number };
    vpc: { natGatewayPerHour: number; natGatewayPerGb: number; publicIpv4PerHour: number; interfaceEndpointPerAzHour: number; interfaceEndpointPerGb: number };
    elb: { nlbPerHour: number; nlbPerLcuHour: number };
    documentdb: { instancePerHour: Record<string, number>; storagePerGbMonth: number; ioPerMillion: number; backupPerGbMonth: number; assumedStorageGb: number; assumedStorageNote: string };
    elasticache: { nodePerHour: Record<string, number> };
    cloudwatch: { dashboardPerMonth: number; alarmPerMetricMonth: number; highResolutionAlarmPerMetricMonth: number };
    kms: { keyPerMonth: number };
    global: { waf: { webAclPerMonth: number; rulePerMonth: number; perMillionRequests: number }; usage: UsagePrice[] };
    usage: UsagePrice[];
}

export const PRICES_DIR = path.resolve(__dirname, "..", "data", "prices");

export function loadPrices(region: string): PriceTable {
    const file = path.join(PRICES_DIR, `${region}.json`);
    if (!fs.existsSync(file)) {
        const have = fs.readdirSync(PRICES_DIR).map((f) => f.replace(/\.json$/, ""));
        throw new Error(`no price table for region ${region} (${file}); tables exist for ${have.join(", ")}: add data/prices/${region}.json from the AWS price pages`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as PriceTable;
}

/** What the run shows a stack will pay for by the hour or the month, independent of traffic. */
export interface Quantities {
    eksClusters: Array<{ component: string; extendedSupport: boolean }>;
    nodeGroups: Array<{ component: string; name: string; instanceType: string; capacityType: "ON_DEMAND" | "SPOT"; desiredSize: number; diskGiB: number }>;
    natGateways: { component: string; count: number; source: string };
    interfaceEndpoints: Array<{ component: string; service: string; azs: number }>;
    networkLoadBalancers: Array<{ component: string; name: string }>;
    documentDbInstances: Array<{ component: string; instanceClass: string }>;
    documentDbClusters: Array<{ component: string }>;
    cacheNodes: Array<{ component: string; nodeType: string; count: number }>;
    webAcls: Array<{ component: string; rules: number }>;
    dashboards: Array<{ component: string }>;
    alarms: Array<{ component: string; metrics: number; highResolution: boolean }>;
    volumes: Array<{ component: string; name: string; gib: number }>;
    kmsKeys: Array<{ component: string }>;
    budgetUsd?: number;
    /** Region of the provider that creates the Personalize resources (the recommendations region), when there are any. */
    personalizeRegion?: string;
}

/** The minimal view of a ProgramRun the estimate reads. */
export interface RunView {
    resources: RecordedResource[];
    config: Record<string, string>;
}

function configValue(run: RunView, key: string): any {
    const raw = run.config[`flodrama:${key}`];
    if (raw === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/** The top-level component a resource belongs to (its root ancestor's logical name). */
export function componentOf(run: RunView, r: RecordedResource): string {
    const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
    let cur = r;
    for (let p = cur.parent ? byUrn.get(cur.parent) : undefined; p; p = p.parent ? byUrn.get(p.parent) : undefined) {
        cur = p;
    }
    return cur.name;
}

/** Parses a Kubernetes quantity of storage (`20Gi`, `512Mi`, `1Ti`, `10G`) into GiB. */
export function gibOf(q: unknown): number {
    const m = /^(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q ?? "").trim());
    if (!m) {
        return 0;
    }
    const factor: Record<string, number> = { Ki: 1 / 1024 ** 2, Mi: 1 / 1024, Gi: 1, Ti: 1024, K: 1e3 / 1024 ** 3, M: 1e6 / 1024 ** 3, G: 1e9 / 1024 ** 3, T: 1e12 / 1024 ** 3 };
    return Number(m[1]) * (m[2] ? factor[m[2]] : 1 / 1024 ** 3);
}

/** Every persistent volume claim found in a value tree (volumeClaimTemplates, Helm `persistence`), with the top-level key it sits under. */
export function claimSizes(v: unknown, at = "", out: Array<{ at: string; gib: number }> = []): Array<{ at: string; gib: number }> {
    if (Array.isArray(v)) {
        v.forEach((x) => claimSizes(x, at, out));
    } else if (v && typeof v === "object") {
        const o = v as Record<string, any>;
        if (Array.isArray(o.accessModes) && o.resources?.requests?.storage) {
            out.push({ at, gib: gibOf(o.resources.requests.storage) });
            return out;
        }
        if (o.enabled === true && typeof o.size === "string" && (o.type === undefined || o.type === "pvc")) {
            out.push({ at, gib: gibOf(o.size) });
            return out;
        }
        Object.entries(o).forEach(([k, x]) => claimSizes(x, at || k, out));
    }
    return out;
}

const NAT_BY_STRATEGY: Record<string, (azs: number) => number> = { None: () => 0, Single: () => 1, OnePerAz: (azs) => azs };
const NAT_BY_CONFIG: Record<string, (azs: number) => number> = { none: () => 0, single: () => 1, "one-per-az": (azs) => azs };

function budgetOf(budgets: RecordedResource[]): number | undefined {
    const monthly = budgets.filter((b) => b.inputs.timeUnit === "MONTHLY" && b.inputs.limitUnit === "USD" && b.inputs.limitAmount !== undefined);
    return monthly.length ? Math.min(...monthly.map((b) => Number(b.inputs.limitAmount))) : undefined;
}

/** The region of the provider that creates the Personalize resources (the stack's `aws:region` for the default provider). */
function personalizeRegionOf(run: RunView): string | undefined {
    const personalize = run.resources.find((r) => r.type.startsWith("aws-native:personalize:"));
    if (!personalize) {
        return undefined;
    }
    const provider = run.resources.find((r) => r.urn === personalize.provider);
    return (provider?.inputs.region as string | undefined) ?? run.config["aws:region"];
}

export function quantitiesOf(run: RunView): Quantities {
    const of = (type: string) => run.resources.filter((r) => r.type === type);
    const comp = (r: RecordedResource) => componentOf(run, r);
    const network = configValue(run, "network") ?? {};
    const launchTemplates = of("aws:ec2/launchTemplate:LaunchTemplate");
    const diskOf = (ng: RecordedResource): number => {
        const id = ng.inputs.launchTemplate?.id;
        const lt = launchTemplates.find((t) => t.state.id === id || `${t.name}-id` === id) ?? (launchTemplates.length === 1 && id ? launchTemplates[0] : undefined);
        const size = lt?.inputs.blockDeviceMappings?.[0]?.ebs?.volumeSize;
        return Number(size ?? ng.inputs.diskSize ?? 20);
    };
    const vpc = of("awsx:ec2:Vpc")[0];
    const azs = Number(vpc?.inputs.numberOfAvailabilityZones ?? network.azCount ?? 2);
    const strategy = vpc?.inputs.natGateways?.strategy;
    const natGateways = vpc && strategy in NAT_BY_STRATEGY
        ? { component: comp(vpc), count: NAT_BY_STRATEGY[strategy](azs), source: `awsx VPC natGateways.strategy ${strategy} over ${azs} AZs` }
        : { component: vpc ? comp(vpc) : "network", count: (NAT_BY_CONFIG[network.natGateways] ?? NAT_BY_CONFIG.single)(azs), source: `config network.natGateways ${network.natGateways ?? "(unset: single)"} over ${azs} AZs` };
    const hiddenEndpoints = (vpc?.inputs.vpcEndpointSpecs ?? []).filter((s: any) => s.vpcEndpointType === "Interface");
    return {
        eksClusters: [...of("eks:index:Cluster"), ...of("aws:eks/cluster:Cluster")].map((r) => ({ component: comp(r), extendedSupport: r.inputs.upgradePolicy?.supportType === "EXTENDED" })),
        nodeGroups: of("aws:eks/nodeGroup:NodeGroup").map((r) => ({
            component: comp(r),
            name: r.inputs.nodeGroupName ?? r.name,
            instanceType: r.inputs.instanceTypes?.[0] ?? "t3.medium",
            capacityType: r.inputs.capacityType === "SPOT" ? "SPOT" : "ON_DEMAND",
            desiredSize: Number(r.inputs.scalingConfig?.desiredSize ?? 0),
            diskGiB: diskOf(r),
        })),
        natGateways,
        interfaceEndpoints: [
            ...of("aws:ec2/vpcEndpoint:VpcEndpoint")
                .filter((r) => r.inputs.vpcEndpointType === "Interface")
                .map((r) => ({ component: comp(r), service: String(r.inputs.serviceName), azs: (r.inputs.subnetIds ?? []).length || azs })),
            ...hiddenEndpoints.map((s: any) => ({ component: vpc ? comp(vpc) : "network", service: String(s.serviceName), azs })),
        ],
        networkLoadBalancers: of("aws:lb/loadBalancer:LoadBalancer").filter((r) => r.inputs.loadBalancerType === "network").map((r) => ({ component: comp(r), name: r.inputs.name ?? r.name })),
        documentDbInstances: of("aws:docdb/clusterInstance:ClusterInstance").map((r) => ({ component: comp(r), instanceClass: r.inputs.instanceClass })),
        documentDbClusters: of("aws:docdb/cluster:Cluster").map((r) => ({ component: comp(r) })),
        cacheNodes: of("aws:elasticache/replicationGroup:ReplicationGroup").map((r) => ({
            component: comp(r),
            nodeType: r.inputs.nodeType,
            count: Number(r.inputs.numCacheClusters ?? (Number(r.inputs.numNodeGroups ?? 1) * (1 + Number(r.inputs.replicasPerNodeGroup ?? 0)))),
        })),
        webAcls: of("aws:wafv2/webAcl:WebAcl").map((r) => ({ component: comp(r), rules: (r.inputs.rules ?? []).length })),
        dashboards: of("aws:cloudwatch/dashboard:Dashboard").map((r) => ({ component: comp(r) })),
        alarms: of("aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => {
            const queries: any[] = r.inputs.metricQueries ?? [];
            const metrics = queries.length ? queries.filter((q) => q.metric).length : 1;
            const periods = [r.inputs.period, ...queries.map((q) => q.metric?.period)].filter((p) => typeof p === "number");
            return { component: comp(r), metrics, highResolution: periods.some((p) => p < 60) };
        }),
        volumes: [
            ...of("kubernetes:apps/v1:StatefulSet").flatMap((r) => {
                const replicas = Number(r.inputs.spec?.replicas ?? 1);
                return claimSizes(r.inputs.spec?.volumeClaimTemplates).map(({ gib }) => ({ component: comp(r), name: `${r.name} (${replicas} × ${gib} GiB)`, gib: gib * replicas }));
            }),
            ...of("kubernetes:helm.sh/v3:Release").flatMap((r) => claimSizes(r.inputs.values).map(({ at, gib }) => ({ component: comp(r), name: `${r.inputs.name ?? r.name} ${at}`, gib }))),
            ...of("kubernetes:core/v1:PersistentVolumeClaim").flatMap((r) => claimSizes(r.inputs.spec).map(({ gib }) => ({ component: comp(r), name: r.name, gib }))),
        ],
        kmsKeys: of("aws:kms/key:Key").map((r) => ({ component: comp(r) })),
        // The Budget the program registers, else the configured limit (a stack may leave the budget out).
        budgetUsd: budgetOf(of("aws:budgets/budget:Budget")) ?? configValue(run, "monitoring")?.budget?.monthlyLimitUsd,
        personalizeRegion: personalizeRegionOf(run),
    };
}

export interface CostLine {
    component: string;
    item: string;
    quantity: number;
    unit: string;
    unitPrice: number;
    monthly: number;
}

export interface CostReport {
    region: string;
    hoursPerMonth: number;
    lines: CostLine[];
    byComponent: Array<{ component: string; monthly: number }>;
    total: number;
    usage: UsagePrice[];
    /** Items whose unit price is not in the table: not in the total. */
    missingPrices: string[];
    budgetUsd?: number;
    warnings: string[];
    assumptions: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Prices the quantities: hourly items × hoursPerMonth, monthly items as is. */
export function estimateCost(q: Quantities, p: PriceTable): CostReport {
    const h = p.hoursPerMonth;
    const lines: CostLine[] = [];
    const missingPrices: string[] = [];
    const add = (component: string, item: string, quantity: number, unit: string, unitPrice: number | undefined, perHour: boolean) => {
        if (quantity <= 0) {
            return;
        }
        if (unitPrice === undefined) {
            missingPrices.push(`${item} (${component})`);
            return;
        }
        lines.push({ component, item, quantity, unit, unitPrice, monthly: round2(quantity * unitPrice * (perHour ? h : 1)) });
    };
    for (const c of q.eksClusters) {
        add(c.component, "EKS control plane", 1, "cluster-hour", c.extendedSupport ? p.eks.extendedSupportPerHour : p.eks.controlPlanePerHour, true);
    }
    for (const ng of q.nodeGroups) {
        const od = p.ec2.onDemandPerHour[ng.instanceType];
        const price = od === undefined ? undefined : ng.capacityType === "SPOT" ? od * (1 - p.ec2.spotDiscount) : od;
        add(ng.component, `nodes ${ng.name}: ${ng.instanceType} ${ng.capacityType === "SPOT" ? "Spot" : "on-demand"}`, ng.desiredSize, "instance-hour", price, true);
        add(ng.component, `node root volumes ${ng.name} (gp3)`, ng.desiredSize * ng.diskGiB, "GB-month", p.ebs.gp3PerGbMonth, false);
    }
    add(q.natGateways.component, "NAT gateways", q.natGateways.count, "gateway-hour", p.vpc.natGatewayPerHour, true);
    add(q.natGateways.component, "NAT gateway public IPv4 addresses", q.natGateways.count, "address-hour", p.vpc.publicIpv4PerHour, true);
    for (const e of q.interfaceEndpoints) {
        add(e.component, `interface endpoint ${e.service.split(".").slice(3).join(".") || e.service}`, e.azs, "AZ-hour", p.vpc.interfaceEndpointPerAzHour, true);
    }
    for (const lb of q.networkLoadBalancers) {
        add(lb.component, `NLB ${lb.name}`, 1, "LB-hour", p.elb.nlbPerHour, true);
    }
    for (const [cls, n] of countBy(q.documentDbInstances, (i) => `${i.component}\u0000${i.instanceClass}`)) {
        const [component, instanceClass] = cls.split("\u0000");
        add(component, `DocumentDB instances ${instanceClass}`, n, "instance-hour", p.documentdb.instancePerHour[instanceClass], true);
    }
    for (const c of q.documentDbClusters) {
        add(c.component, `DocumentDB storage (assumed ${p.documentdb.assumedStorageGb} GB)`, p.documentdb.assumedStorageGb, "GB-month", p.documentdb.storagePerGbMonth, false);
    }
    for (const c of q.cacheNodes) {
        add(c.component, `ElastiCache nodes ${c.nodeType}`, c.count, "node-hour", p.elasticache.nodePerHour[c.nodeType], true);
    }
    for (const w of q.webAcls) {
        add(w.component, "WAF web ACL", 1, "ACL-month", p.global.waf.webAclPerMonth, false);
        add(w.component, "WAF rules", w.rules, "rule-month", p.global.waf.rulePerMonth, false);
    }
    for (const [component, n] of countBy(q.dashboards, (d) => d.component)) {
        add(component, "CloudWatch dashboards", n, "dashboard-month", p.cloudwatch.dashboardPerMonth, false);
    }
    for (const [key, n] of countBy(q.alarms.flatMap((a) => Array(a.metrics).fill(`${a.component}\u0000${a.highResolution}`)), (k) => k)) {
        const [component, high] = key.split("\u0000");
        add(component, `CloudWatch alarm metrics${high === "true" ? " (high resolution)" : ""}`, n, "metric-month", high === "true" ? p.cloudwatch.highResolutionAlarmPerMetricMonth : p.cloudwatch.alarmPerMetricMonth, false);
    }
    for (const v of q.volumes) {
        add(v.component, `volume ${v.name} (gp3)`, round2(v.gib), "GB-month", p.ebs.gp3PerGbMonth, false);
    }
    for (const [component, n] of countBy(q.kmsKeys, (k) => k.component)) {
        add(component, "KMS customer managed keys", n, "key-month", p.kms.keyPerMonth, false);
    }
    const totals = new Map<string, number>();
    for (const l of lines) {
        totals.set(l.component, (totals.get(l.component) ?? 0) + l.monthly);
    }
    const total = round2(lines.reduce((s, l) => s + l.monthly, 0));
    const elsewhere = q.personalizeRegion !== undefined && q.personalizeRegion !== p.region;
    const warnings: string[] = [];
    if (q.budgetUsd !== undefined && q.budgetUsd < total) {
        warnings.push(`monitoring.budget.monthlyLimitUsd is ${q.budgetUsd} USD, below the estimated baseline of ${total.toFixed(2)} USD a month before any traffic: the budget alert will fire every month. Raise the limit or shrink the baseline.`);
    }
    if (missingPrices.length) {
        warnings.push(`no unit price in data/prices/${p.region}.json for: ${missingPrices.join("; ")} (left out of the total): add them from the AWS price pages.`);
    }
    return {
        region: p.region,
        hoursPerMonth: h,
        lines,
        byComponent: [...totals].map(([component, monthly]) => ({ component, monthly: round2(monthly) })).sort((a, b) => b.monthly - a.monthly),
        total,
        usage: [...p.usage.map((u) => (elsewhere && u.service === "Personalize" ? { ...u, item: `${u.item} (billed in ${q.personalizeRegion})` } : u)), ...p.global.usage],
        missingPrices,
        budgetUsd: q.budgetUsd,
        warnings,
        assumptions: [
            `${h} hours a month; on-demand list prices of ${p.region} checked ${p.checked} (data/prices/${p.region}.json).`,
            `Spot: ${p.ec2.spotDiscountNote}`,
            p.documentdb.assumedStorageNote,
            "Free tiers (first 3 dashboards, first 10 alarms, Budgets) are ignored, so the estimate errs high.",
            ...(elsewhere
                ? [
                      `Recommendations run in ${q.personalizeRegion} (Personalize is not offered in ${p.region}): Personalize usage, the training bucket and its key are billed there, ` +
                          `and the REST API's calls to Personalize cross regions (inter-region data transfer out of ${p.region}, small: events and recommendation lists are a few KB each).`,
                  ]
                : []),
        ],
    };
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
    const m = new Map<string, number>();
    for (const i of items) {
        m.set(key(i), (m.get(key(i)) ?? 0) + 1);
    }
    return m;
}

/** The table `npm run plan` prints. */
export function renderCost(r: CostReport): string {
    const money = (n: number) => `${n.toFixed(2)}`.padStart(9);
    const width = Math.max(...r.lines.map((l) => `${l.component}  ${l.item}`.length), 20);
    const out = [`  ${"component / item".padEnd(width)}  ${"quantity".padStart(9)}  unit price              USD/month`];
    for (const l of [...r.lines].sort((a, b) => a.component.localeCompare(b.component) || b.monthly - a.monthly)) {
        out.push(`  ${`${l.component}  ${l.item}`.padEnd(width)}  ${String(l.quantity).padStart(9)}  ${`${l.unitPrice}/${l.unit}`.padEnd(22)} ${money(l.monthly)}`);
    }
    out.push("", "  By component:", ...r.byComponent.map((c) => `    ${c.component.padEnd(24)} ${money(c.monthly)}`));
    out.push(`  Baseline total: ${r.total.toFixed(2)} USD/month${r.budgetUsd !== undefined ? ` (budget ${r.budgetUsd} USD)` : ""}`);
    out.push("", "  Usage-priced (not in the baseline):", ...r.usage.map((u) => `    ${`${u.service}: ${u.item}`.padEnd(72)} ${u.price} USD per ${u.unit}`));
    out.push("", "  Assumptions:", ...r.assumptions.map((a) => `    - ${a}`));
    out.push(...r.warnings.map((w) => `\n  WARNING: ${w}`));
    return out.join("\n");
}
