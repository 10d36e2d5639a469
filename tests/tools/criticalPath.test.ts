import { strict as assert } from "assert";
import { creationTime, CreationTime } from "../../offline/creationMinutes";
import { criticalPath, renderCriticalPath, TARGET_MINUTES } from "../../offline/criticalPath";
import { RecordedResource, runProgram } from "../../offline/harness";
import { recorded } from "./fixtures";

const table: CreationTime[] = [
    { pattern: "pulumi:providers:*", minutes: 0, source: "test" },
    { pattern: "t:vpc", minutes: 3, source: "test" },
    { pattern: "t:eks", minutes: 11, source: "test" },
    { pattern: "t:ng", minutes: 4, source: "test" },
    { pattern: "t:chart", minutes: 2.5, source: "test" },
    { pattern: "t:deploy", minutes: 1.5, source: "test" },
    { pattern: "*", minutes: 0.5, source: "test" },
];

interface Node {
    type: string;
    deps?: string[];
    parent?: string;
    provider?: string;
    component?: boolean;
    remote?: boolean;
}

const urn = (name: string) => `urn:pulumi:s::p::x::${name}`;

function graph(nodes: Record<string, Node>): RecordedResource[] {
    return Object.entries(nodes).map(([name, n]) =>
        recorded(n.type, name, {}, {
            urn: urn(name),
            parent: n.parent ? urn(n.parent) : undefined,
            provider: n.provider ? urn(n.provider) : undefined,
            custom: !n.component && !n.remote,
            remote: !!n.remote,
            dependencies: (n.deps ?? []).map(urn),
        }),
    );
}

describe("critical path", () => {
    it("sums the longest chain of dependencies and providers, the issue's 22 minutes", () => {
        const cp = criticalPath(
            graph({
                vpc: { type: "t:vpc", remote: true },
                eks: { type: "t:eks", remote: true, deps: ["vpc"] },
                ng: { type: "t:ng", deps: ["eks"] },
                k8s: { type: "pulumi:providers:kubernetes", deps: ["eks"] },
                chart: { type: "t:chart", provider: "k8s", deps: ["ng"] },
                app: { type: "t:deploy", provider: "k8s", deps: ["chart"] },
                bucket: { type: "t:other" },
            }),
            table,
        );
        assert.equal(cp.minutes, 22);
        assert.deepEqual(cp.path.map((s) => [s.name, s.doneAt]), [["vpc", 3], ["eks", 14], ["ng", 18], ["chart", 20.5], ["app", 22]]);
    });

    it("waits for every child of a component another resource depends on", () => {
        const cp = criticalPath(
            graph({
                svc: { type: "c:Services", component: true },
                fast: { type: "t:other", parent: "svc" },
                slow: { type: "t:eks", parent: "svc" },
                app: { type: "t:deploy", deps: ["svc"] },
            }),
            table,
        );
        assert.equal(cp.minutes, 12.5); // slow 11, then app 1.5
        assert.deepEqual(cp.path.map((s) => s.name), ["slow", "app"]);
    });

    it("runs independent branches in parallel: the longest one decides", () => {
        const cp = criticalPath(
            graph({
                a: { type: "t:vpc" },
                b: { type: "t:ng", deps: ["a"] },
                c: { type: "t:eks" },
            }),
            table,
        );
        assert.equal(cp.minutes, 11);
        assert.deepEqual(cp.path.map((s) => s.name), ["c"]);
    });

    it("ignores a child's dependency on its own ancestor and survives a cycle", () => {
        const cp = criticalPath(
            graph({
                parent: { type: "c:C", component: true },
                child: { type: "t:ng", parent: "parent", deps: ["parent"] },
                x: { type: "t:other", deps: ["y"] },
                y: { type: "t:other", deps: ["x"] },
            }),
            table,
        );
        assert.equal(cp.minutes, 4);
    });

    it("prints the total, the target and each step", () => {
        const text = renderCriticalPath({ minutes: 25, path: [{ name: "eks", type: "t:eks", minutes: 11, doneAt: 14 }] });
        assert.match(text, new RegExp(`25\\.0 min \\(target ≤ ${TARGET_MINUTES} min`));
        assert.match(text, /OVER TARGET/);
        assert.match(text, /14\.0 min {2}\+11 {3}eks/);
    });

    it("uses the issue's figures for the unavoidable chain", () => {
        assert.equal(creationTime("awsx:ec2:Vpc").minutes, 3);
        assert.equal(creationTime("eks:index:Cluster").minutes, 11);
        assert.equal(creationTime("aws:eks/nodeGroup:NodeGroup").minutes, 4);
        assert.equal(creationTime("kubernetes:helm.sh/v3:Release").minutes, 2.5);
        assert.equal(creationTime("kubernetes:apps/v1:Deployment").minutes, 1.5);
        assert.equal(creationTime("aws:s3/bucket:Bucket").pattern, "*");
    });
});

describe("critical path of the real stacks", () => {
    for (const stack of ["dev", "prod"]) {
        it(`keeps ${stack}'s first \`pulumi up\` within ${TARGET_MINUTES} min (1.1 × the unavoidable chain)`, async () => {
            const run = await runProgram(stack);
            const cp = criticalPath(run.resources);
            assert.ok(cp.path.length > 0, "a path exists");
            assert.ok(cp.minutes <= TARGET_MINUTES, `${stack}: ${cp.minutes} min > ${TARGET_MINUTES}:\n${renderCriticalPath(cp)}`);
            // The chain goes through the cluster, not through a chart that apps do not use.
            const charts = cp.path.filter((s) => s.type.startsWith("kubernetes:helm.sh/")).map((s) => s.name);
            assert.ok(charts.every((c) => !/metrics-server|cluster-autoscaler/.test(c)), `no app waits for ${charts.join(", ")}`);
        });
    }
});
