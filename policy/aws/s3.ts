/** S3 controls (FSBP S3.1-13): judged per bucket from the bucket's companion resources, so stack policies. */
import { asArray, Res, stackPolicy, statementsOf } from "../framework";

const BUCKET = "aws:s3/bucket:Bucket";
const T = {
    bpa: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    logging: "aws:s3/bucketLogging:BucketLogging",
    account: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
};

/** The companion resources of a bucket: those whose `bucket` input names it. */
function companions(resources: Res[], bucket: Res, type: string): Res[] {
    const names = [bucket.props.bucket, bucket.props.id].filter(Boolean);
    return resources.filter((r) => r.type === type && names.includes(r.props.bucket));
}

const buckets = (resources: Res[]) => resources.filter((r) => r.type === BUCKET);
const isPublicPrincipal = (p: any) => p === "*" || p?.AWS === "*" || asArray(p?.AWS).includes("*");
const actionsOf = (s: any) => asArray(s.Action).map(String);
const matchesAny = (actions: string[], patterns: RegExp[]) => actions.some((a) => a === "*" || a === "s3:*" || patterns.some((p) => p.test(a)));

function bpaComplete(resources: Res[], bucket: Res): boolean {
    return companions(resources, bucket, T.bpa).some(
        (b) => b.props.blockPublicAcls === true && b.props.blockPublicPolicy === true && b.props.ignorePublicAcls === true && b.props.restrictPublicBuckets === true,
    );
}

function policyStatements(resources: Res[], bucket: Res): any[] {
    return companions(resources, bucket, T.policy).flatMap((p) => statementsOf(p.props.policy));
}

function publicGrant(resources: Res[], bucket: Res, patterns: RegExp[]): string | undefined {
    if (!bpaComplete(resources, bucket)) {
        return `Bucket ${bucket.name} lacks a complete public access block.`;
    }
    const open = policyStatements(resources, bucket).find((s) => s.Effect === "Allow" && isPublicPrincipal(s.Principal) && matchesAny(actionsOf(s), patterns));
    return open ? `Bucket ${bucket.name}'s policy grants ${actionsOf(open).join(", ")} to everyone.` : undefined;
}

function perBucket(resources: Res[], check: (b: Res) => string | undefined) {
    return buckets(resources).flatMap((b) => {
        const m = check(b);
        return m ? [{ message: m, urn: b.urn }] : [];
    });
}

/** Buckets that receive other buckets' or CloudFront's logs (AWS says to suppress S3.9 on them). */
function logTargets(resources: Res[]): Set<string> {
    const targets = new Set<string>();
    for (const l of resources.filter((r) => r.type === T.logging)) {
        targets.add(l.props.targetBucket);
    }
    for (const d of resources.filter((r) => r.type === "aws:cloudfront/distribution:Distribution")) {
        const b = String(d.props.loggingConfig?.bucket ?? "");
        targets.add(b.replace(/\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/, ""));
    }
    return targets;
}

