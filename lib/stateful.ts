/**
 * What `flodrama:protectStatefulResources` means, in one place. Every component that owns data (or a
 * key, a pool of accounts, a load balancer others depend on) reads its knobs from `stateful(protect)`
 * instead of interpreting the flag itself, so that Pulumi `protect`, `retainOnDelete`, AWS deletion
 * protection, final snapshots, force-destroy and KMS deletion windows always agree:
 *
 * - `false` (dev): everything is deletable by `pulumi destroy` with no manual step: no `protect`, nothing
 *   retained, no AWS deletion protection, no final snapshots, buckets and ECR repositories emptied on
 *   delete, KMS keys scheduled for deletion with the shortest window.
 * - `true` (prod, required there by config.ts): Pulumi `protect`, AWS deletion protection on, a final
 *   snapshot on delete, buckets and repositories refuse deletion while not empty, KMS keys and buckets
 *   retained on delete (and a 30-day window if a key is ever deleted). docs/destroy.md is the teardown.
 *
 * Usage: `const s = stateful(args.protect);` then `{ ...s.options, parent: this }` (or `s.retainOptions`
 * for keys and buckets) on the resource and the knob on its args (`forceDestroy: s.forceDestroy`, `forceDelete: s.forceDelete`, ...).
 */
import * as pulumi from "@pulumi/pulumi";

/** KMS's shortest and longest pending windows (ScheduleKeyDeletion accepts 7–30 days). */
export const KMS_DELETION_WINDOW_DAYS = { min: 7, max: 30 } as const;

export interface Stateful {
    /** The stack's `protectStatefulResources`. */
    readonly protect: boolean;
    /** Pulumi options of a stateful resource: `protect` (destroy and replacement refused while set). */
    readonly options: Readonly<Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete">>;
    /**
     * Pulumi options of what must outlive the stack: `protect` plus `retainOnDelete`, so that a destroy
     * (after `pulumi state unprotect`) leaves it in AWS. KMS keys (the final snapshots and backups are
     * encrypted with them) and S3 buckets (their data is copied or deleted by a person, not a destroy).
     */
    readonly retainOptions: Readonly<Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete">>;
    /** DocumentDB cluster `deletionProtection`, NLB `enableDeletionProtection`, EKS cluster `deletionProtection`. */
    readonly deletionProtection: boolean;
    /** Cognito user pool `deletionProtection`. */
    readonly cognitoDeletionProtection: "ACTIVE" | "INACTIVE";
    /** DocumentDB `skipFinalSnapshot`. */
    readonly skipFinalSnapshot: boolean;
    /** S3 bucket `forceDestroy`: delete the objects (every version) with the bucket. */
    readonly forceDestroy: boolean;
    /** ECR repository `forceDelete`: delete the images with the repository. */
    readonly forceDelete: boolean;
    /** KMS key `deletionWindowInDays`: the pending window when a key is deleted. */
    readonly kmsDeletionWindowInDays: number;
    /** Kubernetes volumes (StorageClass reclaim policy, in-cluster StatefulSets): kept when their claim goes. */
    readonly retainVolumes: boolean;
    /**
     * DocumentDB / ElastiCache `finalSnapshotIdentifier`: `<identifier>-final` when protected, none
     * otherwise. The name is fixed: a second teardown needs the old snapshot deleted or renamed first.
     */
    finalSnapshotIdentifier(identifier: string): string | undefined;
}

/** The knobs of every stateful resource for one value of `protectStatefulResources`. */
export function stateful(protect: boolean): Stateful {
    return {
        protect,
        options: { protect, retainOnDelete: false },
        retainOptions: { protect, retainOnDelete: protect },
        deletionProtection: protect,
        cognitoDeletionProtection: protect ? "ACTIVE" : "INACTIVE",
        skipFinalSnapshot: !protect,
        forceDestroy: !protect,
        forceDelete: !protect,
        kmsDeletionWindowInDays: protect ? KMS_DELETION_WINDOW_DAYS.max : KMS_DELETION_WINDOW_DAYS.min,
        retainVolumes: protect,
        finalSnapshotIdentifier: (identifier) => (protect ? `${identifier}-final` : undefined),
    };
}
