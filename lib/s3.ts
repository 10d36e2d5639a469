/**
 * Shared statements of the program's S3 bucket policies: TLS only (FSBP S3.5), and S3 server access
 * log delivery (FSBP S3.9) from one source bucket of this account into one prefix of its log bucket.
 */

/** Denies every request to the bucket or its objects over plain HTTP (FSBP S3.5). */
export function denyInsecureTransport(bucketArn: string): Record<string, unknown> {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/**
 * Lets the S3 logging service write access logs of `sourceBucketArn` (this account's only) under
 * `prefix` of the log bucket, the bucket's `targetPrefix`: AWS's recommended grant instead of ACLs.
 */
export function logDeliveryStatement(logBucketArn: string, sourceBucketArn: string, accountId: string, prefix: string): Record<string, unknown> {
    return {
        Sid: "S3ServerAccessLogDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${logBucketArn}/${prefix}*`,
        Condition: { ArnLike: { "aws:SourceArn": sourceBucketArn }, StringEquals: { "aws:SourceAccount": accountId } },
    };
}
