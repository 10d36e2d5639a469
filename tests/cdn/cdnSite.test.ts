/**
 * The CDN site: pure builders first, then what the wired program registers for every
 * stack file (bucket, logs, distribution, caching, SPA routing, edge association, domain, WAF,
 * metrics, outputs), then the frontend upload with a temporary build directory.
 */
import { strict as assert } from "assert";
import { expectedTlsOnlyStatement } from "../expectations";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    buildManifest,
    CACHE_CONTROL_IMMUTABLE,
    CACHE_CONTROL_REVALIDATE,
    isHashedAsset,
    listBuildFiles,
    logBucketPolicy,
    revalidateCachePolicy,
    siteBucketPolicy,
    spaErrorResponses,
    WAF_RATE_LIMITED_BODY,
    wafLogDeliveryPolicy,
    wafResponseBodies,
    wafRules,
} from "../../components/cdn/siteSpecs";
import { invalidationPaths, MAX_EXPLICIT_PATHS } from "../../components/cdn/cdnInvalidation";
import { ACCOUNT_ID, CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID } from "../../offline/mocks";
import { ProgramRun, RecordedResource, runProgram, simulate, stackNames, valueOf } from "../../offline/harness";
import { formatFinding, runPolicies } from "../../offline/policyRunner";
import { exceptionFor } from "../../policy/exceptions";
import { bundleForConfig, securityHeadersConfigFor } from "../../edge/bundle";
import { originResponseEvent, s3HtmlHeaders, stackConfig } from "./fixtures";
import { managedLoginOrigins } from "../../components/identity/identity";

/** The stack's CSP inputs, with identity's managed-login origins as index.ts passes them. */
const headersFor = (cfg: ReturnType<typeof stackConfig>) => securityHeadersConfigFor(cfg, managedLoginOrigins(cfg.identity.domainPrefix, cfg.region));

const T = {
    bucket: "aws:s3/bucket:Bucket",
    bpa: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    logging: "aws:s3/bucketLogging:BucketLogging",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    acl: "aws:s3/bucketAcl:BucketAcl",
    object: "aws:s3/bucketObjectv2:BucketObjectv2",
    distribution: "aws:cloudfront/distribution:Distribution",
    oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
    cachePolicy: "aws:cloudfront/cachePolicy:CachePolicy",
    metrics: "aws:cloudfront/monitoringSubscription:MonitoringSubscription",
    fn: "aws:lambda/function:Function",
    cert: "aws:acm/certificate:Certificate",
    certValidation: "aws:acm/certificateValidation:CertificateValidation",
    record: "aws:route53/record:Record",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    wafLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    invalidation: "pulumi-nodejs:dynamic/flodrama:CdnInvalidation",
};

/** A small React-like build in a temporary directory. */
function makeBuild(files: Record<string, string> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flodrama-build-"));
    const all: Record<string, string> = {
        "index.html": "<!doctype html><script type=module src=/assets/index-B1x2y3z4.js></script>",
        "assets/index-B1x2y3z4.js": "console.log('app')",
        "assets/index-C5d6e7f8.css": "body{margin:0}",
        "favicon.ico": "ico",
        "robots.txt": "User-agent: *",
        "manifest.webmanifest": "{}",
        "static/media/logo.4f3a2b1c.svg": "<svg/>",
        ".DS_Store": "junk",
        ...files,
    };
    for (const [key, content] of Object.entries(all)) {
        fs.mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
        fs.writeFileSync(path.join(dir, key), content);
    }
    return dir;
}

describe("cdn site: the S3.12 exception", () => {
    const bucket = (urn: string) => ({ type: T.bucket, name: urn.slice(urn.lastIndexOf("::") + 2), urn, props: {}, protect: false });

    it("covers a CdnSite's log bucket, nested or not", () => {
        for (const urn of [
            "urn:pulumi:dev::flodrama::flodrama:cdn:CdnSite$aws:s3/bucket:Bucket::site-logs",
            "urn:pulumi:prod::flodrama::my:index:Wrapper$flodrama:cdn:CdnSite$aws:s3/bucket:Bucket::other-site-logs",
        ]) {
            assert.ok(exceptionFor("s3-12-no-acls", bucket(urn)), urn);
        }
    });

    it("covers no other bucket, whatever its name", () => {
        for (const urn of [
            "urn:pulumi:dev::flodrama::flodrama:cdn:CdnSite$aws:s3/bucket:Bucket::site-bucket",
            "urn:pulumi:dev::flodrama::flodrama:data:DataTier$aws:s3/bucket:Bucket::catalog",
            "urn:pulumi:dev::flodrama::flodrama:monitoring:Monitoring$aws:s3/bucket:Bucket::monitoring-logs",
            "urn:pulumi:dev::flodrama::aws:s3/bucket:Bucket::access-logs",
        ]) {
            assert.equal(exceptionFor("s3-12-no-acls", bucket(urn)), undefined, urn);
        }
        const acl = { ...bucket("urn:pulumi:dev::flodrama::flodrama:cdn:CdnSite$aws:s3/bucketAcl:BucketAcl::site-logs"), type: T.acl };
        assert.equal(exceptionFor("s3-12-no-acls", acl), undefined, "buckets only");
    });
});

