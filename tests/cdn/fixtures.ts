/** CloudFront origin-response events, shaped like the ones Lambda@Edge receives, and a stack's parsed config. */
import type { CloudFrontHeaders, CloudFrontResponseEvent } from "aws-lambda";
import { FlodramaConfig } from "../../config";
import { configFor } from "../../offline/stackConfig";

const STATUS_TEXT: Record<string, string> = { "200": "OK", "304": "Not Modified", "403": "Forbidden", "404": "Not Found" };

export function originResponseEvent(status: string, headers: CloudFrontHeaders, uri = "/index.html"): CloudFrontResponseEvent {
    return {
        Records: [
            {
                cf: {
                    config: { distributionDomainName: "d111111abcdef8.cloudfront.net", distributionId: "EDFDVBD6EXAMPLE", eventType: "origin-response", requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==" },
                    request: {
                        clientIp: "203.0.113.178",
                        headers: { host: [{ key: "Host", value: "flodrama-dev-site.s3.eu-west-3.amazonaws.com" }] },
                        method: "GET",
                        querystring: "",
                        uri,
                    },
                    response: { status, statusDescription: STATUS_TEXT[status] ?? "", headers },
                },
            },
        ],
    };
}

/** What S3 sends with index.html. */
export function s3HtmlHeaders(): CloudFrontHeaders {
    return {
        "content-type": [{ key: "Content-Type", value: "text/html; charset=utf-8" }],
        "cache-control": [{ key: "Cache-Control", value: "no-cache" }],
        etag: [{ key: "ETag", value: '"a1b2c3"' }],
        "last-modified": [{ key: "Last-Modified", value: "Tue, 24 Nov 2026 05:00:00 GMT" }],
        server: [{ key: "Server", value: "AmazonS3" }],
        "x-amz-version-id": [{ key: "x-amz-version-id", value: "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd" }],
    };
}

/** What S3 sends for a missing key (no ListBucket permission: 403; with it: 404). */
export function s3ErrorHeaders(): CloudFrontHeaders {
    return {
        "content-type": [{ key: "Content-Type", value: "application/xml" }],
        server: [{ key: "Server", value: "AmazonS3" }],
    };
}

/** A stack file's config, parsed and validated as index.ts does it (without running the program). */
export function stackConfig(stack: string): FlodramaConfig {
    return configFor(stack);
}
