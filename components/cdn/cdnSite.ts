/**
 * The React site: a private, versioned, encrypted S3 bucket read only by this CloudFront distribution
 * (Origin Access Control), a log bucket for CloudFront and S3 access logs, the distribution itself
 * (HTTPS only, TLS 1.2+, HTTP/2 and HTTP/3, IPv6, compression, SPA routing, a year of caching for
 * hashed assets and revalidation for everything else), the Lambda@Edge security headers on every
 * behaviour, CloudFront's additional metrics, and optionally a custom domain (ACM in us-east-1 + Route 53),
 * a WAF web ACL, and the upload of a frontend build followed by an invalidation.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DomainConfig } from "../../lib/contracts";
import { SiteInfo } from "../../lib/contracts";
import { hardenedBucket, HardenedBucket } from "../../lib/bucket";
import { dnsValidatedCertificate } from "../../lib/certificate";
import { physicalName } from "../../lib/naming";
import { bundleForConfig } from "../../edge/bundle";
import { buildSecurityHeaders } from "../../edge/securityHeaders";
import { responseHeadersPolicyConfig } from "../../edge/responseHeadersPolicy";
import { CdnInvalidation } from "./cdnInvalidation";
import { EdgeFunction, inUsEast1 } from "./edgeFunction";
import {
    BuildFile,
    buildManifest,
    CdnSiteArgs,
    HASHED_PREFIXES,
    listBuildFiles,
    LOG_PREFIXES,
    logBucketPolicy,
    NONCURRENT_VERSION_DAYS,
    revalidateCachePolicy,
    siteBucketPolicy,
    spaErrorResponses,
    wafLogDeliveryPolicy,
    wafLogFiltering,
    wafResponseBodies,
    wafRules,
} from "./siteSpecs";

// ---- the component ------------------------------------------------------------------------------------------

export class CdnSite extends pulumi.ComponentResource implements SiteInfo {
    static readonly __pulumiType = "flodrama:cdn:CdnSite";

    /** `https://<first domain name>`, or `https://<distribution domain>` without a domain. */
    readonly url: pulumi.Output<string>;
    readonly distributionId: pulumi.Output<string>;
    /** The distribution (its ARN, and `domainName`: `dxxxx.cloudfront.net`), the site bucket and the log bucket. */
    readonly distribution: aws.cloudfront.Distribution;
    readonly bucket: aws.s3.Bucket;
    readonly logBucket: aws.s3.Bucket;
    /** Numbered version of the security-headers function attached to every behaviour. */
    readonly edgeFunctionQualifiedArn: pulumi.Output<string>;
    /** The WAF web ACL, when enabled. */
    readonly webAclArn?: pulumi.Output<string>;
    /** The ACM certificate in us-east-1, with a domain. */
    readonly certificateArn?: pulumi.Output<string>;

    constructor(name: string, args: CdnSiteArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(CdnSite.__pulumiType, name, {}, opts);
        const files = args.buildDir ? listBuildFiles(args.buildDir) : [];
        // Bucket names are global: the account id keeps two accounts' stacks of the same name apart.
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const bucketNames = {
            site: accountId.apply((id) => physicalName(args.stack, `site-${id}`, "s3Bucket")),
            logs: accountId.apply((id) => physicalName(args.stack, `site-logs-${id}`, "s3Bucket")),
        };
        const zone = args.domain ? aws.route53.getZoneOutput({ name: args.domain.hostedZone, privateZone: false }, { parent: this }) : undefined;

        const logs = this.createLogBucket(name, args, bucketNames.logs);
        const site = this.createSiteBucket(name, args, bucketNames.site, logs.bucket);
        this.allowAccessLogDelivery(logs, site.bucket, accountId);
        const edge = new EdgeFunction(
            `${name}-security-headers`,
            {
                stack: args.stack,
                functionName: "security-headers",
                description: "Sets the site's security headers (HSTS, CSP, ...) on CloudFront origin responses",
                code: bundleForConfig(args.securityHeaders).code,
                eventType: "origin-response",
                logRetentionDays: args.logRetentionDays,
                usEast1: args.usEast1,
            },
            { parent: this },
        );
        const certificateArn = args.domain && zone ? this.createCertificate(name, args, args.domain, zone.zoneId) : undefined;
        const webAcl = args.waf.enabled ? this.createWebAcl(name, args, accountId) : undefined;
        const distribution = this.createDistribution(name, args, site.bucket, logs, edge.qualifiedArn, certificateArn, webAcl?.arn);
        this.allowDistributionReads(site, distribution);
        // CloudFront's origin latency and error-rate-by-status metrics, which the monitoring alarms read (docs/decisions.md#cloudwatch-us-east-1).
        new aws.cloudfront.MonitoringSubscription(
            `${name}-metrics`,
            { distributionId: distribution.id, monitoringSubscription: { realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" } } },
            { parent: this },
        );
        if (args.domain && zone) {
            this.createAliasRecords(name, args.domain, zone.zoneId, distribution);
        }
        if (files.length > 0) {
            this.uploadBuild(name, files, site.bucket, distribution);
        }

        this.distributionId = distribution.id;
        this.distribution = distribution;
        this.url = args.domain ? pulumi.output(`https://${args.domain.names[0]}`) : pulumi.interpolate`https://${distribution.domainName}`;
        this.bucket = site.bucket;
        this.logBucket = logs.bucket;
        this.edgeFunctionQualifiedArn = edge.qualifiedArn;
        this.webAclArn = webAcl?.arn;
        this.certificateArn = certificateArn;

        this.registerOutputs({
            url: this.url,
            distributionId: this.distributionId,
            distributionArn: distribution.arn,
            distributionDomainName: distribution.domainName,
            bucketName: site.bucket.bucket,
            bucketArn: site.bucket.arn,
            logBucketName: logs.bucket.bucket,
            edgeFunctionQualifiedArn: this.edgeFunctionQualifiedArn,
            webAclArn: this.webAclArn,
            certificateArn: this.certificateArn,
        });
    }

    /**
     * CloudFront standard logging (the legacy kind, which FSBP CloudFront.5 checks) writes through the
     * bucket ACL, so this bucket keeps ACLs (BucketOwnerPreferred: objects still belong to the owner)
     * with a grant to CloudFront's log-delivery account (the documented S3.12 exception).
     */
    private createLogBucket(name: string, args: CdnSiteArgs, bucketName: pulumi.Output<string>): HardenedBucket & { acl: aws.s3.BucketAcl } {
        const logs = hardenedBucket(
            `${name}-logs`,
            {
                bucketName,
                protect: args.protect,
                // SSE-S3: S3 access-log delivery cannot write to an SSE-KMS bucket, and CloudFront's log delivery needs no key policy.
                encryption: "AES256",
                versioning: false,
                objectOwnership: "BucketOwnerPreferred",
                lifecycleRules: [
                    {
                        id: "expire-logs",
                        status: "Enabled",
                        filter: { prefix: "" },
                        expiration: { days: args.logRetentionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
                // S3 access-log delivery from the site bucket, created next (allowAccessLogDelivery).
                policy: "later",
            },
            { parent: this },
        );
        const owner = aws.s3.getCanonicalUserIdOutput({ parent: this });
        // CloudFront's log delivery (awslogsdelivery), which legacy standard logging writes as; looked up, not hard-coded.
        const logDelivery = aws.cloudfront.getLogDeliveryCanonicalUserIdOutput({}, { parent: this });
        const acl = new aws.s3.BucketAcl(
            `${name}-logs-acl`,
            {
                bucket: logs.bucket.bucket,
                accessControlPolicy: {
                    owner: { id: owner.id },
                    grants: [
                        { grantee: { type: "CanonicalUser", id: owner.id }, permission: "FULL_CONTROL" },
                        { grantee: { type: "CanonicalUser", id: logDelivery.id }, permission: "FULL_CONTROL" },
                    ],
                },
            },
            { parent: this, dependsOn: [logs.ownership, logs.publicAccessBlock] },
        );
        return { ...logs, acl };
    }

    /**
     * SSE-S3: OAC reads it without a key policy, and the content is public once served; SSE-KMS would
     * add a KMS call per cache miss and a key policy for CloudFront for no confidentiality gain.
     * Its policy (reads by the distribution only) comes with the distribution (allowDistributionReads).
     */
    private createSiteBucket(name: string, args: CdnSiteArgs, bucketName: pulumi.Output<string>, logBucket: aws.s3.Bucket): HardenedBucket {
        return hardenedBucket(
            `${name}-bucket`,
            {
                bucketName,
                protect: args.protect,
                encryption: "AES256",
                versioning: true,
                lifecycleRules: [
                    {
                        id: "expire-old-versions",
                        status: "Enabled",
                        filter: { prefix: "" },
                        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                    { id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } },
                ],
                accessLogs: { targetBucket: logBucket.bucket, targetPrefix: LOG_PREFIXES.s3Access },
                policy: "later",
            },
            { parent: this },
        );
    }

    /** S3 server access logs of the site bucket into the log bucket, by bucket policy (not ACL); TLS only. */
    private allowAccessLogDelivery(logs: HardenedBucket, siteBucket: aws.s3.Bucket, accountId: pulumi.Output<string>): void {
        logs.attachPolicy(pulumi.all([logs.bucket.arn, siteBucket.arn, accountId]).apply(([l, s, a]) => logBucketPolicy(l, s, a)));
    }

    /** Reads by this distribution only (OAC SourceArn); TLS only. */
    private allowDistributionReads(site: HardenedBucket, distribution: aws.cloudfront.Distribution): void {
        site.attachPolicy(pulumi.all([site.bucket.arn, distribution.arn]).apply(([b, d]) => siteBucketPolicy(b, d)));
    }

    /** ACM certificate in us-east-1 (CloudFront reads certificates only there), DNS-validated so ACM renews it unattended. */
    private createCertificate(name: string, args: CdnSiteArgs, domain: DomainConfig, zoneId: pulumi.Output<string>): pulumi.Output<string> {
        const provider = args.usEast1;
        return dnsValidatedCertificate(
            {
                name: domain.names[0],
                subjectAlternativeNames: domain.names.slice(1),
                domainName: inUsEast1(provider, domain.names[0], `${name}: the CloudFront certificate`, this),
                zoneId,
                tags: { Name: physicalName(args.stack, "site") },
                // Records by position, never by domain name: renaming a domain must not replace unrelated records.
                logicalNames: { certificate: `${name}-certificate`, record: (i) => `${name}-certificate-validation-${i}`, validation: `${name}-certificate-validation` },
            },
            { certificate: { parent: this, provider }, record: { parent: this } },
        );
    }

    private createWebAcl(name: string, args: CdnSiteArgs, accountId: pulumi.Output<string>): aws.wafv2.WebAcl {
        const provider = args.usEast1;
        const aclName = physicalName(args.stack, "site", "wafWebAcl");
        const acl = new aws.wafv2.WebAcl(
            `${name}-waf`,
            {
                name: inUsEast1(provider, aclName, `${name}: the CLOUDFRONT-scope web ACL`, this),
                description: "FloDrama site: AWS managed rules and a per-IP rate limit",
                scope: "CLOUDFRONT",
                defaultAction: { allow: {} },
                rules: wafRules(aclName, args.waf.rateLimitPer5Minutes),
                customResponseBodies: wafResponseBodies(),
                visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: aclName },
            },
            { parent: this, provider },
        );
        // Blocked and counted requests only: logging every allowed request of a CDN costs more than it tells.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-waf-logs`,
            { name: inUsEast1(provider, `aws-waf-logs-${aclName}`, `${name}: the web ACL's log group`, this), retentionInDays: args.logRetentionDays },
            { parent: this, provider },
        );
        const delivery = new aws.cloudwatch.LogResourcePolicy(
            `${name}-waf-logs-policy`,
            { policyName: physicalName(args.stack, "site-waf-logs"), policyDocument: pulumi.all([logGroup.arn, accountId]).apply(([g, a]) => wafLogDeliveryPolicy(g, a)) },
            { parent: this, provider },
        );
        new aws.wafv2.WebAclLoggingConfiguration(
            `${name}-waf-logging`,
            {
                resourceArn: acl.arn,
                logDestinationConfigs: [logGroup.arn],
                ...wafLogFiltering(),
            },
            { parent: this, provider, dependsOn: [delivery] },
        );
        return acl;
    }

    private createDistribution(
        name: string,
        args: CdnSiteArgs,
        bucket: aws.s3.Bucket,
        logs: { bucket: aws.s3.Bucket; acl: aws.s3.BucketAcl },
        edgeArn: pulumi.Output<string>,
        certificateArn: pulumi.Output<string> | undefined,
        webAclArn: pulumi.Output<string> | undefined,
    ): aws.cloudfront.Distribution {
        const oac = new aws.cloudfront.OriginAccessControl(
            `${name}-oac`,
            {
                name: physicalName(args.stack, "site-oac"),
                description: "CloudFront signs every request to the site bucket",
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            },
            { parent: this },
        );
        const revalidate = new aws.cloudfront.CachePolicy(`${name}-revalidate`, revalidateCachePolicy(physicalName(args.stack, "site-revalidate")), { parent: this });
        const optimized = aws.cloudfront.getCachePolicyOutput({ name: "Managed-CachingOptimized" }, { parent: this });
        const originId = "site-bucket";
        const edge = [{ eventType: "origin-response", lambdaArn: edgeArn, includeBody: false }];
        // The same headers on responses the edge function never sees (WAF blocks, CloudFront errors, redirects): docs/cdn.md.
        const headersPolicy = new aws.cloudfront.ResponseHeadersPolicy(
            `${name}-headers-policy`,
            { name: physicalName(args.stack, "site-security-headers"), comment: "FloDrama site security headers (same table as the Lambda@Edge function)", ...responseHeadersPolicyConfig(buildSecurityHeaders(args.securityHeaders)) },
            { parent: this },
        );
        const behaviour = {
            targetOriginId: originId,
            viewerProtocolPolicy: "redirect-to-https",
            // A static site answers reads only; no CORS preflight reaches S3.
            allowedMethods: ["GET", "HEAD"],
            cachedMethods: ["GET", "HEAD"],
            compress: true,
            lambdaFunctionAssociations: edge,
            responseHeadersPolicyId: headersPolicy.id,
        };
        return new aws.cloudfront.Distribution(
            `${name}-distribution`,
            {
                comment: physicalName(args.stack, "site"),
                enabled: true,
                isIpv6Enabled: true,
                httpVersion: "http2and3",
                priceClass: args.priceClass,
                defaultRootObject: "index.html",
                aliases: args.domain?.names ?? [],
                webAclId: webAclArn,
                origins: [{ originId, domainName: bucket.bucketRegionalDomainName, originAccessControlId: oac.id }],
                defaultCacheBehavior: { ...behaviour, cachePolicyId: revalidate.id },
                orderedCacheBehaviors: HASHED_PREFIXES.map((prefix) => ({ ...behaviour, pathPattern: `/${prefix}*`, cachePolicyId: optimized.apply((p) => p.id!) })),
                customErrorResponses: spaErrorResponses(),
                loggingConfig: { bucket: logs.bucket.bucketDomainName, prefix: LOG_PREFIXES.cloudfront, includeCookies: false },
                restrictions: { geoRestriction: { restrictionType: "none" } },
                viewerCertificate: certificateArn
                    ? { acmCertificateArn: certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
                    : { cloudfrontDefaultCertificate: true },
            },
            { parent: this, dependsOn: [logs.acl] },
        );
    }

    /** A and AAAA aliases of every domain name to the distribution. */
    private createAliasRecords(name: string, domain: DomainConfig, zoneId: pulumi.Output<string>, distribution: aws.cloudfront.Distribution): void {
        domain.names.forEach((recordName, i) => {
            for (const type of ["A", "AAAA"]) {
                new aws.route53.Record(
                    `${name}-alias-${type.toLowerCase()}-${i}`,
                    {
                        zoneId,
                        name: recordName,
                        type,
                        aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
                    },
                    { parent: this },
                );
            }
        });
    }

    /** One object per build file (removed files are deleted with their resource), then an invalidation when unhashed content changed. */
    private uploadBuild(name: string, files: BuildFile[], bucket: aws.s3.Bucket, distribution: aws.cloudfront.Distribution): void {
        const objects = files.map(
            (f) =>
                new aws.s3.BucketObjectv2(
                    `${name}-file-${f.key}`,
                    { bucket: bucket.bucket, key: f.key, source: new pulumi.asset.FileAsset(f.file), contentType: f.contentType, cacheControl: f.cacheControl },
                    { parent: this },
                ),
        );
        new CdnInvalidation(`${name}-invalidation`, { distributionId: distribution.id, manifest: buildManifest(files) }, { parent: this, dependsOn: objects });
    }
}