describe("cdn site: pure builders", () => {
    it("lets only this distribution read the site bucket, and nobody without TLS", () => {
        const doc = JSON.parse(siteBucketPolicy("arn:aws:s3:::site", "arn:aws:cloudfront::111122223333:distribution/E1"));
        assert.deepEqual(doc.Statement[0], {
            Sid: "AllowCloudFrontOacRead",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::site/*",
            Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1" } },
        });
        assert.deepEqual(doc.Statement[1], expectedTlsOnlyStatement("arn:aws:s3:::site"));
        assert.equal(doc.Statement.length, 2);
    });

    it("lets S3 deliver the site bucket's access logs, and nothing else, into the log bucket", () => {
        const doc = JSON.parse(logBucketPolicy("arn:aws:s3:::logs", "arn:aws:s3:::site", "111122223333"));
        const allow = doc.Statement[0];
        assert.deepEqual(allow.Principal, { Service: "logging.s3.amazonaws.com" });
        assert.equal(allow.Action, "s3:PutObject");
        assert.equal(allow.Resource, "arn:aws:s3:::logs/s3-access/site/*");
        assert.deepEqual(allow.Condition, { ArnLike: { "aws:SourceArn": "arn:aws:s3:::site" }, StringEquals: { "aws:SourceAccount": "111122223333" } });
        assert.equal(doc.Statement[1].Sid, "DenyInsecureTransport");
    });

    it("revalidates documents: no TTL of its own, nothing but the path in the cache key", () => {
        const p = revalidateCachePolicy("x");
        assert.equal(p.minTtl, 0);
        assert.equal(p.defaultTtl, 0);
        const params = p.parametersInCacheKeyAndForwardedToOrigin as any;
        assert.deepEqual(params.cookiesConfig, { cookieBehavior: "none" });
        assert.deepEqual(params.queryStringsConfig, { queryStringBehavior: "none" });
        assert.deepEqual(params.headersConfig, { headerBehavior: "none" });
        assert.equal(params.enableAcceptEncodingBrotli, true);
    });

    it("answers S3's 403 and 404 with the app and a short error TTL", () => {
        assert.deepEqual(spaErrorResponses(), [
            { errorCode: 403, responseCode: 200, responsePagePath: "/index.html", errorCachingMinTtl: 10 },
            { errorCode: 404, responseCode: 200, responsePagePath: "/index.html", errorCachingMinTtl: 10 },
        ]);
    });

    it("orders the WAF rules: IP reputation, rate limit, common rules, known bad inputs", () => {
        const rules = wafRules("acl", 1234);
        assert.deepEqual(
            rules.map((r) => [r.priority, r.name]),
            [
                [0, "AWS-AWSManagedRulesAmazonIpReputationList"],
                [1, "rate-limit-per-ip"],
                [2, "AWS-AWSManagedRulesCommonRuleSet"],
                [3, "AWS-AWSManagedRulesKnownBadInputsRuleSet"],
            ],
        );
        const rate = rules[1] as any;
        assert.deepEqual(rate.statement.rateBasedStatement, { limit: 1234, aggregateKeyType: "IP", evaluationWindowSec: 300 });
        // Its own 429: a bare 403 would meet SPA routing and come back as index.html with 200.
        assert.deepEqual(rate.action, { block: { customResponse: { responseCode: 429, customResponseBodyKey: WAF_RATE_LIMITED_BODY } } });
        assert.deepEqual(
            wafResponseBodies().map((b) => b.key),
            [WAF_RATE_LIMITED_BODY],
        );
        for (const r of rules as any[]) {
            assert.equal(r.visibilityConfig.cloudwatchMetricsEnabled, true);
            assert.match(r.visibilityConfig.metricName, /^[A-Za-z0-9_-]{1,128}$/);
            if (r.statement.managedRuleGroupStatement) {
                assert.deepEqual(r.overrideAction, { none: {} }, "managed groups keep their own block actions");
            }
        }
    });

    it("lets WAF's log delivery write only to its log group, for this account", () => {
        const s = JSON.parse(wafLogDeliveryPolicy("arn:aws:logs:us-east-1:111122223333:log-group:aws-waf-logs-x", "111122223333")).Statement[0];
        assert.deepEqual(s.Principal, { Service: "delivery.logs.amazonaws.com" });
        assert.equal(s.Resource, "arn:aws:logs:us-east-1:111122223333:log-group:aws-waf-logs-x:*");
        assert.equal(s.Condition.StringEquals["aws:SourceAccount"], "111122223333");
    });

    it("lists a build with content types and cache-control: hashed assets for a year, the rest revalidated", () => {
        const dir = makeBuild();
        const files = listBuildFiles(dir);
        const byKey = new Map(files.map((f) => [f.key, f]));
        assert.deepEqual(
            files.map((f) => f.key).sort(),
            ["assets/index-B1x2y3z4.js", "assets/index-C5d6e7f8.css", "favicon.ico", "index.html", "manifest.webmanifest", "robots.txt", "static/media/logo.4f3a2b1c.svg"],
            ".DS_Store is skipped",
        );
        assert.equal(byKey.get("index.html")!.contentType, "text/html; charset=utf-8");
        assert.equal(byKey.get("index.html")!.cacheControl, "no-cache");
        assert.equal(byKey.get("assets/index-B1x2y3z4.js")!.contentType, "text/javascript; charset=utf-8");
        assert.equal(byKey.get("assets/index-B1x2y3z4.js")!.cacheControl, "public, max-age=31536000, immutable");
        assert.equal(byKey.get("assets/index-C5d6e7f8.css")!.contentType, "text/css; charset=utf-8");
        assert.equal(byKey.get("static/media/logo.4f3a2b1c.svg")!.contentType, "image/svg+xml");
        assert.equal(byKey.get("static/media/logo.4f3a2b1c.svg")!.cacheControl, CACHE_CONTROL_IMMUTABLE);
        assert.equal(byKey.get("manifest.webmanifest")!.contentType, "application/manifest+json; charset=utf-8");
        assert.equal(byKey.get("robots.txt")!.cacheControl, CACHE_CONTROL_REVALIDATE);
        assert.match(byKey.get("index.html")!.sha256, /^[0-9a-f]{64}$/);
        assert.ok(isHashedAsset("assets/x.js") && isHashedAsset("static/js/main.1a2b.js") && !isHashedAsset("index.html") && !isHashedAsset("img/assets/x.png"));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses a build without index.html", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flodrama-empty-"));
        assert.throws(() => listBuildFiles(dir), /frontend\.buildDir .* has no index\.html/);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("watches only unhashed files for invalidation", () => {
        const dir = makeBuild();
        const manifest = buildManifest(listBuildFiles(dir));
        assert.deepEqual(Object.keys(manifest).sort(), ["favicon.ico", "index.html", "manifest.webmanifest", "robots.txt"]);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("invalidates what changed: everything at first, then changed and removed paths, / with index.html, /* past the limit", () => {
        assert.deepEqual(invalidationPaths(undefined, { "index.html": "a" }), ["/*"]);
        assert.deepEqual(invalidationPaths({ "index.html": "a", "robots.txt": "r" }, { "index.html": "a", "robots.txt": "r" }), []);
        assert.deepEqual(invalidationPaths({ "index.html": "a", "robots.txt": "r" }, { "index.html": "b", "robots.txt": "r" }), ["/", "/index.html"]);
        assert.deepEqual(invalidationPaths({ "index.html": "a", "old.txt": "o" }, { "index.html": "a", "new file.txt": "n" }), ["/new%20file.txt", "/old.txt"]);
        const many = Object.fromEntries(Array.from({ length: MAX_EXPLICIT_PATHS + 1 }, (_, i) => [`page-${i}.html`, "x"]));
        assert.deepEqual(invalidationPaths({}, many), ["/*"]);
    });
});

for (const stack of stackNames()) {
    describe(`cdn site on stack ${stack}`, () => {
        let run: ProgramRun;
        let cdn: { priceClass: string; domain?: { names: string[]; hostedZone: string }; waf: { enabled: boolean; rateLimitPer5Minutes: number } };
        let protect: boolean;
        let retention: number;
        const site = () => run.one("flodrama:cdn:CdnSite", "site");
        const ofSite = (type: string) => run.descendants(site().urn).filter((r) => r.type === type);
        const oneOfSite = (type: string, name?: string) => {
            const found = ofSite(type).filter((r) => name === undefined || r.name === name);
            assert.equal(found.length, 1, `${type} ${name ?? ""}: ${found.map((r) => r.name).join(", ")}`);
            return found[0];
        };
        const regionOf = (r: RecordedResource) => run.providerOf(r)?.inputs.region;
        const companion = (type: string, bucket: RecordedResource) => ofSite(type).filter((r) => r.inputs.bucket === bucket.state.bucket);

        before(async () => {
            run = await runProgram(stack);
            cdn = JSON.parse(run.config["flodrama:cdn"]);
            protect = JSON.parse(run.config["flodrama:protectStatefulResources"]);
            retention = Number(run.config["flodrama:logRetentionDays"]);
        });

        it("creates the site and log buckets with global, account-scoped names, protected as the stack says", () => {
            const bucket = oneOfSite(T.bucket, "site-bucket");
            const logs = oneOfSite(T.bucket, "site-logs");
            assert.equal(bucket.inputs.bucket, `flodrama-${stack}-site-${ACCOUNT_ID}`);
            assert.equal(logs.inputs.bucket, `flodrama-${stack}-site-logs-${ACCOUNT_ID}`);
            for (const b of [bucket, logs]) {
                assert.equal(b.protect, protect, `${b.name} protect`);
                assert.equal(b.inputs.forceDestroy, !protect, `${b.name} forceDestroy only when unprotected`);
                assert.equal(regionOf(b), run.config["aws:region"], "the stack's region, not us-east-1");
            }
        });

        it("blocks public access on all four settings and encrypts both buckets", () => {
            for (const name of ["site-bucket", "site-logs"]) {
                const b = oneOfSite(T.bucket, name);
                const [bpa] = companion(T.bpa, b);
                assert.deepEqual(
                    [bpa.inputs.blockPublicAcls, bpa.inputs.blockPublicPolicy, bpa.inputs.ignorePublicAcls, bpa.inputs.restrictPublicBuckets],
                    [true, true, true, true],
                    name,
                );
                const [sse] = companion(T.sse, b);
                assert.equal(sse.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
                assert.ok(companion(T.lifecycle, b)[0].inputs.rules.length >= 1, `${name} lifecycle`);
            }
        });

        it("versions the site bucket, enforces object ownership and expires old versions", () => {
            const b = oneOfSite(T.bucket, "site-bucket");
            assert.equal(companion(T.versioning, b)[0].inputs.versioningConfiguration.status, "Enabled");
            assert.equal(companion(T.ownership, b)[0].inputs.rule.objectOwnership, "BucketOwnerEnforced");
            const rules = companion(T.lifecycle, b)[0].inputs.rules;
            assert.deepEqual(rules[0].noncurrentVersionExpiration, { noncurrentDays: 30 });
            assert.deepEqual(rules[0].abortIncompleteMultipartUpload, { daysAfterInitiation: 7 });
            assert.equal(rules[1].expiration.expiredObjectDeleteMarker, true);
        });

        it("logs the site bucket's S3 access into the log bucket, which expires logs after the stack's retention", () => {
            const b = oneOfSite(T.bucket, "site-bucket");
            const logs = oneOfSite(T.bucket, "site-logs");
            const [logging] = companion(T.logging, b);
            assert.equal(logging.inputs.targetBucket, logs.state.bucket);
            assert.equal(logging.inputs.targetPrefix, "s3-access/site/");
            const rule = companion(T.lifecycle, logs)[0].inputs.rules[0];
            assert.deepEqual(rule.expiration, { days: retention });
            const policy = JSON.parse(companion(T.policy, logs)[0].inputs.policy);
            assert.equal(policy.Statement[0].Condition.ArnLike["aws:SourceArn"], b.state.arn);
            assert.equal(policy.Statement[1].Sid, "DenyInsecureTransport");
        });

        it("keeps ACLs on the log bucket only, with one grant to CloudFront's log delivery", () => {
            const logs = oneOfSite(T.bucket, "site-logs");
            assert.equal(companion(T.ownership, logs)[0].inputs.rule.objectOwnership, "BucketOwnerPreferred");
            const [acl] = companion(T.acl, logs);
            const grantees = acl.inputs.accessControlPolicy.grants.map((g: any) => [g.grantee.id, g.permission]);
            assert.deepEqual(grantees[1], [CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID, "FULL_CONTROL"]);
            assert.equal(grantees[0][0], acl.inputs.accessControlPolicy.owner.id, "the owner keeps full control");
            assert.equal(ofSite(T.acl).length, 1, "no ACL on the site bucket");
        });

        it("excepts the CloudFront log bucket, and only it, from S3.12 (ACLs)", () => {
            const findings = runPolicies(run).excepted.filter((f) => f.policy === "s3-12-no-acls");
            assert.deepEqual(
                findings.map((f) => f.urn),
                [oneOfSite(T.bucket, "site-logs").urn],
            );
        });

        it("lets only this distribution read the site bucket (OAC with its SourceArn), and denies non-TLS access", () => {
            const b = oneOfSite(T.bucket, "site-bucket");
            const d = oneOfSite(T.distribution);
            const doc = JSON.parse(companion(T.policy, b)[0].inputs.policy);
            assert.equal(doc.Statement[0].Principal.Service, "cloudfront.amazonaws.com");
            assert.deepEqual(doc.Statement[0].Condition, { StringEquals: { "AWS:SourceArn": d.state.arn } });
            assert.equal(doc.Statement[0].Resource, `${b.state.arn}/*`);
            assert.deepEqual(doc.Statement[1].Condition, { Bool: { "aws:SecureTransport": "false" } });
        });

        it("reaches S3 through Origin Access Control (no legacy OAI), on the bucket's regional endpoint", () => {
            const d = oneOfSite(T.distribution).inputs;
            const oac = oneOfSite(T.oac);
            assert.deepEqual([oac.inputs.originAccessControlOriginType, oac.inputs.signingBehavior, oac.inputs.signingProtocol], ["s3", "always", "sigv4"]);
            assert.equal(d.origins.length, 1);
            assert.equal(d.origins[0].originAccessControlId, `${oac.name}-id`);
            assert.equal(d.origins[0].s3OriginConfig, undefined);
            assert.equal(d.origins[0].domainName, oneOfSite(T.bucket, "site-bucket").state.bucketRegionalDomainName);
        });

        it("serves HTTPS only over HTTP/2 and HTTP/3 and IPv6, compressed, with the configured price class", () => {
            const d = oneOfSite(T.distribution).inputs;
            assert.equal(d.enabled, true);
            assert.equal(d.defaultRootObject, "index.html");
            assert.equal(d.httpVersion, "http2and3");
            assert.equal(d.isIpv6Enabled, true);
            assert.equal(d.priceClass, cdn.priceClass);
            for (const b of [d.defaultCacheBehavior, ...d.orderedCacheBehaviors]) {
                assert.equal(b.viewerProtocolPolicy, "redirect-to-https");
                assert.equal(b.compress, true);
                assert.equal(b.forwardedValues, undefined, "cache policies, not legacy forwarded values");
                assert.equal(b.originRequestPolicyId, undefined, "nothing but the path reaches S3");
                assert.deepEqual(b.allowedMethods, ["GET", "HEAD"]);
                assert.deepEqual(b.cachedMethods, ["GET", "HEAD"]);
            }
        });

        it("caches hashed assets for a year and revalidates everything else, without cookies or query strings", () => {
            const d = oneOfSite(T.distribution).inputs;
            const revalidate = oneOfSite(T.cachePolicy, "site-revalidate");
            assert.equal(d.defaultCacheBehavior.cachePolicyId, "site-revalidate-id");
            assert.equal(revalidate.inputs.defaultTtl, 0);
            assert.equal(revalidate.inputs.parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookieBehavior, "none");
            assert.equal(revalidate.inputs.parametersInCacheKeyAndForwardedToOrigin.queryStringsConfig.queryStringBehavior, "none");
            assert.deepEqual(
                d.orderedCacheBehaviors.map((b: any) => [b.pathPattern, b.cachePolicyId]),
                [
                    ["/assets/*", "cache-policy-Managed-CachingOptimized"],
                    ["/static/*", "cache-policy-Managed-CachingOptimized"],
                ],
            );
        });

        it("routes the SPA: S3's 403 and 404 become /index.html with 200 and a short error TTL", () => {
            const d = oneOfSite(T.distribution).inputs;
            assert.deepEqual(
                d.customErrorResponses.map((e: any) => [e.errorCode, e.responseCode, e.responsePagePath, e.errorCachingMinTtl]),
                [
                    [403, 200, "/index.html", 10],
                    [404, 200, "/index.html", 10],
                ],
            );
        });

        it("attaches the us-east-1 edge function by its numbered ARN, on origin-response, on every behaviour", () => {
            const d = oneOfSite(T.distribution).inputs;
            const fn = oneOfSite(T.fn);
            assert.equal(regionOf(fn), "us-east-1");
            assert.equal(fn.inputs.publish, true);
            for (const b of [d.defaultCacheBehavior, ...d.orderedCacheBehaviors]) {
                assert.equal(b.lambdaFunctionAssociations.length, 1, b.pathPattern ?? "default");
                const a = b.lambdaFunctionAssociations[0];
                assert.equal(a.eventType, "origin-response");
                assert.equal(a.lambdaArn, fn.state.qualifiedArn);
                assert.match(a.lambdaArn, /^arn:aws:lambda:us-east-1:\d{12}:function:flodrama-[a-z]+-security-headers:\d+$/);
                assert.equal(a.includeBody, false);
            }
        });

        it("deploys the security headers bundled from this stack's config (its CSP origins baked in)", async () => {
            const assets = await oneOfSite(T.fn).inputs.code.assets;
            const expected = bundleForConfig(headersFor(stackConfig(stack))).code;
            assert.equal(await assets["index.js"].text, expected);
        });

        it("lets the SPA reach every Cognito managed-login domain the stack creates (viewer and admin)", async () => {
            const assets = await oneOfSite(T.fn).inputs.code.assets;
            const mod = { exports: {} as any };
            new Function("module", "exports", await assets["index.js"].text)(mod, mod.exports);
            const response = await mod.exports.handler(originResponseEvent("200", s3HtmlHeaders()));
            const csp = new Map<string, string[]>(
                response.headers["content-security-policy"][0].value.split("; ").map((d: string) => {
                    const [k, ...v] = d.split(" ");
                    return [k, v];
                }),
            );
            const domains = run.ofType("aws:cognito/userPoolDomain:UserPoolDomain");
            assert.ok(domains.length >= 2, "viewer and admin pools");
            for (const d of domains) {
                const origin = `https://${d.inputs.domain}.auth.${run.config["aws:region"]}.amazoncognito.com`;
                assert.ok(csp.get("connect-src")!.includes(origin), `connect-src allows ${origin}`);
                assert.ok(csp.get("form-action")!.includes(origin), `form-action allows ${origin}`);
            }
        });

        it("writes standard access logs to the log bucket, once CloudFront may write there", () => {
            const d = oneOfSite(T.distribution);
            const logs = oneOfSite(T.bucket, "site-logs");
            assert.equal(d.inputs.loggingConfig.bucket, logs.state.bucketDomainName);
            assert.equal(d.inputs.loggingConfig.prefix, "cloudfront/");
            assert.equal(d.inputs.loggingConfig.includeCookies, false);
            assert.ok(d.dependencies.includes(oneOfSite(T.acl).urn), "created after the log-delivery grant");
        });

        it("subscribes to CloudFront's additional metrics (origin latency for the alarms)", () => {
            const m = oneOfSite(T.metrics).inputs;
            assert.equal(m.distributionId, "site-distribution-id");
            assert.equal(m.monitoringSubscription.realtimeMetricsSubscriptionConfig.realtimeMetricsSubscriptionStatus, "Enabled");
        });

        it(`${stack === "prod" ? "uses the configured domain with an ACM certificate from us-east-1" : "uses the CloudFront domain and certificate"}`, () => {
            const d = oneOfSite(T.distribution).inputs;
            if (!cdn.domain) {
                assert.equal(stack, "dev");
                assert.deepEqual(d.aliases, []);
                assert.deepEqual(d.viewerCertificate, { cloudfrontDefaultCertificate: true });
                assert.equal(ofSite(T.cert).length + ofSite(T.record).length, 0);
                return;
            }
            assert.equal(stack, "prod");
            const cert = oneOfSite(T.cert);
            const validation = oneOfSite(T.certValidation);
            assert.equal(regionOf(cert), "us-east-1");
            assert.equal(regionOf(validation), "us-east-1");
            assert.equal(cert.inputs.domainName, cdn.domain.names[0]);
            assert.deepEqual(cert.inputs.subjectAlternativeNames, cdn.domain.names.slice(1));
            assert.equal(cert.inputs.validationMethod, "DNS");
            assert.deepEqual(d.aliases, cdn.domain.names);
            assert.deepEqual(d.viewerCertificate, { acmCertificateArn: cert.state.arn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
            const zoneId = `Z${cdn.domain.hostedZone.replace(/[^A-Za-z0-9]/g, "").toUpperCase()}`;
            const validationRecords = ofSite(T.record).filter((r) => r.name.includes("certificate-validation"));
            assert.equal(validationRecords.length, cdn.domain.names.length);
            for (const r of validationRecords) {
                assert.equal(r.inputs.zoneId, zoneId);
                assert.equal(r.inputs.type, "CNAME");
            }
            assert.deepEqual(validation.inputs.validationRecordFqdns.sort(), validationRecords.map((r) => r.inputs.name).sort());
            const aliases = ofSite(T.record).filter((r) => r.name.includes("-alias-"));
            assert.deepEqual(aliases.map((r) => `${r.inputs.type} ${r.inputs.name}`).sort(), cdn.domain.names.flatMap((n) => [`A ${n}`, `AAAA ${n}`]).sort());
            for (const r of aliases) {
                assert.equal(r.inputs.zoneId, zoneId);
                assert.deepEqual(r.inputs.aliases, [{ name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }]);
            }
        });

        it(`${stack === "prod" ? "protects" : "does not protect"} the distribution with a WAF web ACL per the config`, () => {
            const d = oneOfSite(T.distribution).inputs;
            if (!cdn.waf.enabled) {
                assert.equal(stack, "dev");
                assert.equal(d.webAclId, undefined);
                assert.equal(ofSite(T.webAcl).length, 0);
                return;
            }
            assert.equal(stack, "prod");
            const acl = oneOfSite(T.webAcl);
            assert.equal(regionOf(acl), "us-east-1");
            assert.equal(acl.inputs.scope, "CLOUDFRONT");
            assert.deepEqual(acl.inputs.defaultAction, { allow: {} });
            assert.equal(d.webAclId, acl.state.arn);
            const managed = acl.inputs.rules.filter((r: any) => r.statement.managedRuleGroupStatement).map((r: any) => r.statement.managedRuleGroupStatement.name);
            assert.deepEqual(managed.sort(), ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]);
            const rate = acl.inputs.rules.find((r: any) => r.statement.rateBasedStatement);
            assert.equal(rate.statement.rateBasedStatement.limit, cdn.waf.rateLimitPer5Minutes);
            assert.equal(rate.action.block.customResponse.responseCode, 429, "throttling answered by WAF, not by SPA routing");
            assert.ok(
                acl.inputs.customResponseBodies.some((b: any) => b.key === rate.action.block.customResponse.customResponseBodyKey),
                "the response body it names is defined on the web ACL",
            );
            assert.equal(acl.inputs.visibilityConfig.cloudwatchMetricsEnabled, true);
            const logging = oneOfSite(T.wafLogging);
            assert.equal(regionOf(logging), "us-east-1");
            assert.equal(logging.inputs.resourceArn, acl.state.arn);
            const group = run.resources.find((r) => r.state.arn === logging.inputs.logDestinationConfigs[0])!;
            assert.match(group.inputs.name, /^aws-waf-logs-/);
            assert.equal(group.inputs.retentionInDays, retention);
            assert.equal(logging.inputs.loggingFilter.defaultBehavior, "DROP");
        });

        it("uploads nothing when frontend.buildDir is not set", () => {
            assert.equal(run.config["flodrama:frontend"], "{}");
            assert.equal(run.ofType(T.object).length, 0);
            assert.equal(run.ofType(T.invalidation).length, 0);
        });

        it("exports the site URL, distribution id and domain, and bucket name", () => {
            const expectedUrl = cdn.domain ? `https://${cdn.domain.names[0]}` : "https://d111111abcdef8.cloudfront.net";
            assert.equal(run.outputs.siteUrl, expectedUrl);
            assert.equal(run.outputs.distributionId, "site-distribution-id");
            assert.equal(run.outputs.distributionDomainName, "d111111abcdef8.cloudfront.net");
            assert.equal(run.outputs.siteBucketName, `flodrama-${stack}-site-${ACCOUNT_ID}`);
        });
    });
}

describe("cdn site: frontend upload (dev stack with frontend.buildDir set)", () => {
    let dir: string;
    let run: ProgramRun;

    before(async () => {
        dir = makeBuild();
        // The site alone, configured as index.ts configures dev's: the upload concerns no other component.
        const { resources, config, invokes } = await simulate("dev", () => {
            const { loadConfig } = require("../../config");
            const { createAwsProviders } = require("../../lib/providers");
            const { CdnSite } = require("../../components/cdn/cdnSite");
            const cfg = loadConfig();
            const providers = createAwsProviders(cfg);
            return new CdnSite(
                "site",
                {
                    stack: cfg.stack,
                    priceClass: cfg.cdn.priceClass,
                    domain: cfg.cdn.domain,
                    waf: cfg.cdn.waf,
                    buildDir: dir,
                    securityHeaders: headersFor(cfg),
                    logRetentionDays: cfg.logRetentionDays,
                    protect: cfg.protect,
                    usEast1: providers.usEast1,
                },
                { provider: providers.aws },
            );
        });
        run = new ProgramRun("dev", resources, {}, [], config, invokes);
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("uploads every file of the build once, with its Content-Type and Cache-Control", () => {
        const objects = run.ofType(T.object);
        const expected = listBuildFiles(dir);
        assert.deepEqual(objects.map((o) => o.inputs.key).sort(), expected.map((f) => f.key).sort());
        for (const f of expected) {
            const o = objects.find((x) => x.inputs.key === f.key)!;
            assert.equal(o.inputs.bucket, `flodrama-dev-site-${ACCOUNT_ID}`);
            assert.equal(o.inputs.contentType, f.contentType, f.key);
            assert.equal(o.inputs.cacheControl, f.cacheControl, f.key);
            assert.equal(o.name, `site-file-${f.key}`);
            assert.equal(run.byUrn(o.parent!)!.type, "flodrama:cdn:CdnSite");
        }
        const index = objects.find((o) => o.inputs.key === "index.html")!;
        assert.equal(index.inputs.cacheControl, "no-cache");
        assert.equal(objects.find((o) => o.inputs.key === "assets/index-B1x2y3z4.js")!.inputs.cacheControl, "public, max-age=31536000, immutable");
    });

    it("invalidates the distribution after the upload, keyed on the unhashed files' content", () => {
        const inv = run.ofType(T.invalidation);
        assert.equal(inv.length, 1);
        assert.equal(inv[0].inputs.distributionId, "site-distribution-id");
        assert.equal(inv[0].inputs.region, "us-east-1");
        assert.deepEqual(inv[0].inputs.manifest, buildManifest(listBuildFiles(dir)));
        for (const o of run.ofType(T.object)) {
            assert.ok(inv[0].dependencies.includes(o.urn), `waits for ${o.name}`);
        }
    });

    it("keeps the policy pack green with the upload", () => {
        const report = runPolicies(run);
        assert.equal(report.violations.length, 0, report.violations.map(formatFinding).join("\n"));
    });
});

describe("cdn site: a us-east-1 provider elsewhere fails before anything exists in the wrong region", () => {
    let resources: RecordedResource[];
    let site: any;

    before(async () => {
        ({ resources } = await simulate("prod", () => {
            const aws = require("@pulumi/aws");
            const { CdnSite } = require("../../components/cdn/cdnSite");
            site = new CdnSite(
                "guard",
                {
                    stack: "prod",
                    priceClass: "PriceClass_100",
                    domain: { names: ["flodrama.com"], hostedZone: "flodrama.com" },
                    waf: { enabled: true, rateLimitPer5Minutes: 2000 },
                    securityHeaders: { connectSources: [], siteSources: [], formActions: [] },
                    logRetentionDays: 30,
                    protect: false,
                    usEast1: new aws.Provider("guard-not-us-east-1", { region: "eu-west-3" }),
                },
                { provider: new aws.Provider("guard-default", { region: "eu-west-3" }) },
            );
        }));
    });

    it("creates no certificate, web ACL, edge function or us-east-1 log group", () => {
        for (const type of [T.cert, T.webAcl, T.fn, "aws:cloudwatch/logGroup:LogGroup"]) {
            assert.deepEqual(resources.filter((r) => r.type === type).map((r) => r.name), [], type);
        }
    });

    it("says which resource needed us-east-1", async () => {
        await assert.rejects(valueOf(site.certificateArn), /guard: the CloudFront certificate must be created through a us-east-1 provider, got eu-west-3/);
        await assert.rejects(valueOf(site.webAclArn), /guard: the CLOUDFRONT-scope web ACL must be created through a us-east-1 provider/);
        await assert.rejects(valueOf(site.edgeFunctionQualifiedArn), /EdgeFunction guard-security-headers must be created through a us-east-1 provider/);
    });
});
