/**
 * Which AWS regions offer which service, from AWS's own endpoint table (botocore's
 * `endpoints.json`, reduced to the services the program uses and committed with its source and date
 * in data/aws-regional-services.json; scripts/update-regional-services.py regenerates it).
 *
 * Used to check that every resource is created through a provider whose region offers its service
 * (tests/foundation/regions.test.ts) and to choose a region for a service the stack's own region
 * lacks (`nearestRegionOffering`: Amazon Personalize is not offered in eu-west-3).
 */
import table from "../data/aws-regional-services.json";

/** Service keys of the table: the endpoint prefixes of AWS's endpoint data (`ecr` is `api.ecr`). */
export type ServiceKey = keyof typeof table.services;

interface ServiceEntry {
    global: boolean;
    regions?: string[];
    signingRegion?: string;
}

const SERVICES = table.services as Record<ServiceKey, ServiceEntry>;

/** Where the table comes from (`botocore <version>, <file>`) and when it was extracted. */
export const REGIONAL_DATA_SOURCE = { source: table.source, date: table.date } as const;

/** Every region of the `aws` partition the table knows. */
export const KNOWN_REGIONS: readonly string[] = table.regions;

function entry(service: string): ServiceEntry {
    const e = SERVICES[service as ServiceKey];
    if (!e) {
        throw new Error(`unknown AWS service "${service}": known services are ${Object.keys(SERVICES).join(", ")} (add it to scripts/update-regional-services.py and regenerate data/aws-regional-services.json)`);
    }
    return e;
}

/** Whether the service has one endpoint for the whole partition (IAM, CloudFront, Route 53, Budgets). */
export function isGlobalService(service: string): boolean {
    return entry(service).global;
}

/** Regions that offer a regional service, sorted; every region of the partition for a global one. */
export function regionsOffering(service: string): string[] {
    const e = entry(service);
    return e.global ? [...KNOWN_REGIONS] : [...(e.regions ?? [])];
}

/** Whether `region` offers `service` (a global service is reachable from every region). */
export function serviceOfferedIn(service: string, region: string): boolean {
    if (!KNOWN_REGIONS.includes(region)) {
        throw new Error(`unknown AWS region "${region}": known regions are ${KNOWN_REGIONS.join(", ")}`);
    }
    return regionsOffering(service).includes(region);
}

/**
 * Why `region` cannot host `service`, for a config error: the data's source, the regions that offer
 * it and the nearest one. Undefined when the region offers the service.
 */
export function unavailableReason(service: string, region: string): string | undefined {
    if (serviceOfferedIn(service, region)) {
        return undefined;
    }
    return (
        `${service} is not offered in ${region} (AWS endpoint data: ${table.source}, ${table.date}); ` +
        `regions offering it: ${regionsOffering(service).join(", ")}; nearest to ${region}: ${nearestRegionOffering(service, region)}`
    );
}

/**
 * Approximate location (latitude, longitude in degrees) of each region's metro area: the proximity
 * table behind `nearestRegionOffering`. Great-circle distance is a fair proxy for network latency
 * between AWS regions of one continent.
 */
export const REGION_LOCATIONS: Readonly<Record<string, readonly [number, number]>> = {
    "af-south-1": [-33.9, 18.4], // Cape Town
    "ap-east-1": [22.3, 114.2], // Hong Kong
    "ap-east-2": [25.0, 121.5], // Taipei
    "ap-northeast-1": [35.7, 139.7], // Tokyo
    "ap-northeast-2": [37.6, 127.0], // Seoul
    "ap-northeast-3": [34.7, 135.5], // Osaka
    "ap-south-1": [19.1, 72.9], // Mumbai
    "ap-south-2": [17.4, 78.5], // Hyderabad
    "ap-southeast-1": [1.35, 103.8], // Singapore
    "ap-southeast-2": [-33.9, 151.2], // Sydney
    "ap-southeast-3": [-6.2, 106.8], // Jakarta
    "ap-southeast-4": [-37.8, 145.0], // Melbourne
    "ap-southeast-5": [3.1, 101.7], // Kuala Lumpur
    "ap-southeast-6": [-36.8, 174.8], // Auckland
    "ap-southeast-7": [13.8, 100.5], // Bangkok
    "ca-central-1": [45.5, -73.6], // Montreal
    "ca-west-1": [51.0, -114.1], // Calgary
    "eu-central-1": [50.1, 8.7], // Frankfurt
    "eu-central-2": [47.4, 8.5], // Zurich
    "eu-north-1": [59.3, 18.1], // Stockholm
    "eu-south-1": [45.5, 9.2], // Milan
    "eu-south-2": [41.6, -0.9], // Aragon
    "eu-west-1": [53.3, -6.3], // Dublin
    "eu-west-2": [51.5, -0.1], // London
    "eu-west-3": [48.9, 2.35], // Paris
    "il-central-1": [32.1, 34.8], // Tel Aviv
    "me-central-1": [25.2, 55.3], // UAE
    "me-south-1": [26.1, 50.6], // Bahrain
    "mx-central-1": [20.6, -100.4], // Querétaro
    "sa-east-1": [-23.5, -46.6], // São Paulo
    "us-east-1": [38.9, -77.4], // Northern Virginia
    "us-east-2": [40.0, -83.0], // Ohio
    "us-west-1": [37.4, -121.9], // Northern California
    "us-west-2": [45.8, -119.7], // Oregon
};

