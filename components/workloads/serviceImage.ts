/**
 * The image one service runs, as `<repository>@sha256:<digest>` wherever the program can know it
 * (docs/workloads.md#images):
 * - `build` (dev): `services/Dockerfile` built from the repository root with the build arg `SERVICE`,
 *   for linux/amd64, pushed to the stack's ECR repository under a tag that is the hash of exactly the
 *   files the build sees. Same files, same tag: @pulumi/docker-build sees no change, builds nothing,
 *   and the Deployment keeps its digest (no rollout). Any change: a new tag, a new digest, a rollout.
 * - `release` (prod): the version the services workflow pushed to that repository (an immutable ECR
 *   tag), resolved to its digest; a version that is not there stops the run.
 * - `pinned`: the reference as given.
 */
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ServiceImageSource } from "../../lib/contracts";
import { requireAwsProvider } from "../../lib/providers";
import { SERVICE_IMAGE_BUILD, ServiceImageName } from "../../lib/serviceContract";
import { ImageRepository } from "./imageRepositories";

/** EKS nodes are x86_64 (AL2023_x86_64_STANDARD); an image built on an arm64 laptop must not land there. */
export const IMAGE_PLATFORM = "linux/amd64";
/** Length of the content-hash tag (hex). */
export const CONTENT_TAG_LENGTH = 16;
/** The repository root: the build context of every service image. */
export const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

interface IgnoreRule {
    negate: boolean;
    segments: string[];
    re: RegExp;
}

function segmentPattern(seg: string): string {
    return seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
}

/**
 * The rules of a `.dockerignore` file, in order (the last rule that matches a path decides; `!`
 * re-includes). As BuildKit reads them: a leading `/` is dropped, `**` spans directories, and a rule
 * that matches a directory also matches everything below it.
 */
export function parseDockerignore(text: string): IgnoreRule[] {
    return text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => {
            const negate = l.startsWith("!");
            const pattern = path.posix.normalize((negate ? l.slice(1) : l).trim().replace(/^\/+/, "")).replace(/\/+$/, "");
            const segments = pattern.split("/");
            const body = segments.map((seg) => (seg === "**" ? ".*" : segmentPattern(seg))).join("/").replace(/\.\*\//g, "(?:.*/)?");
            return { negate, segments, re: new RegExp(`^${body}(?:/.*)?$`) };
        });
}

function isIgnored(rules: IgnoreRule[], rel: string): boolean {
    return rules.reduce((out, r) => (r.re.test(rel) ? !r.negate : out), false);
}

/** Whether some `!` rule could re-include a path below the ignored directory `dir` (else the walk skips it). */
function mayReinclude(rules: IgnoreRule[], dir: string): boolean {
    const parts = dir.split("/");
    return rules.some((r) => {
        if (!r.negate) {
            return false;
        }
        for (let i = 0; i < parts.length; i++) {
            const seg = r.segments[i];
            if (seg === undefined) {
                return false;
            }
            if (seg === "**") {
                return true;
            }
            if (!new RegExp(`^${segmentPattern(seg)}$`).test(parts[i])) {
                return false;
            }
        }
        return r.segments.length > parts.length;
    });
}

/** The files of `root` a build with this ignore file sees, as sorted `/`-separated relative paths. */
export function contextFiles(root: string, ignoreFile: string): string[] {
    const rules = fs.existsSync(ignoreFile) ? parseDockerignore(fs.readFileSync(ignoreFile, "utf8")) : [];
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const abs = path.join(dir, entry.name);
            const rel = path.relative(root, abs).split(path.sep).join("/");
            if (entry.isDirectory()) {
                if (!isIgnored(rules, rel) || mayReinclude(rules, rel)) {
                    walk(abs);
                }
            } else if (entry.isFile() && !isIgnored(rules, rel)) {
                files.push(rel);
            }
        }
    };
    walk(root);
    return files.sort();
}

/** The build of one service image: what the tag hashes and what docker-build is given. */
export interface BuildSpec {
    /** Absolute repository root (the context). */
    root: string;
    /** Relative to the root. */
    dockerfile: string;
    /** Relative to the root. */
    ignoreFile: string;
    /** The build arg `SERVICE`. */
    service: ServiceImageName;
    platform: string;
}

/** The build of `service` from this repository, per `SERVICE_IMAGE_BUILD` (lib/serviceContract.ts). */
export function serviceBuild(service: ServiceImageName, root: string = REPOSITORY_ROOT): BuildSpec {
    return { root, dockerfile: SERVICE_IMAGE_BUILD.dockerfile, ignoreFile: SERVICE_IMAGE_BUILD.ignoreFile, service, platform: IMAGE_PLATFORM };
}

/**
 * The image's tag: a hash of every file the build sees through the ignore file (path and content), the
 * Dockerfile, the build arg and the platform. The three services share one context (they compile
 * together), so a change anywhere in it gives all three a new tag; nothing else does.
 */
