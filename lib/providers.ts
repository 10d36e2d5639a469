/**
 * Explicit providers, built once and passed to every resource: no resource falls back to an ambient
 * region or kubeconfig.
 */
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
// By subpath: the package root pulls in every AWS service's types and code (docs/decisions.md#offline-testing).
import { Provider as AwsNativeProvider } from "@pulumi/aws-native/provider";
import type { Region as AwsNativeRegion } from "@pulumi/aws-native/types/enums";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** What the providers take from the stack config (validated by config.ts). */
export interface ProviderSettings {
    /** `aws:region`. */
    region: string;
    /** Default tags of every AWS resource. */
    tags: Record<string, string>;
}

/** CloudFront, its ACM certificates and WAF, Lambda@Edge and CloudFront alarms live here. */
export const US_EAST_1 = "us-east-1";

export interface AwsProviders {
    /** The stack's region (`aws:region`), with the stack's default tags. */
    aws: aws.Provider;
    /** us-east-1, with the same default tags. */
    usEast1: aws.Provider;
    /**
     * The program's one @pulumi/random provider (passwords, tokens, suffixes). It needs no settings;
     * it exists so that no random resource falls back to a default provider. Components take it as
     * an argument (e.g. `DataTierArgs.randomProvider`) rather than creating their own.
     */
    random: random.Provider;
}

/** The explicit @pulumi/random provider. Call it once per program: `createAwsProviders` already does. */
export function createRandomProvider(name = "random", opts: pulumi.CustomResourceOptions = {}): random.Provider {
    return new random.Provider(name, {}, opts);
}

export function createAwsProviders(cfg: ProviderSettings): AwsProviders {
    const defaultTags = { tags: cfg.tags };
    return {
        aws: new aws.Provider("aws", { region: cfg.region, defaultTags }),
        usEast1: new aws.Provider("aws-us-east-1", { region: US_EAST_1, defaultTags }),
        random: createRandomProvider(),
    };
}

/**
 * The AWS Cloud Control provider (`@pulumi/aws-native`) in `cfg.region`, for the resources the
 * classic provider lacks (Personalize, docs/decisions.md#personalize-aws-native). It carries the same default tags as the AWS providers on
 * every resource type that accepts tags. Personalize tags are create-only: changing a stack tag
 * replaces the Personalize resources, which `protect` stops in prod (docs/recommendations.md).
 */
export function createAwsNativeProvider(cfg: ProviderSettings, name = "aws-native"): AwsNativeProvider {
    return new AwsNativeProvider(name, {
        // aws-native types `region` as a union of region names; config.ts has checked it against the AWS endpoint data.
        region: cfg.region as AwsNativeRegion,
        defaultTags: { tags: cfg.tags },
    });
}

/** The providers of the recommendations (Personalize and the bucket and key it reads), in their own region. */
export interface RecommendationsProviders {
    /** The recommendations region (`flodrama:recommendations.region`). */
    region: string;
    /** AWS provider in that region: the stack's own (or the us-east-1 one) when the region is theirs, else a new one. */
    aws: aws.Provider;
    /** Cloud Control provider in that region, for the Personalize resources. */
    awsNative: AwsNativeProvider;
}

/**
 * The providers for recommendations, built once, with the stack's default tags. Personalize is not
 * offered everywhere (docs/regions.md): when the recommendations region is the stack's, the stack's
 * AWS provider is reused and the Cloud Control provider keeps its name `aws-native`; otherwise both
 * are new, named after the region (`aws-<region>`, `aws-native-<region>`), and us-east-1 reuses
 * `providers.usEast1`. Moving a resource to another provider keeps its URN but replaces it.
 */
export function createRecommendationsProviders(cfg: ProviderSettings, recommendationsRegion: string, providers: Pick<AwsProviders, "aws" | "usEast1">): RecommendationsProviders {
    if (recommendationsRegion === cfg.region) {
        return { region: cfg.region, aws: providers.aws, awsNative: createAwsNativeProvider(cfg) };
    }
    const defaultTags = { tags: cfg.tags };
    return {
        region: recommendationsRegion,
        aws: recommendationsRegion === US_EAST_1 ? providers.usEast1 : new aws.Provider(`aws-${recommendationsRegion}`, { region: recommendationsRegion, defaultTags }),
        awsNative: createAwsNativeProvider({ region: recommendationsRegion, tags: cfg.tags }, `aws-native-${recommendationsRegion}`),
    };
}

/**
 * The @pulumi/docker-build provider (BuildKit through the local Docker engine or buildx), for the
 * service images a stack builds itself (dev). Registry credentials go on each image (ECR tokens are per
 * registry and expire), so the provider carries none; it exists so that no image falls back to a
 * default provider. Create it only when a service has `image: { build: … }`: a stack that builds
 * nothing then needs no Docker at all.
 */
export function createDockerBuildProvider(name = "docker-build"): dockerBuild.Provider {
    return new dockerBuild.Provider(name, {});
}

/**
 * The Kubernetes provider for the cluster, from its kubeconfig. Server-side apply lets Pulumi and the
 * in-cluster controllers share fields without fighting over them.
 */
export function createKubernetesProvider(name: string, kubeconfig: pulumi.Input<string>, opts: pulumi.CustomResourceOptions = {}): k8s.Provider {
    return new k8s.Provider(name, { kubeconfig, enableServerSideApply: true, deleteUnreachable: false }, opts);
}

/**
 * The AWS provider a component was given (`{ provider }` or `{ providers }` in its options). Remote
 * components (awsx, eks) must get it passed on explicitly as `providers: { aws }`: they do not inherit
 * their parent's providers, and their children would otherwise run on the default provider, without
 * the stack's default tags.
 */
export function requireAwsProvider(component: pulumi.ComponentResource, what: string): pulumi.ProviderResource {
    const provider = component.getProvider("aws::");
    if (!provider) {
        throw new pulumi.ResourceError(`${what} needs the stack's AWS provider in its options ({ provider }): nothing in it may use an ambient one`, component);
    }
    return provider;
}
