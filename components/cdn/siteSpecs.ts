/**
 * The CDN site's pure parts: cache and log constants, the component's arguments, the build file
 * listing and manifest, bucket policies, the revalidating cache policy, SPA error responses and the WAF
 * rules and log delivery policy. CdnSite (cdnSite.ts) builds on them; tests read them without mocks.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as mime from "mime-types";
import { DomainConfig } from "../../lib/contracts";
import { CdnConfig } from "./config";
import { denyInsecureTransport, logDeliveryStatement } from "../../lib/s3";
import { serviceStatement } from "../../lib/servicePolicy";
import { SecurityHeadersConfig } from "../../edge/securityHeaders";
import { BuildManifest } from "./cdnInvalidation";

/** Build directories whose files carry a content hash in their names (Vite `assets/`, Create React App `static/`). */
export const HASHED_PREFIXES = ["assets/", "static/"] as const;
export const CACHE_CONTROL_IMMUTABLE = "public, max-age=31536000, immutable";
export const CACHE_CONTROL_REVALIDATE = "no-cache";
/** How long CloudFront keeps the SPA fallback for a 403/404 before asking S3 again. */
export const SPA_ERROR_CACHING_SECONDS = 10;
/** Prefixes in the log bucket. */
export const LOG_PREFIXES = { cloudfront: "cloudfront/", s3Access: "s3-access/site/" } as const;
/** Noncurrent site objects are kept this long: the window to roll a bad upload back by restoring versions. */
export const NONCURRENT_VERSION_DAYS = 30;

export interface CdnSiteArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** CloudFront price class, e.g. `PriceClass_100`. */
    priceClass: CdnConfig["priceClass"];
    /** Custom domain: aliases, an ACM certificate validated in the Route 53 zone, A/AAAA aliases. Default: the CloudFront domain. */
    domain?: DomainConfig;
    /** WAF web ACL (AWS managed rules and a per-IP rate limit per 5 minutes). */
    waf: CdnConfig["waf"];
    /** Absolute path of a frontend build (with `index.html`) to upload; absent skips the upload. */
    buildDir?: string;
    /** Per-stack inputs of the security headers (edge/bundle.ts `securityHeadersConfigFor`). */
    securityHeaders: SecurityHeadersConfig;
    /** Expiry of access logs and retention of the edge and WAF log groups, in days. */
    logRetentionDays: number;
    /** `protectStatefulResources`: the buckets' protection and force-destroy (lib/stateful.ts). */
    protect: boolean;
    /** The us-east-1 provider: Lambda@Edge, the ACM certificate and the WAF web ACL must live there. */
    usEast1: aws.Provider;
}

// ---- pure spec builders ---------------------------------------------------------------------------------

/** `true` for build files served with a year of immutable caching (hashed names). */
export function isHashedAsset(key: string): boolean {
    return HASHED_PREFIXES.some((p) => key.startsWith(p));
}

export interface BuildFile {
    /** Object key, with `/` separators (`assets/index-3f2a.js`). */
    key: string;
    /** Absolute path on disk. */
    file: string;
    contentType: string;
    cacheControl: string;
    sha256: string;
}

/** Every file of a build, with its object key, Content-Type and Cache-Control. Fails on a build without `index.html`. */
export function listBuildFiles(buildDir: string): BuildFile[] {
    if (!fs.existsSync(path.join(buildDir, "index.html"))) {
        throw new Error(`frontend.buildDir ${buildDir} has no index.html at its root; run the frontend build first`);
    }
    const out: BuildFile[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(file);
            } else if (entry.isFile() && entry.name !== ".DS_Store") {
                const key = path.relative(buildDir, file).split(path.sep).join("/");
                out.push({
                    key,
                    file,
                    contentType: mime.contentType(entry.name) || "application/octet-stream",
                    cacheControl: isHashedAsset(key) ? CACHE_CONTROL_IMMUTABLE : CACHE_CONTROL_REVALIDATE,
                    sha256: crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex"),
                });
            }
        }
    };
    walk(buildDir);
    return out;
}

/** The manifest the invalidation watches: unhashed files only (hashed ones change names, not content). */
export function buildManifest(files: BuildFile[]): BuildManifest {
    return Object.fromEntries(files.filter((f) => !isHashedAsset(f.key)).map((f) => [f.key, f.sha256]));
}

/** Site bucket policy: reads by this distribution only (OAC, fixed SourceArn), and nothing without TLS. */
export function siteBucketPolicy(bucketArn: string, distributionArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AllowCloudFrontOacRead",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: `${bucketArn}/*`,
                Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
            },
            denyInsecureTransport(bucketArn),
        ],
    });
}

