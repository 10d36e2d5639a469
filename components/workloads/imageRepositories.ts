/**
 * The stack's image repositories: one ECR repository per service (`flodrama-<stack>-<service>`: scan on
 * push, immutable tags, KMS encryption, a lifecycle policy keeping the last `keepImages` images) and the
 * customer-managed key that encrypts them (also used by the scraper bucket of the workloads).
 *
 * Built early, before the cluster (index.ts), so that a bootstrap run creates them and the services
 * workflow can push a release before the first full deploy (docs/workloads.md#images). These resources
 * used to be children of the workloads; their aliases keep the URNs they had there, so nothing is
 * replaced.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ServiceConfig } from "../../lib/contracts";
import { accountKeyStatement, customerManagedKey } from "../../lib/kms";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";

/**
 * Where these resources lived before: children of the `Workloads` component named `workloads`, each
 * repository under that service's `ServiceImage` (`workloads-<service>-image`).
 */
export const LEGACY_WORKLOADS = { name: "workloads", type: "flodrama:k8s:Workloads" } as const;
export const LEGACY_SERVICE_IMAGE_TYPE = "flodrama:images:ServiceImage";

/** The ECR lifecycle policy: keep the `keepImages` most recent images, expire older ones. */
export function lifecyclePolicy(keepImages: number): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `Keep the last ${keepImages} images`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepImages },
                action: { type: "expire" },
            },
        ],
    });
}

/**
 * Key policy of the workloads key: the account administers and uses it through IAM; ECR and S3 use it
 * through grants and IAM policies that name this key. No public or cross-account principal.
 */
export function workloadsKeyPolicy(partition: string, accountId: string): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [accountKeyStatement(partition, accountId)] });
}

/** One service's repository, as the images and the workloads use it. */
export interface ImageRepository {
    /** Repository name, `flodrama-<stack>-<service>`. */
    name: pulumi.Output<string>;
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
    url: pulumi.Output<string>;
    arn: pulumi.Output<string>;
    registryId: pulumi.Output<string>;
}

/** What the workloads need from the image repositories. */
export interface ImagesInfo {
    /** By service name. */
    repositories: Record<string, ImageRepository>;
    /** The customer-managed key of the repositories, also for the scraper bucket. */
    kmsKeyArn: pulumi.Output<string>;
}

export interface ImageRepositoriesArgs {
    stack: string;
    /** `flodrama:services`: one repository each, keeping `keepImages` images. */
    services: Array<Pick<ServiceConfig, "name" | "keepImages">>;
    /** Protect the key (prod): without it, images and scraped objects are unreadable. */
    protect: boolean;
}

export class ImageRepositories extends pulumi.ComponentResource implements ImagesInfo {
    static readonly __pulumiType = "flodrama:images:ImageRepositories";

    readonly repositories: Record<string, ImageRepository>;
    readonly kmsKeyArn: pulumi.Output<string>;
    /** Repository URL by service name (a stack output). */
    readonly repositoryUrls: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ImageRepositoriesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(ImageRepositories.__pulumiType, name, {}, opts);
        requireAwsProvider(this, "ImageRepositories");
        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        const workloadsUrn = pulumi.createUrn(LEGACY_WORKLOADS.name, LEGACY_WORKLOADS.type);

        const key = customerManagedKey(
            `${name}-key`,
            {
                description: `Encryption of FloDrama ${args.stack} images (ECR) and scraped data (S3)`,
                policy: pulumi.all([partition.partition, account.accountId]).apply(([p, a]) => workloadsKeyPolicy(p, a)),
                aliasName: physicalName(args.stack, "workloads", "kmsAlias"),
            },
            {
                key: { parent: this, protect: args.protect, retainOnDelete: args.protect, aliases: [{ name: `${LEGACY_WORKLOADS.name}-key`, parent: workloadsUrn }] },
                alias: { parent: this, aliases: [{ name: `${LEGACY_WORKLOADS.name}-key-alias`, parent: workloadsUrn }] },
            },
        );
        this.kmsKeyArn = key.arn;

        this.repositories = Object.fromEntries(
            args.services.map((service) => {
                const legacyParent = pulumi.createUrn(`${LEGACY_WORKLOADS.name}-${service.name}-image`, LEGACY_SERVICE_IMAGE_TYPE, workloadsUrn);
                const repository = new aws.ecr.Repository(
                    `${name}-${service.name}-repository`,
                    {
                        name: physicalName(args.stack, service.name, "ecrRepository"),
                        imageTagMutability: "IMMUTABLE",
                        imageScanningConfiguration: { scanOnPush: true },
                        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
                        // A repository that still holds images is never deleted by accident.
                        forceDelete: false,
                    },
                    { parent: this, aliases: [{ name: `${LEGACY_WORKLOADS.name}-${service.name}-image-repository`, parent: legacyParent }] },
                );
                new aws.ecr.LifecyclePolicy(
                    `${name}-${service.name}-lifecycle`,
                    { repository: repository.name, policy: lifecyclePolicy(service.keepImages) },
                    { parent: this, aliases: [{ name: `${LEGACY_WORKLOADS.name}-${service.name}-image-lifecycle`, parent: legacyParent }] },
                );
                const info: ImageRepository = { name: repository.name, url: repository.repositoryUrl, arn: repository.arn, registryId: repository.registryId };
                return [service.name, info];
            }),
        );
        const names = Object.keys(this.repositories);
        this.repositoryUrls = pulumi
            .all(names.map((n) => this.repositories[n].url))
            .apply((urls) => Object.fromEntries(names.map((n, i) => [n, urls[i]])) as Record<string, string>);
        this.registerOutputs({ repositoryUrls: this.repositoryUrls, kmsKeyArn: this.kmsKeyArn });
    }
}