export function contentTag(spec: BuildSpec): string {
    const h = createHash("sha256");
    h.update(`platform\0${spec.platform}\0${SERVICE_IMAGE_BUILD.buildArg}\0${spec.service}\0`);
    h.update(`dockerfile\0${fs.readFileSync(path.join(spec.root, spec.dockerfile))}\0`);
    for (const rel of contextFiles(spec.root, path.join(spec.root, spec.ignoreFile))) {
        h.update(`${rel}\0`);
        h.update(fs.readFileSync(path.join(spec.root, rel)));
        h.update("\0");
    }
    return h.digest("hex").slice(0, CONTENT_TAG_LENGTH);
}

/**
 * The docker-build Image inputs. Context and Dockerfile are relative to the working directory (the
 * project directory under `pulumi up`): docker-build compares them as strings, and an absolute path
 * would differ between clones and rebuild an unchanged image under a tag ECR refuses to overwrite.
 */
export function imageArgs(
    spec: BuildSpec,
    repositoryUrl: pulumi.Input<string>,
    token: pulumi.Input<{ userName: string; password: string }>,
    cwd: string = process.cwd(),
): dockerBuild.ImageArgs {
    const context = path.relative(cwd, spec.root).split(path.sep).join("/") || ".";
    const creds = pulumi.output(token);
    return {
        context: { location: context },
        dockerfile: { location: path.posix.join(context, spec.dockerfile) },
        buildArgs: { [SERVICE_IMAGE_BUILD.buildArg]: spec.service },
        platforms: [spec.platform as dockerBuild.Platform],
        push: true,
        tags: [pulumi.interpolate`${repositoryUrl}:${contentTag(spec)}`],
        registries: [{ address: repositoryUrl, username: creds.userName, password: pulumi.secret(creds.password) }],
        // A preview shows the new tag without building; it needs no Docker engine.
        buildOnPreview: false,
    };
}

/** Why a release cannot be deployed, and what to do. */
export function missingReleaseMessage(service: string, repositoryName: string, version: string, cause: string): string {
    return (
        `flodrama:services[${service}].image.release: version ${version} is not in the ECR repository ${repositoryName} (${cause}). ` +
        `The services workflow publishes it: push the tag services-v${version} (.github/workflows/services.yml), wait until its scan passes, then deploy again. ` +
        `A first deploy creates the repositories before anything can be pushed: see docs/first-deploy.md.`
    );
}

export interface ServiceImageArgs {
    /** The service's name (messages). */
    serviceName: string;
    /** `flodrama:services[].image`. */
    source: ServiceImageSource;
    /** The service's repository (ImageRepositories). */
    repository: ImageRepository;
    /** The docker-build provider; required when `source` is a build. */
    dockerBuildProvider?: dockerBuild.Provider;
}

export class ServiceImage extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:images:ServiceImage";

    /** What the Deployment runs. */
    readonly image: pulumi.Output<string>;

    constructor(name: string, args: ServiceImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(ServiceImage.__pulumiType, name, {}, opts);
        const awsProvider = requireAwsProvider(this, "ServiceImage");
        const { source, repository } = args;
        switch (source.kind) {
            case "pinned":
                this.image = pulumi.output(source.ref);
                break;
            case "release":
                this.image = this.release(args, source.version, awsProvider);
                break;
            case "build":
                this.image = this.build(name, args, source.service, awsProvider);
                break;
        }
        this.registerOutputs({ image: this.image, repositoryUrl: repository.url });
    }

    private release(args: ServiceImageArgs, version: string, awsProvider: pulumi.ProviderResource): pulumi.Output<string> {
        const { repository } = args;
        const digest = pulumi.all([repository.name, repository.registryId]).apply(([repositoryName, registryId]) =>
            aws.ecr.getImage({ repositoryName, registryId, imageTag: version }, { parent: this, provider: awsProvider }).then(
                (found) => found.imageDigest,
                (err: unknown) => {
                    throw new pulumi.ResourceError(missingReleaseMessage(args.serviceName, repositoryName, version, err instanceof Error ? err.message : String(err)), this);
                },
            ),
        );
        return pulumi.interpolate`${repository.url}@${digest}`;
    }

    private build(name: string, args: ServiceImageArgs, service: ServiceImageName, awsProvider: pulumi.ProviderResource): pulumi.Output<string> {
        if (!args.dockerBuildProvider) {
            throw new pulumi.ResourceError(`service ${args.serviceName}: image.build needs the docker-build provider (lib/providers.ts createDockerBuildProvider, passed by platform.ts)`, this);
        }
        const { repository } = args;
        const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: this, provider: awsProvider });
        const image = new dockerBuild.Image(`${name}-build`, imageArgs(serviceBuild(service), repository.url, token), { parent: this, provider: args.dockerBuildProvider });
        return pulumi.interpolate`${repository.url}@${image.digest}`;
    }
}
