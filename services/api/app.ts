/**
 * The REST API's routes: public health, the catalog (MongoDB through a Redis cache) and `/me`, which
 * echoes the identity API Gateway verified. The service never reads a token itself.
 */
import { API_PATHS } from "../../lib/serviceContract";
import { HttpError, identityOf, Route } from "../common/http";
import { JsonCache } from "./cache";
import { CatalogRepository, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./catalog";

export interface ApiDeps {
    catalog: CatalogRepository;
    cache: JsonCache;
    /** Whether a Personalize event tracker is configured (reported by /me for the frontend's opt-in). */
    personalization: boolean;
}

function pageParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
    const raw = query.get(name);
    if (raw === null) {
        return fallback;
    }
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > max) {
        throw new HttpError(400, `${name} must be an integer from 0 to ${max}`);
    }
    return n;
}

export function apiRoutes(deps: ApiDeps): Route[] {
    return [
        { method: "GET", pattern: API_PATHS.health, handler: () => ({ status: 200, body: { status: "ok" } }) },
        {
            method: "GET",
            pattern: API_PATHS.catalog,
            handler: async ({ query }) => {
                const limit = pageParam(query, "limit", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
                const offset = pageParam(query, "offset", 0, 1_000_000);
                const items = await deps.cache.getOrLoad(`catalog:list:${limit}:${offset}`, () => deps.catalog.list({ limit, offset }));
                return { status: 200, body: { items, limit, offset } };
            },
        },
        {
            method: "GET",
            pattern: `${API_PATHS.catalog}/:id`,
            handler: async ({ params }) => {
                const item = await deps.cache.getOrLoad(`catalog:item:${params.id}`, () => deps.catalog.get(params.id));
                return item ? { status: 200, body: item } : { status: 404, body: { error: "no such catalog item" } };
            },
        },
        {
            method: "GET",
            pattern: API_PATHS.me,
            handler: ({ req }) => {
                const who = identityOf(req);
                if (!who) {
                    return { status: 401, body: { error: "no verified identity" } };
                }
                return { status: 200, body: { userId: who.userId, groups: who.groups, personalization: deps.personalization } };
            },
        },
    ];
}
