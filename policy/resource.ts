/**
 * The resource facts a policy check reads, and the small readers of them that both the framework and
 * the documented exceptions (exceptions.ts) use. Kept apart from framework.ts so that exceptions.ts
 * does not import the framework that consults it.
 */

/** The resource facts a check reads: the subset of CrossGuard's args that offline runs can supply too. */
export interface Res {
    type: string;
    name: string;
    urn: string;
    props: Record<string, any>;
    /** `protect` resource option. */
    protect: boolean;
    /** Props of the explicit provider (region, defaultTags), when known. */
    providerProps?: Record<string, any>;
    /** URNs this resource depends on (stack policies). */
    dependencies?: string[];
    parentUrn?: string;
}

/** Parses a JSON string (policy documents, provider config) or returns the object as is. */
export function parsed(v: unknown): any {
    if (typeof v === "string") {
        try {
            return JSON.parse(v);
        } catch {
            return undefined;
        }
    }
    return v;
}

export function asArray<T>(v: T | T[] | undefined | null): T[] {
    return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** The `Environment` tag the resource carries through its provider's default tags or its own tags. */
export function environmentOf(r: Res): string | undefined {
    const providerTags = parsed(r.providerProps?.defaultTags)?.tags;
    const own = r.props.tags ?? r.props.tagsAll;
    return providerTags?.Environment ?? own?.Environment ?? /^urn:pulumi:([^:]+)::/.exec(r.urn)?.[1];
}
