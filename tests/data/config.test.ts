/**
 * Data tier: bad `flodrama:data` config stops the stack before anything is created, with
 * the key, the value and the fix. Each case parses the edited stack file directly (the same
 * `parseConfig` that index.ts calls first).
 */
import { strict as assert } from "assert";
import { dailyMeetsWeekly } from "../../components/data/config";
import { assertProblem as problem, problemsOf as configError } from "../../offline/stackConfig";

describe("data tier: config errors", () => {
    it("rejects an unknown mode, with a suggestion", () => {
        const e = configError("dev", (v) => (v.data.mode = "manged"));
        problem(e, "flodrama:data.mode", /`managed`, `in-cluster`/);
        assert.match(e.message, /Did you mean `managed`\?/);
    });

    it("rejects zero DocumentDB instances in managed mode", () => {
        const e = configError("prod", (v) => (v.data.documentDb.instanceCount = 0));
        problem(e, "flodrama:data.documentDb.instanceCount", /from 1 to 16/);
    });

    it("rejects automatic failover with zero replicas", () => {
        const e = configError("prod", (v) => (v.data.redis.replicas = 0));
        problem(e, "flodrama:data.redis.replicas", /at least 1 when automaticFailover/);
    });

    it("rejects backups kept fewer than 7 days (FSBP DocumentDB.2)", () => {
        const e = configError("prod", (v) => (v.data.documentDb.backupRetentionDays = 1));
        problem(e, "flodrama:data.documentDb.backupRetentionDays", /from 7 to 35/);
    });

    it("rejects managed mode without its sections, on a stack file that selects in-cluster", () => {
        const e = configError("dev", (v) => (v.data.mode = "managed"));
        assert.ok(e.problems.some((p) => p.key.startsWith("flodrama:data.documentDb")), e.message);
    });

    it("rejects in-cluster mode without its section, and an unpinned image", () => {
        const missing = configError("prod", (v) => (v.data.mode = "in-cluster"));
        assert.ok(missing.problems.some((p) => p.key.startsWith("flodrama:data.inCluster")), missing.message);
        const latest = configError("dev", (v) => (v.data.inCluster.redisImage = "redis:latest"));
        problem(latest, "flodrama:data.inCluster.redisImage", /pinned|latest|tag/i);
    });

    it("rejects a DocumentDB backup window that meets the maintenance window (AWS refuses the cluster)", () => {
        const e = configError("prod", (v) => {
            v.data.documentDb.backupWindow = "03:30-04:30";
            v.data.documentDb.maintenanceWindow = "sun:03:00-sun:04:00";
        });
        problem(e, "flodrama:data.documentDb.backupWindow", /apart from maintenanceWindow/);
    });

    it("rejects windows shorter than AWS allows: DocumentDB 30 minutes, ElastiCache 60", () => {
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