export const s3Policies = [
    stackPolicy(
        {
            name: "s3-1-account-public-access-block",
            control: "S3.1",
            description: "S3 general purpose buckets should have block public access settings enabled (account level)",
            severity: "medium",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "enable S3 Block Public Access for the account (aws.s3.AccountPublicAccessBlock, all four settings).",
        },
        (resources) => {
            const account = resources.find((r) => r.type === T.account);
            const ok = account && ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => account.props[k] === true);
            const first = buckets(resources)[0];
            return ok ? [] : [{ message: "The stack does not set the account-level S3 Block Public Access.", urn: first?.urn }];
        },
    ),
    stackPolicy(
        {
            name: "s3-2-block-public-read",
            control: "S3.2",
            description: "S3 general purpose buckets should block public read access",
            severity: "critical",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "add a complete BucketPublicAccessBlock and grant reads only to service principals with a fixed SourceArn.",
        },
        (resources) => perBucket(resources, (b) => publicGrant(resources, b, [/^s3:Get/, /^s3:List/])),
    ),
    stackPolicy(
        {
            name: "s3-3-block-public-write",
            control: "S3.3",
            description: "S3 general purpose buckets should block public write access",
            severity: "critical",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "add a complete BucketPublicAccessBlock and never grant Put/Delete to everyone.",
        },
        (resources) => perBucket(resources, (b) => publicGrant(resources, b, [/^s3:Put/, /^s3:Delete/, /^s3:Restore/])),
    ),
    stackPolicy(
        {
            name: "s3-5-require-ssl",
            control: "S3.5",
            description: "S3 general purpose buckets should require requests to use SSL",
            severity: "medium",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "add a bucket policy statement denying s3:* on the bucket and its objects when aws:SecureTransport is false.",
        },
        (resources) =>
            perBucket(resources, (b) => {
                const deny = policyStatements(resources, b).find(
                    (s) =>
                        s.Effect === "Deny" &&
                        isPublicPrincipal(s.Principal) &&
                        actionsOf(s).includes("s3:*") &&
                        String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false" &&
                        asArray(s.Resource).length >= 2,
                );
                return deny ? undefined : `Bucket ${b.name} does not deny requests without TLS on the bucket and its objects.`;
            }),
    ),
    stackPolicy(
        {
            name: "s3-6-no-cross-account-admin",
            control: "S3.6",
            description: "S3 general purpose bucket policies should restrict access to other AWS accounts",
            severity: "high",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "do not grant DeleteBucketPolicy, PutBucketAcl, PutBucketPolicy, PutEncryptionConfiguration or PutObjectAcl to account principals.",
        },
        (resources) =>
            perBucket(resources, (b) => {
                const blocked = ["s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutObjectAcl"];
                const bad = policyStatements(resources, b).find(
                    (s) => s.Effect === "Allow" && s.Principal?.AWS && actionsOf(s).some((a) => a === "*" || a === "s3:*" || blocked.includes(a)),
                );
                return bad ? `Bucket ${b.name} grants bucket administration to account principals.` : undefined;
            }),
    ),
    stackPolicy(
        {
            name: "s3-8-block-public-access",
            control: "S3.8",
            description: "S3 general purpose buckets should block public access",
            severity: "high",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "add an aws.s3.BucketPublicAccessBlock with all four settings true.",
        },
        (resources) => perBucket(resources, (b) => (bpaComplete(resources, b) ? undefined : `Bucket ${b.name} lacks a complete public access block.`)),
    ),
    stackPolicy(
        {
            name: "s3-9-server-access-logging",
            control: "S3.9",
            description: "S3 general purpose buckets should have server access logging enabled",
            severity: "medium",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "add an aws.s3.BucketLogging to the stack's log bucket.",
        },
        (resources) => {
            const targets = logTargets(resources);
            return perBucket(resources, (b) =>
                targets.has(b.props.bucket) || companions(resources, b, T.logging).length > 0 ? undefined : `Bucket ${b.name} has no server access logging.`,
            );
        },
    ),
    stackPolicy(
        {
            name: "s3-12-no-acls",
            control: "S3.12",
            description: "ACLs should not be used to manage user access to S3 general purpose buckets",
            severity: "medium",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "add BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
        },
        (resources) =>
            perBucket(resources, (b) =>
                companions(resources, b, T.ownership).some((o) => o.props.rule?.objectOwnership === "BucketOwnerEnforced") ? undefined : `Bucket ${b.name} still allows ACLs.`,
            ),
    ),
    stackPolicy(
        {
            name: "s3-13-lifecycle",
            control: "S3.13",
            description: "S3 general purpose buckets should have Lifecycle configurations",
            severity: "low",
            judge: "S",
            appliesTo: [BUCKET],
            remediation: "add an aws.s3.BucketLifecycleConfiguration with at least one rule.",
        },
        (resources) =>
            perBucket(resources, (b) =>
                companions(resources, b, T.lifecycle).some((l) => asArray(l.props.rules).length > 0) ? undefined : `Bucket ${b.name} has no lifecycle rule.`,
            ),
    ),
];