/** Great-circle distance between two regions, in kilometres. */
export function regionDistanceKm(a: string, b: string): number {
    const pa = REGION_LOCATIONS[a];
    const pb = REGION_LOCATIONS[b];
    if (!pa || !pb) {
        throw new Error(`no location for region "${!pa ? a : b}" in lib/regions.ts REGION_LOCATIONS: add the region's metro area`);
    }
    const rad = Math.PI / 180;
    const dLat = (pb[0] - pa[0]) * rad;
    const dLon = (pb[1] - pa[1]) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(pa[0] * rad) * Math.cos(pb[0] * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * The region offering `service` that is closest to `fromRegion`: `fromRegion` itself when it offers
 * the service. For eu-west-3 (Paris) and Personalize that is eu-central-1 (Frankfurt, ~480 km;
 * Dublin is ~780 km).
 */
export function nearestRegionOffering(service: string, fromRegion: string): string {
    if (serviceOfferedIn(service, fromRegion)) {
        return fromRegion;
    }
    const candidates = regionsOffering(service).filter((r) => REGION_LOCATIONS[r]);
    if (candidates.length === 0) {
        throw new Error(`no region with a known location offers ${service}`);
    }
    return candidates.map((r) => ({ r, d: regionDistanceKm(fromRegion, r) })).sort((x, y) => x.d - y.d || x.r.localeCompare(y.r))[0].r;
}

/**
 * Type-token prefixes of the resources the program creates → the service whose API creates them. The
 * longest matching prefix wins (`aws:cloudwatch/log…` is CloudWatch Logs, other `aws:cloudwatch/…`
 * CloudWatch). Remote components (awsx VPC, eks Cluster) map to the service of their main children.
 */
export const RESOURCE_TYPE_SERVICES: Readonly<Record<string, ServiceKey>> = {
    "aws:acm/": "acm",
    "aws:alb/": "elasticloadbalancing",
    "aws:apigateway/": "apigateway",
    "aws:apigatewayv2/": "apigateway",
    "aws:budgets/": "budgets",
    "aws:cloudfront/": "cloudfront",
    "aws:cloudwatch/": "monitoring",
    "aws:cloudwatch/event": "events",
    "aws:cloudwatch/log": "logs",
    "aws:codebuild/": "codebuild",
    "aws:cognito/": "cognito-idp",
    "aws:cognito/identityPool": "cognito-identity",
    "aws:docdb/": "docdb",
    "aws:ec2/": "ec2",
    "aws:ec2clientvpn/": "ec2",
    "aws:ec2transitgateway/": "ec2",
    "aws:ecr/": "ecr",
    "aws:eks/": "eks",
    "aws:elasticache/": "elasticache",
    "aws:elasticloadbalancingv2/": "elasticloadbalancing",
    "aws:iam/": "iam",
    "aws:kms/": "kms",
    "aws:lambda/": "lambda",
    "aws:lb/": "elasticloadbalancing",
    "aws:rds/": "rds",
    "aws:route53/": "route53",
    "aws:s3/": "s3",
    "aws:secretsmanager/": "secretsmanager",
    "aws:sns/": "sns",
    "aws:sqs/": "sqs",
    "aws:ssm/": "ssm",
    "aws:vpc/": "ec2",
    "aws:wafv2/": "wafv2",
    "aws-native:personalize:": "personalize",
    "awsx:ec2:": "ec2",
    "eks:index:": "eks",
};

/** The service behind a resource type token, or undefined when no prefix matches. */
export function serviceOfResourceType(type: string): ServiceKey | undefined {
    const prefix = Object.keys(RESOURCE_TYPE_SERVICES)
        .filter((p) => type.startsWith(p))
        .sort((a, b) => b.length - a.length)[0];
    return prefix === undefined ? undefined : RESOURCE_TYPE_SERVICES[prefix];
}

/** Interface VPC endpoint service names (`com.amazonaws.<region>.<name>`) → service key. */
export const ENDPOINT_SERVICES: Readonly<Record<string, ServiceKey>> = {
    "ec2": "ec2",
    "ecr.api": "ecr",
    "ecr.dkr": "ecr",
    "eks": "eks",
    "elasticloadbalancing": "elasticloadbalancing",
    "kms": "kms",
    "logs": "logs",
    "monitoring": "monitoring",
    "s3": "s3",
    "secretsmanager": "secretsmanager",
    "sqs": "sqs",
    "ssm": "ssm",
    "sts": "sts",
};

/**
 * The regional services the program's resources may use: every service of `RESOURCE_TYPE_SERVICES`
 * and `ENDPOINT_SERVICES` that is not global, sorted. Config checks the stack's region against them
 * (before any resource exists); tests/foundation/regions.test.ts checks that they cover every
 * service a stack run places in its region.
 */
export function programRegionalServices(): ServiceKey[] {
    const all = new Set<ServiceKey>([...Object.values(RESOURCE_TYPE_SERVICES), ...Object.values(ENDPOINT_SERVICES)]);
    return [...all].filter((s) => !isGlobalService(s)).sort();
}

/** What `unavailableServices` needs of a program run (offline/harness ProgramRun fits). */
export interface RunLike {
    resources: ReadonlyArray<{
        urn: string;
        type: string;
        custom: boolean;
        remote: boolean;
        provider?: string;
        providers: Record<string, string>;
        inputs: Record<string, any>;
    }>;
    /** Stack config as Pulumi hands it to the program: `aws:region` is the default providers' region. */
    config: Record<string, string>;
}

/** A resource whose service is not offered in the region of the provider that creates it. */
export interface Unavailable {
    urn: string;
    type: string;
    service: ServiceKey;
    region: string;
}

/** The AWS resources of a run, with the service and region each is created in (global services left out). */
export function regionalPlacements(run: RunLike): { placed: Unavailable[]; unmapped: string[] } {
    const regionOf = new Map(run.resources.filter((r) => r.type.startsWith("pulumi:providers:aws")).map((r) => [r.urn, r.inputs.region as string | undefined]));
    const defaultRegion = run.config["aws:region"];
    const placed: Unavailable[] = [];
    const unmapped = new Set<string>();
    for (const r of run.resources) {
        const awsOwned = r.type.startsWith("aws:") || r.type.startsWith("aws-native:");
        if (!(r.custom && awsOwned) && !(r.remote && r.providers.aws)) {
            continue;
        }
        const providerUrn = r.remote ? r.providers.aws : r.provider;
        const region = (providerUrn && regionOf.get(providerUrn)) || defaultRegion;
        const services: ServiceKey[] = [];
        const service = serviceOfResourceType(r.type);
        if (!service) {
            unmapped.add(r.type);
            continue;
        }
        services.push(service);
        if (r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && typeof r.inputs.serviceName === "string") {
            const m = /^com\.amazonaws\.([a-z0-9-]+)\.(.+)$/.exec(r.inputs.serviceName);
            const endpointService = m ? ENDPOINT_SERVICES[m[2]] : undefined;
            if (!m || !endpointService) {
                unmapped.add(`${r.type} serviceName ${r.inputs.serviceName}`);
            } else {
                services.push(endpointService);
            }
        }
        for (const s of services) {
            if (region && !isGlobalService(s)) {
                placed.push({ urn: r.urn, type: r.type, service: s, region });
            }
        }
    }
    return { placed, unmapped: [...unmapped].sort() };
}

/**
 * Resources created through a provider whose region does not offer their service (each with the
 * service and region), for a run of the program; types with no known service throw, naming them.
 */
export function unavailableServices(run: RunLike): Unavailable[] {
    const { placed, unmapped } = regionalPlacements(run);
    if (unmapped.length > 0) {
        throw new Error(`no AWS service known for: ${unmapped.join(", ")} (add the type prefix to RESOURCE_TYPE_SERVICES or ENDPOINT_SERVICES in lib/regions.ts)`);
    }
    return placed.filter((p) => !serviceOfferedIn(p.service, p.region));
}
