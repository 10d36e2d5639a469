/**
 * Data tier (issue 5): bad `flodrama:data` config stops the stack before anything is created, with
 * the key, the value and the fix. The first case runs the whole program; the others parse the edited
 * stack file directly (the same `parseConfig` that index.ts calls first), which is faster.
 */
import { strict as assert } from "assert";
import { dailyMeetsWeekly, parseConfig } from "../../config";
import { PROJECT_DIR, readStackConfig, runProgram } from "../../offline/harness";

type Problem = { key: string; expected: string; value: unknown };
type Edit = (v: Record<string, any>) => void;

/** Pulumi hands strings over as they are and everything else as JSON. */
function parseValue(v: string): unknown {
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}

function configError(stack: string, edit: Edit): Error & { problems: Problem[] } {
    const { config } = readStackConfig(stack, edit);
    const values = Object.fromEntries(
        Object.entries(config)
            .filter(([k]) => k.startsWith("flodrama:"))
            .map(([k, v]) => [k.slice("flodrama:".length), parseValue(v)]),
    );
    try {
        parseConfig({ region: config["aws:region"], values }, { stack, projectDir: PROJECT_DIR });
    } catch (e: any) {
        assert.equal(e.name, "ConfigError", `expected a ConfigError, got ${e}`);
        return e;
    }
    assert.fail("expected the stack to be rejected before creating anything");
}

function problem(e: { problems: Problem[] }, key: string, expected: RegExp): void {
    const p = e.problems.find((x) => x.key === key);
    assert.ok(p, `no problem for ${key}; got ${e.problems.map((x) => x.key).join(", ")}`);
    assert.match(p!.expected, expected);
}

describe("data tier: config errors", () => {
    it("stops the program on an unknown mode, with a suggestion, before creating anything", async () => {
        const e: any = await runProgram("dev", { override: (v) => (v.data.mode = "manged") }).then(
            () => assert.fail("expected the stack to be rejected before creating anything"),
            (err) => err,
        );
        assert.equal(e.name, "ConfigError", `expected a ConfigError, got ${e}`);
        problem(e, "flodrama:data.mode", /`managed`, `in-cluster`/);
        assert.match(e.message, /Did you mean `managed`\?/);
    });

    it("rejects zero DocumentDB instances in managed mode", async () => {
        const e = configError("prod", (v) => (v.data.documentDb.instanceCount = 0));
        problem(e, "flodrama:data.documentDb.instanceCount", /from 1 to 16/);
    });

    it("rejects automatic failover with zero replicas", async () => {
        const e = configError("prod", (v) => (v.data.redis.replicas = 0));
        problem(e, "flodrama:data.redis.replicas", /at least 1 when automaticFailover/);
    });

    it("rejects backups kept fewer than 7 days (FSBP DocumentDB.2)", async () => {
        const e = configError("prod", (v) => (v.data.documentDb.backupRetentionDays = 1));
        problem(e, "flodrama:data.documentDb.backupRetentionDays", /from 7 to 35/);
    });

    it("rejects managed mode without its sections, on a stack file that selects in-cluster", async () => {
        const e = configError("dev", (v) => (v.data.mode = "managed"));
        assert.ok(e.problems.some((p) => p.key.startsWith("flodrama:data.documentDb")), e.message);
    });

    it("rejects in-cluster mode without its section, and an unpinned image", async () => {
        const missing = configError("prod", (v) => (v.data.mode = "in-cluster"));
        assert.ok(missing.problems.some((p) => p.key.startsWith("flodrama:data.inCluster")), missing.message);
        const latest = configError("dev", (v) => (v.data.inCluster.redisImage = "redis:latest"));
        problem(latest, "flodrama:data.inCluster.redisImage", /pinned|latest|tag/i);
    });

    it("rejects a DocumentDB backup window that meets the maintenance window (AWS refuses the cluster)", async () => {
        const e = configError("prod", (v) => {
            v.data.documentDb.backupWindow = "03:30-04:30";
            v.data.documentDb.maintenanceWindow = "sun:03:00-sun:04:00";
        });
        problem(e, "flodrama:data.documentDb.backupWindow", /apart from maintenanceWindow/);
    });

    it("rejects windows shorter than AWS allows: DocumentDB 30 minutes, ElastiCache 60", async () => {
        const docdb = configError("prod", (v) => (v.data.documentDb.backupWindow = "01:00-01:20"));
        problem(docdb, "flodrama:data.documentDb.backupWindow", /at least 30 minutes/);
        const snapshot = configError("prod", (v) => (v.data.redis.snapshotWindow = "02:00-02:30"));
        problem(snapshot, "flodrama:data.redis.snapshotWindow", /at least 60 minutes/);
        const maintenance = configError("prod", (v) => (v.data.redis.maintenanceWindow = "sun:04:00-sun:04:45"));
        problem(maintenance, "flodrama:data.redis.maintenanceWindow", /at least 60 minutes/);
    });

    it("finds window clashes across midnight and across the end of the week", () => {
        assert.equal(dailyMeetsWeekly("01:00-02:00", "sun:03:00-sun:04:00"), false);
        assert.equal(dailyMeetsWeekly("03:30-04:30", "sun:03:00-sun:04:00"), true);
        assert.equal(dailyMeetsWeekly("23:30-00:30", "mon:00:00-mon:01:00"), true, "a daily window across midnight");
        assert.equal(dailyMeetsWeekly("00:10-00:50", "sun:23:30-mon:00:30"), true, "a weekly window across Sunday night");
        assert.equal(dailyMeetsWeekly("02:00-03:00", "sun:03:00-sun:04:00"), false, "windows that only touch");
    });
});
