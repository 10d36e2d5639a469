/**
 * Hand-written expected values that several test files check the program's documents against (never
 * computed by the code under test).
 */

/** The TLS-only statement every bucket policy carries (FSBP S3.5), on `bucketArn` and its objects. */
export function expectedTlsOnlyStatement(bucketArn: string) {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}
