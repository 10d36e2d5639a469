/**
 * `flodrama:data`: managed (DocumentDB + ElastiCache) or in-cluster (MongoDB + Redis StatefulSets).
 * Only the selected mode's sections are read; the other may stay in the file for a later switch.
 */
import { z } from "zod";
import { bool, int, obj, oneOf, pinnedImage, report, text, whenParsed } from "../../lib/configSchema";

export const DATA_MODES = ["managed", "in-cluster"] as const;

const HHMM = "([01]\\d|2[0-3]):[0-5]\\d";
const DAY = "(mon|tue|wed|thu|fri|sat|sun)";
const dailyWindow = () => text("a UTC window hh24:mi-hh24:mi such as 02:00-03:00", { pattern: new RegExp(`^${HHMM}-${HHMM}$`) });
const weeklyWindow = () => text("a UTC window ddd:hh24:mi-ddd:hh24:mi such as sun:03:30-sun:04:30", { pattern: new RegExp(`^${DAY}:${HHMM}-${DAY}:${HHMM}$`) });
const WEEK_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

function minutesOfDay(hhmm: string): number {
    const [h, m] = hhmm.split(":").map(Number);
    return h * 60 + m;
}

/** A weekly window (`sun:03:00-sun:04:00`) as [start, end) minutes of the week from Monday 00:00; `end` may pass the week's end. */
export function weeklyWindowMinutes(window: string): [number, number] {
    const [from, to] = window.split("-").map((part) => {
        const [day, ...hhmm] = part.split(":");
        return WEEK_DAYS.indexOf(day) * MINUTES_PER_DAY + minutesOfDay(hhmm.join(":"));
    });
    return [from, to > from ? to : to + MINUTES_PER_WEEK];
}

/** A daily window (`01:00-02:00`, or `23:30-00:30` across midnight) as [start, end) minutes of the day; `end` may pass midnight. */
export function dailyWindowMinutes(window: string): [number, number] {
    const [from, to] = window.split("-").map(minutesOfDay);
    return [from, to > from ? to : to + MINUTES_PER_DAY];
}

/** Whether a daily window, repeated every day of the week, meets a weekly window. */
export function dailyMeetsWeekly(daily: string, weekly: string): boolean {
    const [ds, de] = dailyWindowMinutes(daily);
    const [ws, we] = weeklyWindowMinutes(weekly);
    // Every day's occurrence, also those of the previous and next week (windows wrap around Sunday night).
    for (let day = -7; day < 14; day++) {
        const s = ds + day * MINUTES_PER_DAY;
        if (s < we && ws < s + (de - ds)) {
            return true;
        }
    }
    return false;
}

type Ctx = z.core.$RefinementCtx<unknown>;

/** Window lengths that AWS rejects at create time, reported with the config key. */
function checkLength(ctx: Ctx, key: string, window: string, weekly: boolean, minMinutes: number, service: string): void {
    const [from, to] = weekly ? weeklyWindowMinutes(window) : dailyWindowMinutes(window);
    if (to - from < minMinutes) {
        report(ctx, [key], `a window of at least ${minMinutes} minutes (${service} rejects shorter ones)`);
    }
}

export const documentDbSchema = obj({
    instanceClass: text("a DocumentDB instance class such as db.r6g.large", { pattern: /^db\.[a-z0-9]+\.[a-z0-9]+$/ }),
    /** Instances, spread over the AZs: 1 writer and the rest readers. */
    instanceCount: int(1, 16),
    engineVersion: text("a DocumentDB engine version such as 5.0.0", { pattern: /^\d+\.\d+\.\d+$/ }),
    backupRetentionDays: int(7, 35),
    /** UTC, `hh24:mi-hh24:mi`. */
    backupWindow: dailyWindow(),
    /** UTC, `ddd:hh24:mi-ddd:hh24:mi`. */
    maintenanceWindow: weeklyWindow(),
})
    .superRefine((d, ctx) => checkLength(ctx, "backupWindow", d.backupWindow, false, 30, "DocumentDB"), whenParsed("backupWindow"))
    .superRefine((d, ctx) => checkLength(ctx, "maintenanceWindow", d.maintenanceWindow, true, 30, "DocumentDB"), whenParsed("maintenanceWindow"))
    .superRefine((d, ctx) => {
        if (dailyMeetsWeekly(d.backupWindow, d.maintenanceWindow)) {
            report(ctx, ["backupWindow"], `a window apart from maintenanceWindow (${d.maintenanceWindow}): DocumentDB rejects overlapping windows`);
        }
    }, whenParsed("backupWindow", "maintenanceWindow"));