/**
 * Log bucket policy: S3 server access logs of the site bucket only (the same grant as every log bucket,
 * lib/s3.ts), and nothing without TLS. CloudFront writes through the ACL.
 */
export function logBucketPolicy(logBucketArn: string, siteBucketArn: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [logDeliveryStatement(logBucketArn, siteBucketArn, accountId, LOG_PREFIXES.s3Access), denyInsecureTransport(logBucketArn)],
    });
}

/** The cache policy of `index.html` and every unhashed path: no TTL of its own, so S3's `no-cache` makes CloudFront revalidate. */
export function revalidateCachePolicy(name: string): aws.cloudfront.CachePolicyArgs {
    return {
        name,
        comment: "FloDrama SPA documents: revalidated with S3 on every request (ETag), nothing but the path in the key",
        minTtl: 0,
        defaultTtl: 0,
        maxTtl: 31_536_000,
        parametersInCacheKeyAndForwardedToOrigin: {
            cookiesConfig: { cookieBehavior: "none" },
            headersConfig: { headerBehavior: "none" },
            queryStringsConfig: { queryStringBehavior: "none" },
            enableAcceptEncodingGzip: true,
            enableAcceptEncodingBrotli: true,
        },
    };
}

/** SPA routing: S3 answers 403 (no ListBucket) or 404 for client-side routes; serve the app with 200. */
export function spaErrorResponses(): aws.types.input.cloudfront.DistributionCustomErrorResponse[] {
    return [403, 404].map((errorCode) => ({ errorCode, responseCode: 200, responsePagePath: "/index.html", errorCachingMinTtl: SPA_ERROR_CACHING_SECONDS }));
}

/** Key of the body WAF answers throttled requests with (`wafResponseBodies`). */
export const WAF_RATE_LIMITED_BODY = "rate-limited";

/**
 * Bodies of WAF's own responses. A WAF custom response takes precedence over CloudFront's custom error
 * pages; without one, a throttled request's 403 would meet SPA routing and come back as `index.html`
 * with 200, fetched from S3 for every blocked request of a flood.
 */
export function wafResponseBodies(): aws.types.input.wafv2.WebAclCustomResponseBody[] {
    return [{ key: WAF_RATE_LIMITED_BODY, contentType: "TEXT_PLAIN", content: "Too many requests. Try again in a few minutes.\n" }];
}

/** The WAF rules: IP reputation first (cheap, drops known bad sources), then the rate limit, then the request inspections. */
export function wafRules(metricPrefix: string, rateLimitPer5Minutes: number): aws.types.input.wafv2.WebAclRule[] {
    const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${metricPrefix}-${metric}` });
    const managed = (priority: number, name: string, metric: string): aws.types.input.wafv2.WebAclRule => ({
        name: `AWS-${name}`,
        priority,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
        visibilityConfig: visibility(metric),
    });
    return [
        managed(0, "AWSManagedRulesAmazonIpReputationList", "ip-reputation"),
        {
            name: "rate-limit-per-ip",
            priority: 1,
            action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: WAF_RATE_LIMITED_BODY } } },
            statement: { rateBasedStatement: { limit: rateLimitPer5Minutes, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
            visibilityConfig: visibility("rate-limit"),
        },
        managed(2, "AWSManagedRulesCommonRuleSet", "common"),
        managed(3, "AWSManagedRulesKnownBadInputsRuleSet", "known-bad-inputs"),
    ];
}

/** Resource policy that lets WAF's log delivery write to its log group, for this account only. */
export function wafLogDeliveryPolicy(logGroupArn: string, accountId: string): string {
    const sources = { sourceAccount: accountId, sourceArn: `arn:aws:logs:us-east-1:${accountId}:*` };
    const statement = serviceStatement("AllowWafLogDelivery", "delivery.logs.amazonaws.com", ["logs:CreateLogStream", "logs:PutLogEvents"], `${logGroupArn}:*`, sources);
    return JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
}

/** What the WAF logs: only blocked or counted requests, without the credentials they carry. */
export function wafLogFiltering(): Pick<aws.wafv2.WebAclLoggingConfigurationArgs, "redactedFields" | "loggingFilter"> {
    return {
        redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
        loggingFilter: {
            defaultBehavior: "DROP",
            filters: [
                {
                    behavior: "KEEP",
                    requirement: "MEETS_ANY",
                    conditions: [{ actionCondition: { action: "BLOCK" } }, { actionCondition: { action: "COUNT" } }],
                },
            ],
        },
    };
}
