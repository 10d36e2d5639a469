/**
 * A CloudFront invalidation after a frontend upload, as a small dynamic resource (the AWS provider has
 * no invalidation resource). Its input is the manifest of the build's *unhashed* files (key -> SHA-256):
 * hashed assets get new names when they change, so they never need invalidating. When the manifest
 * changes, the provider invalidates exactly the changed and removed unhashed paths (plus `/` with
 * `index.html`), or `/*` when there are more than `MAX_EXPLICIT_PATHS`; the first upload invalidates `/*`.
 *
 * Credentials and region: the provider runs inside the Pulumi engine's Node.js host, not through
 * `aws.Provider`, so it uses the AWS SDK's default credential chain (environment variables, `AWS_PROFILE`
 * / SSO, web identity in CI, instance or container role): the same identity that runs `pulumi up` in
 * every setup the README describes. CloudFront's API lives in us-east-1, which is passed explicitly,
 * so no ambient region is needed. Nothing secret is stored in its state.
 */
import * as pulumi from "@pulumi/pulumi";

/** Above this many changed paths one `/*` is cheaper (each explicit path counts against the free 1,000 a month) and as fast. */
export const MAX_EXPLICIT_PATHS = 15;

/** CloudFront's control-plane region. */
export const CLOUDFRONT_API_REGION = "us-east-1";

/** Key -> SHA-256 of each unhashed file of the build. */
export type BuildManifest = Record<string, string>;

/** The paths to invalidate when the manifest goes from `before` to `after` (empty: nothing to do). */
export function invalidationPaths(before: BuildManifest | undefined, after: BuildManifest): string[] {
    if (!before) {
        return ["/*"];
    }
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
    const paths = keys.map((k) => `/${k.split("/").map(encodeURIComponent).join("/")}`);
    if (keys.includes("index.html")) {
        // The default root object is cached under `/` as well.
        paths.unshift("/");
    }
    return paths.length > MAX_EXPLICIT_PATHS ? ["/*"] : paths;
}

interface InvalidationInputs {
    distributionId: string;
    manifest: BuildManifest;
    region: string;
}

interface InvalidationOutputs extends InvalidationInputs {
    /** Id of the last invalidation created. */
    invalidationId: string;
    /** Paths of the last invalidation created. */
    paths: string[];
}

async function createInvalidation(inputs: InvalidationInputs, paths: string[]): Promise<string> {
    // Required at run time inside the provider host; never serialized with the closure.
    const { CloudFrontClient, CreateInvalidationCommand } = require("@aws-sdk/client-cloudfront");
    const client = new CloudFrontClient({ region: inputs.region, maxAttempts: 10 });
    const out = await client.send(
        new CreateInvalidationCommand({
            DistributionId: inputs.distributionId,
            InvalidationBatch: {
                CallerReference: `flodrama-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
                Paths: { Quantity: paths.length, Items: paths },
            },
        }),
    );
    return out.Invalidation.Id as string;
}

/** The dynamic provider; exported for tests, which drive it against a local CloudFront stand-in. */
export const invalidationProvider: pulumi.dynamic.ResourceProvider<InvalidationInputs, InvalidationOutputs> = {
    async create(inputs) {
        const paths = invalidationPaths(undefined, inputs.manifest);
        const id = await createInvalidation(inputs, paths);
        return { id, outs: { ...inputs, invalidationId: id, paths } };
    },
    async diff(_id, olds, news) {
        const replace = olds.distributionId !== news.distributionId;
        const changed = replace || olds.region !== news.region || JSON.stringify(olds.manifest) !== JSON.stringify(news.manifest);
        return { changes: changed, replaces: replace ? ["distributionId"] : [] };
    },
    async update(_id, olds, news) {
        const paths = olds.distributionId === news.distributionId ? invalidationPaths(olds.manifest, news.manifest) : ["/*"];
        const invalidationId = paths.length > 0 ? await createInvalidation(news, paths) : olds.invalidationId;
        return { outs: { ...news, invalidationId, paths } };
    },
    async delete() {
        // An invalidation cannot be undone, and nothing is left to clean up.
    },
};

export interface CdnInvalidationArgs {
    distributionId: pulumi.Input<string>;
    /** Unhashed files of the build, key -> SHA-256 (see `invalidationPaths`). */
    manifest: pulumi.Input<BuildManifest>;
}

/** Invalidates a distribution's changed unhashed paths whenever the uploaded build changes. */
export class CdnInvalidation extends pulumi.dynamic.Resource {
    /** Id of the last invalidation created. */
    declare readonly invalidationId: pulumi.Output<string>;
    /** Paths of the last invalidation created. */
    declare readonly paths: pulumi.Output<string[]>;

    constructor(name: string, args: CdnInvalidationArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            invalidationProvider,
            name,
            { distributionId: args.distributionId, manifest: args.manifest, region: CLOUDFRONT_API_REGION, invalidationId: undefined, paths: undefined },
            opts,
            "flodrama",
            "CdnInvalidation",
        );
    }
}
