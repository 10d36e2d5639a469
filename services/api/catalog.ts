/**
 * The catalog as the API reads it: a small repository interface, backed by MongoDB in production and
 * by an in-memory fake in tests (no MongoDB server exists where the tests run).
 */
import { Filter, ObjectId } from "mongodb";

export const CATALOG_COLLECTION = "catalog";
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface CatalogItem {
    id: string;
    title: string;
    [field: string]: unknown;
}

export interface Page {
    limit: number;
    offset: number;
}

export interface CatalogRepository {
    list(page: Page): Promise<CatalogItem[]>;
    get(id: string): Promise<CatalogItem | undefined>;
}

/** A catalog document: `_id` is a string slug or an ObjectId, `title` is required. */
export interface CatalogDocument {
    _id: string | ObjectId;
    title: string;
    [field: string]: unknown;
}

/** The part of a driver `Collection` the repository uses, so tests can hand it a fake. */
export interface CatalogCollection {
    find(filter: Filter<CatalogDocument>, options: { sort: Record<string, 1 | -1>; skip: number; limit: number }): { toArray(): Promise<CatalogDocument[]> };
    findOne(filter: Filter<CatalogDocument>): Promise<CatalogDocument | null>;
}

export function toItem(doc: CatalogDocument): CatalogItem {
    const { _id, ...rest } = doc;
    return { ...rest, id: String(_id), title: doc.title };
}

/** Filter for one id: the string itself, or its ObjectId when it is 24 hex digits. */
export function idFilter(id: string): Filter<CatalogDocument> {
    if (ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id)) {
        return { _id: { $in: [id, new ObjectId(id)] } };
    }
    return { _id: id };
}

export class MongoCatalogRepository implements CatalogRepository {
    constructor(private readonly collection: () => CatalogCollection) {}

    async list(page: Page): Promise<CatalogItem[]> {
        // Sorted by _id so pages are stable between calls.
        const docs = await this.collection().find({}, { sort: { _id: 1 }, skip: page.offset, limit: page.limit }).toArray();
        return docs.map(toItem);
    }

    async get(id: string): Promise<CatalogItem | undefined> {
        const doc = await this.collection().findOne(idFilter(id));
        return doc ? toItem(doc) : undefined;
    }
}

export class InMemoryCatalogRepository implements CatalogRepository {
    /** How many times the store was read: tests prove the cache by it. */
    reads = 0;
    constructor(private readonly items: CatalogItem[]) {}

    async list(page: Page): Promise<CatalogItem[]> {
        this.reads++;
        return [...this.items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(page.offset, page.offset + page.limit);
    }

    async get(id: string): Promise<CatalogItem | undefined> {
        this.reads++;
        return this.items.find((i) => i.id === id);
    }
}
