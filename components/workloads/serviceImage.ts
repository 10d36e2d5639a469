/**
 * The image of one service: its ECR repository (scan on push, immutable tags, KMS encryption, a
 * lifecycle policy that keeps the last N images) and the reference to deploy. Per the stack config a
 * service gives either a pinned image (deployed as given) or a Docker build context, which is built
 * here for linux/amd64, tagged with the hash of its content and pushed with ECR credentials; the
 * pushed digest is what the Deployment runs, so a rebuild always rolls the pods and nothing floats.
 */
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ServiceConfig } from "../../lib/contracts";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";
import { stateful } from "../../lib/stateful";

/** EKS nodes are x86_64 (AL2023_x86_64_STANDARD); an image built on an arm64 laptop must not land there. */
export const IMAGE_PLATFORM = "linux/amd64";
/** Length of the content-hash tag (hex). */
export const CONTENT_TAG_LENGTH = 16;

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

/** `.dockerignore` patterns as matchers, in order (a later `!pattern` re-includes). */
function dockerignoreMatchers(context: string): Array<{ negate: boolean; re: RegExp }> {
    const file = path.join(context, ".dockerignore");
    if (!fs.existsSync(file)) {
        return [];
    }
    return fs
        .readFileSync(file, "utf8")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => {
            const negate = l.startsWith("!");
            const pattern = path.posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, "")).replace(/\/+$/, "");
            const body = pattern
                .split("/")
                .map((seg) => (seg === "**" ? ".*" : seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")))
                .join("/")
                .replace(/\.\*\//g, "(?:.*/)?");
            // A pattern also excludes everything below a matching directory.
            return { negate, re: new RegExp(`^${body}(?:/.*)?$`) };
        });
}

/**
 * A hash of what `docker build` sees: every file of the context that `.dockerignore` keeps (path and
 * content), the Dockerfile and the platform. Same content, same tag; any change, a new tag, which
 * ECR's immutable tags require.
 */
export function contextHash(context: string, dockerfile?: string, platform: string = IMAGE_PLATFORM): string {
    const matchers = dockerignoreMatchers(context);
    const ignored = (rel: string) => matchers.reduce((out, m) => (m.re.test(rel) ? !m.negate : out), false);
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const abs = path.join(dir, entry.name);
            const rel = path.relative(context, abs).split(path.sep).join("/");
            if (entry.isDirectory()) {
                // Negated patterns may re-include files below an ignored directory: keep walking.
                walk(abs);
            } else if (entry.isFile() && !ignored(rel)) {
                files.push(rel);
            }
        }
    };
    walk(context);
    const h = createHash("sha256");
    h.update(`platform\0${platform}\0`);
    const dockerfilePath = dockerfile ?? path.join(context, "Dockerfile");
    h.update(`dockerfile\0${fs.readFileSync(dockerfilePath)}\0`);
    for (const rel of files) {
        h.update(`${rel}\0`);
        h.update(fs.readFileSync(path.join(context, rel)));
        h.update("\0");
    }
    return h.digest("hex").slice(0, CONTENT_TAG_LENGTH);
}

/** The docker.Image build settings for a service's build context. */
export function dockerBuild(build: NonNullable<ServiceConfig["build"]>): docker.types.input.DockerBuild {
    return {
        context: build.context,
        dockerfile: build.dockerfile ?? path.join(build.context, "Dockerfile"),
        platform: IMAGE_PLATFORM,
        builderVersion: "BuilderBuildKit",
    };
}

/** Push credentials for the repository's registry from an ECR authorization token; the password stays secret. */
export function ecrRegistry(
    repositoryUrl: pulumi.Input<string>,
    token: pulumi.Output<{ userName: string; password: string }>,
): { server: pulumi.Input<string>; username: pulumi.Output<string>; password: pulumi.Output<string> } {
    return { server: repositoryUrl, username: token.userName, password: pulumi.secret(token.password) };
}

export interface ServiceImageArgs {
    /** Stack name, for the repository's physical name. */
    stack: string;
    /** The service's entry of `flodrama:services`: name, `keepImages`, and `image` or `build`. */
    service: ServiceConfig;
    /** ARN of the customer-managed KMS key that encrypts the repository. */
    kmsKeyArn: pulumi.Input<string>;
    /** `protectStatefulResources`: whether a repository holding images refuses deletion (lib/stateful.ts). */
    protect: boolean;
}

export class ServiceImage extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:images:ServiceImage";

    readonly repository: aws.ecr.Repository;
    readonly repositoryUrl: pulumi.Output<string>;
    readonly repositoryArn: pulumi.Output<string>;
    /** What the Deployment runs: the pinned reference, or `<repository>@sha256:<digest>` of the pushed build. */
    readonly image: pulumi.Output<string>;

    constructor(name: string, args: ServiceImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(ServiceImage.__pulumiType, name, {}, opts);
        const awsProvider = requireAwsProvider(this, "ServiceImage");
        const { service } = args;
        if ((service.image === undefined) === (service.build === undefined)) {
            throw new pulumi.ResourceError(`service ${service.name}: exactly one of image and build must be set (lib/config.ts validates this)`, this);
        }
        this.repository = this.createRepository(name, args);
        this.repositoryUrl = this.repository.repositoryUrl;
        this.repositoryArn = this.repository.arn;
        this.image = service.build ? this.buildAndPush(name, service.build, awsProvider) : pulumi.output(service.image!);
        this.registerOutputs({ repositoryUrl: this.repositoryUrl, repositoryArn: this.repositoryArn, image: this.image });
    }

    private createRepository(name: string, args: ServiceImageArgs): aws.ecr.Repository {
        const repository = new aws.ecr.Repository(
            `${name}-repository`,
            {
                name: physicalName(args.stack, args.service.name, "ecrRepository"),
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                // Images are rebuilt from source: dev deletes them with the repository, prod refuses while any remain.
                forceDelete: stateful(args.protect).forceDelete,
            },
            { parent: this },
        );
        new aws.ecr.LifecyclePolicy(`${name}-lifecycle`, { repository: repository.name, policy: lifecyclePolicy(args.service.keepImages) }, { parent: this });
        return repository;
    }

    private buildAndPush(name: string, build: NonNullable<ServiceConfig["build"]>, awsProvider: pulumi.ProviderResource): pulumi.Output<string> {
        const token = aws.ecr.getAuthorizationTokenOutput({ registryId: this.repository.registryId }, { parent: this, provider: awsProvider });
        // The local Docker engine builds; an explicit provider keeps the image off any ambient default.
        const dockerProvider = new docker.Provider(`${name}-docker`, {}, { parent: this });
        const image = new docker.Image(
            `${name}-image`,
            {
                imageName: pulumi.interpolate`${this.repository.repositoryUrl}:${contextHash(build.context, build.dockerfile)}`,
                build: dockerBuild(build),
                registry: ecrRegistry(this.repository.repositoryUrl, token),
                skipPush: false,
            },
            { parent: this, provider: dockerProvider },
        );
        return image.repoDigest;
    }
}