export const redisSchema = obj({
    nodeType: text("an ElastiCache node type such as cache.r7g.large", { pattern: /^cache\.[a-z0-9]+\.[a-z0-9]+$/ }),
    engineVersion: text("a Redis OSS engine version such as 7.1", { pattern: /^\d+\.\d+$/ }),
    /** Read replicas beside the primary (0 to 5). */
    replicas: int(0, 5),
    /** Automatic failover and Multi-AZ; needs at least one replica. */
    automaticFailover: bool(),
    snapshotRetentionDays: int(1, 35),
    snapshotWindow: dailyWindow(),
    maintenanceWindow: weeklyWindow(),
})
    .superRefine((c, ctx) => checkLength(ctx, "snapshotWindow", c.snapshotWindow, false, 60, "ElastiCache"), whenParsed("snapshotWindow"))
    .superRefine((c, ctx) => checkLength(ctx, "maintenanceWindow", c.maintenanceWindow, true, 60, "ElastiCache"), whenParsed("maintenanceWindow"))
    .superRefine((c, ctx) => {
        if (c.automaticFailover && c.replicas === 0) {
            report(ctx, ["replicas"], "at least 1 when automaticFailover is true", { hint: "Add a replica or set automaticFailover to false." });
        }
    }, whenParsed("automaticFailover", "replicas"));

export const inClusterSchema = obj({
    /** Pinned MongoDB image (tag or digest, never `latest`). */
    mongoImage: pinnedImage(),
    /** Pinned Redis image. */
    redisImage: pinnedImage(),
    mongoStorageGi: int(1, 16384),
    redisStorageGi: int(1, 16384),
});

export type DocumentDbConfig = z.infer<typeof documentDbSchema>;
export type RedisConfig = z.infer<typeof redisSchema>;
export type InClusterDataConfig = z.infer<typeof inClusterSchema>;

export interface DataConfig {
    mode: (typeof DATA_MODES)[number];
    /** Present when `mode` is `managed`. */
    documentDb?: DocumentDbConfig;
    redis?: RedisConfig;
    /** Present when `mode` is `in-cluster`. */
    inCluster?: InClusterDataConfig;
}

/** Parses `section` (a key of the data object) with `schema`, reporting its issues below that key. */
function sub<T>(schema: z.ZodType<T>, value: unknown, key: string, ctx: Ctx): T | undefined {
    const r = schema.safeParse(value);
    if (r.success) {
        return r.data;
    }
    for (const issue of r.error.issues) {
        ctx.addIssue({ ...(issue as z.core.$ZodIssueCustom), path: [key, ...issue.path] });
    }
    return undefined;
}

export const dataSchema = obj({
    mode: oneOf(DATA_MODES),
    documentDb: z.unknown().optional(),
    redis: z.unknown().optional(),
    inCluster: z.unknown().optional(),
}).transform((d, ctx): DataConfig => {
    if (d.mode === "managed") {
        const documentDb = sub(documentDbSchema, d.documentDb, "documentDb", ctx);
        const redis = sub(redisSchema, d.redis, "redis", ctx);
        return { mode: d.mode, documentDb, redis };
    }
    return { mode: d.mode, inCluster: sub(inClusterSchema, d.inCluster, "inCluster", ctx) };
});
