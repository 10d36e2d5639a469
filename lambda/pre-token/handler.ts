/**
 * Pre token generation trigger (event version `V2_0`) of the viewer user pool.
 *
 * The HTTP API sets the `x-user-groups` header of every protected request from the access token's
 * claims (components/api/httpApi.ts). Its parameter mapping accepts only `.` and `_` in a context
 * variable, so `$context.authorizer.claims.cognito:groups` is refused; this trigger copies the user's
 * groups into a colon-free claim, `GROUPS_CLAIM` (`groups`), of the access token: one string, the
 * groups joined with `GROUPS_SEPARATOR`, exactly the header format the services parse
 * (lib/serviceContract.ts). A string, not a list: the JWT authorizer would turn a list into
 * `[a b]`. The claim is always present, empty for a user in no group, so the mapping never refers to
 * a missing claim.
 *
 * Cognito sends this version only to pools on the Essentials or Plus feature plan (every FloDrama
 * pool is on one, see components/identity/identity.ts). The function reads nothing but the group list
 * and logs nothing: the event carries the user's attributes (e-mail and the like).
 */
import { GROUPS_CLAIM, GROUPS_SEPARATOR } from "../../lib/serviceContract";

/** The part of Cognito's V2_0 pre token generation event this function reads and writes. */
export interface PreTokenGenerationV2Event {
    version: string;
    triggerSource: string;
    request: { groupConfiguration?: { groupsToOverride?: string[] | null; [key: string]: unknown } | null; [key: string]: unknown };
    response: {
        claimsAndScopeOverrideDetails?: {
            accessTokenGeneration?: { claimsToAddOrOverride?: Record<string, string> };
            [key: string]: unknown;
        } | null;
    };
    [key: string]: unknown;
}

/** The groups claim for a list of group names (Cognito group names hold no comma in this program: DNS labels). */
export function groupsClaim(groups: readonly string[] | null | undefined): string {
    return [...new Set((groups ?? []).filter((g) => g.length > 0))].join(GROUPS_SEPARATOR);
}

export async function handler(event: PreTokenGenerationV2Event): Promise<PreTokenGenerationV2Event> {
    const groups = groupsClaim(event.request.groupConfiguration?.groupsToOverride);
    const details = event.response.claimsAndScopeOverrideDetails ?? {};
    const access = details.accessTokenGeneration ?? {};
    event.response = {
        claimsAndScopeOverrideDetails: {
            ...details,
            accessTokenGeneration: { ...access, claimsToAddOrOverride: { ...access.claimsToAddOrOverride, [GROUPS_CLAIM]: groups } },
        },
    };
    return event;
}
