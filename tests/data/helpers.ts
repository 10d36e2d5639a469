/**
 * Runs DataTier alone under mocks (fixtures for the network and the cluster) with a stack file's
 * config, optionally edited so that a stack runs the mode its file does not select.
 */
import * as pulumi from "@pulumi/pulumi";
import { DataTier } from "../../components/data/dataTier";
import { loadConfig } from "../../config";
import { fakeCluster, fakeNetwork } from "../../offline/fixtures";
import { RecordedResource, RunOptions, simulate } from "../../offline/harness";

/** Managed settings for a stack file that selects in-cluster (dev), as a test stack would set them. */
export const TEST_MANAGED = {
    instanceClass: "db.t4g.medium",
    instanceCount: 2,
    engineVersion: "5.0.0",
    backupRetentionDays: 7,
    backupWindow: "01:00-02:00",
    maintenanceWindow: "sun:03:00-sun:04:00",
};
export const TEST_REDIS = {
    nodeType: "cache.t4g.small",
    engineVersion: "7.1",
    replicas: 1,
    automaticFailover: true,
    snapshotRetentionDays: 1,
    snapshotWindow: "02:00-03:00",
    maintenanceWindow: "sun:04:00-sun:05:00",
};
export const TEST_IN_CLUSTER = {
    mongoImage: "docker.io/library/mongo:7.0.14",
    redisImage: "docker.io/library/redis:7.4.1",
    mongoStorageGi: 50,
    redisStorageGi: 10,
};

/** Switches a stack's values to `mode`, adding that mode's section when the file lacks it. */
export function withMode(mode: "managed" | "in-cluster"): NonNullable<RunOptions["override"]> {
    return (v) => {
        v.data.mode = mode;
        if (mode === "managed") {
            v.data.documentDb ??= TEST_MANAGED;
            v.data.redis ??= TEST_REDIS;
        } else {
            v.data.inCluster ??= TEST_IN_CLUSTER;
        }
    };
}

export interface TierRun {
    tier: DataTier;
    resources: RecordedResource[];
    config: ReturnType<typeof loadConfig>;
    /** The raw stack config the run used. */
    stackConfig: Record<string, string>;
}

/** DataTier named `name` (default `data-test`) on stack `stack`, in `mode`, with optional further config edits. */
export async function runTier(stack: string, mode: "managed" | "in-cluster", opts: { name?: string; override?: RunOptions["override"] } = {}): Promise<TierRun> {
    let tier: DataTier | undefined;
    let config: ReturnType<typeof loadConfig> | undefined;
    const { resources, config: stackConfig } = await simulate(
        stack,
        () => {
            const aws = require("@pulumi/aws");
            const random = require("@pulumi/random");
            const { DataTier: Tier } = require("../../components/data/dataTier");
            config = loadConfig();
            // The stack's default tags, as lib/providers.ts sets them, so the policy pack sees the environment.
            const provider = new aws.Provider("test-aws", { region: config.region, defaultTags: { tags: config.tags } });
            tier = new Tier(
                opts.name ?? "data-test",
                {
                    stack: config.stack,
                    data: config.data,
                    network: fakeNetwork(config.network.azCount),
                    cluster: fakeCluster(),
                    protect: config.protect,
                    logRetentionDays: config.logRetentionDays,
                    randomProvider: new random.Provider("test-random"),
                },
                { provider },
            );
        },
        {
            override: (v) => {
                withMode(mode)(v);
                opts.override?.(v);
            },
        },
    );
    return { tier: tier!, resources, config: config!, stackConfig };
}

/** Reads an Output through the SDK's rejecting promise. */
export async function value<T>(o: pulumi.Output<T> | undefined): Promise<T> {
    return (await (o as any).promise()) as T;
}

export const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);

export function one(resources: RecordedResource[], type: string, name?: RegExp): RecordedResource {
    const found = ofType(resources, type).filter((r) => !name || name.test(r.name));
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    }
    return found[0];
}
