/**
 * `flodrama:recommendations`: the region Amazon Personalize runs in. Personalize is offered in fewer
 * regions than the rest of the program (not in eu-west-3, for one), so recommendations may live in
 * another region than the stack (docs/recommendations.md, docs/regions.md). Absent, the region is the
 * nearest one that offers Personalize to `aws:region` (the stack's own region when it does).
 */
import { z } from "zod";
import { obj, optional, report } from "../../lib/configSchema";
import { KNOWN_REGIONS, nearestRegionOffering, regionDistanceKm, REGION_LOCATIONS, serviceOfferedIn, unavailableReason } from "../../lib/regions";

/** The AWS service key (lib/regions.ts) that recommendations need in their region. */
export const RECOMMENDATIONS_SERVICE = "personalize";

/** Where Personalize, its training bucket, access-log bucket and key are created, for a stack in `stackRegion`. */
export function defaultRecommendationsRegion(stackRegion: string): string {
    return nearestRegionOffering(RECOMMENDATIONS_SERVICE, stackRegion);
}

/** The region names the AWS endpoint data knows, as the did-you-mean candidates of a misspelt region. */
const REGION_VALUES = KNOWN_REGIONS as unknown as readonly [string, ...string[]];

function regionProblem(region: string): string | undefined {
    if (!KNOWN_REGIONS.includes(region)) {
        return undefined; // reported by the enum check, with a did-you-mean
    }
    return serviceOfferedIn(RECOMMENDATIONS_SERVICE, region) ? undefined : `a region that offers Amazon Personalize (${unavailableReason(RECOMMENDATIONS_SERVICE, region)})`;
}

/**
 * The schema of `flodrama:recommendations`, resolved to `{ region }`. `stackRegion` is `aws:region`
 * when it parsed: it gives the default (undefined: no default can be computed, another problem is
 * reported for `aws:region`).
 */
export function recommendationsSchema(stackRegion: string | undefined) {
    return optional(
        obj({
            /** AWS region of the Personalize resources and of the bucket and key Personalize reads. */
            region: optional(
                z
                    .enum(REGION_VALUES, { error: "an AWS region such as eu-central-1 (one of the regions in data/aws-regional-services.json)" })
                    .superRefine((v, ctx) => {
                        const bad = regionProblem(v);
                        if (bad) {
                            const nearest = stackRegion ? defaultRecommendationsRegion(stackRegion) : undefined;
                            report(ctx, [], bad, {
                                hint: nearest ? `Use ${nearest}, the nearest region offering Personalize to ${stackRegion}, or remove the key to get it by default.` : undefined,
                            });
                        }
                    }),
            ),
        }),
    ).transform((v) => ({ region: v?.region ?? (stackRegion && KNOWN_REGIONS.includes(stackRegion) ? defaultRecommendationsRegion(stackRegion) : "") }));
}

export type RecommendationsConfig = z.infer<ReturnType<typeof recommendationsSchema>>;

/**
 * Services checked against `aws:region`: every regional service the program's resources use
 * (lib/regions.ts maps their types), except Personalize, which runs in the recommendations region,
 * and the managed data services when the data tier runs in the cluster.
 */
export function stackRegionServices(services: readonly string[], managedData: boolean): string[] {
    const managedOnly = ["docdb", "rds", "elasticache"];
    return services.filter((s) => s !== RECOMMENDATIONS_SERVICE && (managedData || !managedOnly.includes(s))).sort();
}

/** Why `region` (a region the endpoint data knows) cannot host the stack: one sentence per missing service, empty when it can. */
export function stackRegionGaps(region: string, services: readonly string[]): string[] {
    return services.filter((s) => !serviceOfferedIn(s, region)).map((s) => unavailableReason(s, region)!);
}

/** The region nearest to `from` that offers every one of `services`, for the hint of a refused `aws:region`. */
export function nearestRegionOfferingAll(services: readonly string[], from: string): string | undefined {
    if (!REGION_LOCATIONS[from]) {
        return undefined;
    }
    return KNOWN_REGIONS.filter((r) => REGION_LOCATIONS[r] && services.every((s) => serviceOfferedIn(s, r)))
        .map((r) => ({ r, d: regionDistanceKm(from, r) }))
        .sort((a, b) => a.d - b.d || a.r.localeCompare(b.r))[0]?.r;
}
