/**
 * Where scraped data goes: raw pages to S3 under the scraper's prefix, one item per page to MongoDB.
 * Both sit behind small interfaces with fakes for tests.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Filter, UpdateFilter } from "mongodb";

export const ITEMS_COLLECTION = "scraped_items";

export interface ScrapedItem {
    /** `<source>:<url>`: one document per source page, replaced at each run. */
    _id: string;
    source: string;
    url: string;
    title?: string;
    contentType: string;
    bytes: number;
    sha256: string;
    /** S3 key of the raw page. */
    rawKey: string;
    fetchedAt: Date;
}

export interface ItemRepository {
    upsert(item: ScrapedItem): Promise<void>;
}

export interface PageStore {
    put(key: string, body: Buffer, contentType: string): Promise<void>;
}

/** The part of a driver `Collection` the repository uses. */
export interface ItemsCollection {
    updateOne(filter: Filter<ScrapedItem>, update: UpdateFilter<ScrapedItem>, options: { upsert: boolean }): Promise<unknown>;
}

export class MongoItemRepository implements ItemRepository {
    constructor(private readonly collection: () => ItemsCollection) {}

    async upsert(item: ScrapedItem): Promise<void> {
        const { _id, ...fields } = item;
        await this.collection().updateOne({ _id }, { $set: fields, $setOnInsert: { firstSeenAt: item.fetchedAt } as never }, { upsert: true });
    }
}

export class InMemoryItemRepository implements ItemRepository {
    readonly items = new Map<string, ScrapedItem>();
    async upsert(item: ScrapedItem): Promise<void> {
        this.items.set(item._id, item);
    }
}

/** The part of an S3 client the store uses (`send`), so tests can record the commands. */
export interface S3Sender {
    send(command: PutObjectCommand): Promise<unknown>;
}

export class S3PageStore implements PageStore {
    constructor(
        private readonly s3: S3Sender,
        private readonly bucket: string,
        private readonly prefix: string,
    ) {}

    async put(key: string, body: Buffer, contentType: string): Promise<void> {
        if (!key.startsWith(this.prefix)) {
            // The IAM role allows only this prefix: fail with the reason rather than AccessDenied.
            throw new Error(`S3 key ${key} is outside the scraper's prefix ${this.prefix}`);
        }
        // The bucket's default encryption (its KMS key) applies; no per-object setting needed.
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
    }
}

export function s3Client(region: string | undefined): S3Client {
    return new S3Client({ region });
}
