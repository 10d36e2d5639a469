/**
 * Controls that fail by design, each with its reason, in one place. A violation covered here is not
 * mandatory: the `documented-exceptions` advisory policy reports it instead, so none is silently
 * skipped. Keep each predicate as narrow as the reason.
 */
import { environmentOf, Res } from "./resource";

export interface PolicyException {
    /** Policy name, e.g. `cloudfront-6-waf`. */
    policy: string;
    reason: string;
    when: (r: Res) => boolean;
}

const inDev = (r: Res) => environmentOf(r) === "dev";
const always = () => true;
/**
 * The CloudFront log bucket of a CdnSite (components/cdn/cdnSite.ts names it `<site>-logs`), recognised by
 * its URN's type chain (`…flodrama:cdn:CdnSite$aws:s3/bucket:Bucket::<site>-logs`): no other bucket,
 * whatever its name, inherits the ACL exception.
 */
const cdnLogBucket = (r: Res) => r.type === "aws:s3/bucket:Bucket" && /(::|\$)flodrama:cdn:CdnSite\$aws:s3\/bucket:Bucket::[^:$]+-logs$/.test(r.urn);

export const EXCEPTIONS: PolicyException[] = [
    {
        policy: "cloudfront-4-origin-failover",
        reason: "the origin is one S3 bucket in the stack's region; failover needs a replica bucket in a second region, which is left to a second-region stack (docs/decisions.md#fsbp-exceptions)",
        when: always,
    },
    {
        policy: "cloudfront-6-waf",
        reason: "dev runs without WAF by config (cdn.waf.enabled: false) to avoid per-request charges; prod enables it",
        when: inDev,
    },
    {
        policy: "cloudfront-7-custom-certificate",
        reason: "dev has no domain and serves the CloudFront domain with CloudFront's certificate; prod uses an ACM certificate",
        when: inDev,
    },
    {
        policy: "eks-1-private-endpoint",
        reason: "dev keeps a public API endpoint, open to cluster.publicAccessCidrs, so operators can deploy from their machines (docs/decisions.md#deploy-path); the committed 0.0.0.0/0 is a placeholder to narrow to the operators' egress CIDRs, and every request still needs IAM authentication and an access entry; prod is private only",
        when: inDev,
    },
    ...["ec2-10-ec2-endpoint", "ec2-55-ecr-api-endpoint", "ec2-56-ecr-dkr-endpoint"].map((policy) => ({
        policy,
        reason: "dev sets network.interfaceEndpoints: false; its private nodes reach AWS APIs through the NAT gateway, which costs less at dev traffic",
        when: inDev,
    })),
    ...["ec2-57-ssm-endpoint", "ec2-58-ssm-contacts-endpoint", "ec2-60-ssm-incidents-endpoint"].map((policy) => ({
        policy,
        reason: "nodes are EKS managed node groups, not managed through Systems Manager or Incident Manager; these endpoints would carry no traffic",
        when: always,
    })),
    {
        policy: "s3-1-account-public-access-block",
        reason: "account-level Block Public Access belongs to the account's landing zone, not to a workload stack that may share the account; every bucket here has its own complete block (S3.8)",
        when: always,
    },
    {
        policy: "s3-12-no-acls",
        reason: "CloudFront standard logging (CloudFront.5) delivers through the bucket ACL, so the CloudFront log bucket keeps ACLs enabled (BucketOwnerPreferred, one grant to CloudFront's log-delivery account; the documented CloudFront.5 / S3.12 conflict)",
        when: cdnLogBucket,
    },
    {
        policy: "apigateway-8-route-authorization",
        reason: "public read-only routes are listed in api.publicRoutes (health, catalogue browsing); WebSocket connections are authorized once on $connect, and API Gateway runs no authorizer on $disconnect or $default",
        // Narrow on purpose: a read-only route that the API component created from api.publicRoutes (its
        // logical name says "-http-public-"), or the two WebSocket routes of that component's API.
        when: (r) =>
            (/-http-public-/.test(r.name) && /^(GET|HEAD) \//.test(String(r.props.routeKey))) ||
            (/-ws-route-/.test(r.name) && ["$disconnect", "$default"].includes(String(r.props.routeKey))),
    },
    {
        policy: "documentdb-5-deletion-protection",
        reason: "dev data is disposable (protectStatefulResources: false); prod enables deletion protection",
        when: inDev,
    },
];

export function exceptionFor(policy: string, r: Res): PolicyException | undefined {
    return EXCEPTIONS.find((e) => e.policy === policy && e.when(r));
}
