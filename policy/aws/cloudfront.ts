/** CloudFront and ACM controls (FSBP CloudFront.1-16, ACM.1-2). */
import { asArray, resourcePolicy } from "../framework";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const RECOMMENDED_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

const origins = (props: any): any[] => asArray(props.origins);
const isS3Origin = (o: any) => !o.customOriginConfig && (/\.s3[.-]/.test(String(o.domainName ?? "")) || !!o.originAccessControlId || !!o.s3OriginConfig);
const isFunctionUrl = (o: any) => /\.lambda-url\.[a-z0-9-]+\.on\.aws$/.test(String(o.domainName ?? ""));

export const cloudfrontPolicies = [
    resourcePolicy(
        {
            name: "cloudfront-1-default-root-object",
            control: "CloudFront.1",
            description: "CloudFront distributions should have a default root object configured",
            severity: "high",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "set defaultRootObject to index.html.",
        },
        ({ props }) => (origins(props).some(isS3Origin) && !props.defaultRootObject ? "The distribution has an S3 origin but no defaultRootObject." : undefined),
    ),
    resourcePolicy(
        {
            name: "cloudfront-3-encryption-in-transit",
            control: "CloudFront.3",
            description: "CloudFront distributions should require encryption in transit",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "set viewerProtocolPolicy to redirect-to-https or https-only on every cache behaviour.",
        },
        ({ props }) =>
            [props.defaultCacheBehavior, ...asArray(props.orderedCacheBehaviors)]
                .filter((b) => b && !["redirect-to-https", "https-only"].includes(b.viewerProtocolPolicy))
                .map((b) => `Cache behaviour ${b.pathPattern ?? "default"} allows ${b.viewerProtocolPolicy ?? "an unset viewer protocol policy"}.`),
    ),
    resourcePolicy(
        {
            name: "cloudfront-4-origin-failover",
            control: "CloudFront.4",
            description: "CloudFront distributions should have origin failover configured",
            severity: "low",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "add an origin group with two origins and failover status codes.",
        },
        ({ props }) =>
            asArray(props.originGroups).some((g: any) => asArray(g.members).length >= 2 && asArray(g.failoverCriteria?.statusCodes).length > 0)
                ? undefined
                : "The distribution has no origin group with two members.",
    ),
    resourcePolicy(
        {
            name: "cloudfront-5-logging",
            control: "CloudFront.5",
            description: "CloudFront distributions should have logging enabled",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "set loggingConfig.bucket to the access-log bucket.",
        },
        ({ props }) => (props.loggingConfig?.bucket ? undefined : "Standard logging (loggingConfig.bucket) is off."),
    ),
    resourcePolicy(
        {
            name: "cloudfront-6-waf",
            control: "CloudFront.6",
            description: "CloudFront distributions should have WAF enabled",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "enable cdn.waf in the stack config so the distribution gets a web ACL.",
        },
        ({ props }) => (props.webAclId ? undefined : "No WAF web ACL (webAclId) is associated."),
    ),
    resourcePolicy(
        {
            name: "cloudfront-7-custom-certificate",
            control: "CloudFront.7",
            description: "CloudFront distributions should use custom SSL/TLS certificates",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "configure cdn.domain so the distribution gets an ACM certificate.",
        },
        ({ props }) =>
            props.viewerCertificate?.acmCertificateArn || props.viewerCertificate?.iamCertificateId ? undefined : "The distribution uses the default CloudFront certificate.",
    ),
    resourcePolicy(
        {
            name: "cloudfront-8-sni",
            control: "CloudFront.8",
            description: "CloudFront distributions should use SNI to serve HTTPS requests",
            severity: "low",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "set viewerCertificate.sslSupportMethod to sni-only.",
        },
        ({ props }) => {
            const c = props.viewerCertificate ?? {};
            return (c.acmCertificateArn || c.iamCertificateId) && c.sslSupportMethod !== "sni-only" ? `sslSupportMethod is ${c.sslSupportMethod ?? "unset"}.` : undefined;
        },
    ),
    resourcePolicy(
        {
            name: "cloudfront-9-custom-origin-encryption",
            control: "CloudFront.9",
            description: "CloudFront distributions should encrypt traffic to custom origins",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "set originProtocolPolicy to https-only on custom origins.",
        },
        ({ props }) =>
            origins(props)
                .filter((o) => o.customOriginConfig)
                .filter(
                    (o) =>
                        o.customOriginConfig.originProtocolPolicy === "http-only" ||
                        (o.customOriginConfig.originProtocolPolicy === "match-viewer" && props.defaultCacheBehavior?.viewerProtocolPolicy === "allow-all"),
                )
                .map((o) => `Origin ${o.originId} is reached over plain HTTP.`),
    ),
    resourcePolicy(
        {
            name: "cloudfront-10-origin-ssl-protocols",
            control: "CloudFront.10",
            description: "CloudFront distributions should not use deprecated SSL protocols between edge locations and custom origins",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "set originSslProtocols to [TLSv1.2].",
        },
        ({ props }) =>
            origins(props)
                .filter((o) => asArray(o.customOriginConfig?.originSslProtocols).includes("SSLv3"))
                .map((o) => `Origin ${o.originId} allows SSLv3.`),
    ),
    resourcePolicy(
        {
            name: "cloudfront-12-existing-s3-origin",
            control: "CloudFront.12",
            description: "CloudFront distributions should not point to non-existent S3 origins",
            severity: "high",
            judge: "P",
            appliesTo: [DISTRIBUTION],
            remediation: "point the S3 origin at the bucketRegionalDomainName of a bucket this program creates.",
        },
        ({ props }) =>
            origins(props)
                .filter(isS3Origin)
                .filter((o) => !/^[a-z0-9.-]+\.s3\.[a-z0-9-]+\.amazonaws\.com$/.test(String(o.domainName ?? "")))
                .map((o) => `S3 origin ${o.originId} does not use a regional bucket domain (${o.domainName}).`),
    ),
    resourcePolicy(
        {
            name: "cloudfront-13-origin-access-control",
            control: "CloudFront.13",
            description: "CloudFront distributions should use origin access control",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "attach an OriginAccessControl (originAccessControlId) to every S3 origin; remove OAI.",
        },
        ({ props }) =>
            origins(props)
                .filter(isS3Origin)
                .filter((o) => !o.originAccessControlId || o.s3OriginConfig?.originAccessIdentity)
                .map((o) => `S3 origin ${o.originId} has no origin access control.`),
    ),
    resourcePolicy(
        {
            name: "cloudfront-15-tls-policy",
            control: "CloudFront.15",
            description: "CloudFront distributions should use the recommended TLS security policy",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "set viewerCertificate.minimumProtocolVersion to TLSv1.2_2021 or newer.",
        },
        ({ props }) => {
            const c = props.viewerCertificate ?? {};
            if (c.cloudfrontDefaultCertificate && !c.acmCertificateArn) {
                return undefined; // the default certificate has no configurable policy
            }
            return RECOMMENDED_TLS.includes(c.minimumProtocolVersion) ? undefined : `minimumProtocolVersion is ${c.minimumProtocolVersion ?? "unset (TLSv1)"}.`;
        },
    ),
    resourcePolicy(
        {
            name: "cloudfront-16-function-url-oac",
            control: "CloudFront.16",
            description: "CloudFront distributions should use origin access control for Lambda function URL origins",
            severity: "medium",
            judge: "S",
            appliesTo: [DISTRIBUTION],
            remediation: "attach a lambda-type OriginAccessControl to every function URL origin.",
        },
        ({ props }) =>
            origins(props)
                .filter((o) => isFunctionUrl(o) && !o.originAccessControlId)
                .map((o) => `Function URL origin ${o.originId} has no origin access control.`),
    ),
];

export const acmPolicies = [
    resourcePolicy(
        {
            name: "acm-1-dns-validated-renewal",
            control: "ACM.1",
            description: "Imported and ACM-issued certificates should be renewed after a specified time period",
            severity: "medium",
            judge: "P",
            appliesTo: ["aws:acm/certificate:Certificate"],
            remediation: "issue the certificate from ACM with validationMethod DNS (auto-renewed); never import one.",
        },
        ({ props }) =>
            props.certificateBody || props.privateKey
                ? "Imported certificates are never renewed by ACM."
                : props.validationMethod === "DNS"
                  ? undefined
                  : `validationMethod is ${props.validationMethod ?? "unset"}; only DNS validation renews unattended.`,
    ),
    resourcePolicy(
        {
            name: "acm-2-rsa-key-length",
            control: "ACM.2",
            description: "RSA certificates managed by ACM should use a key length of at least 2,048 bits",
            severity: "high",
            judge: "S",
            appliesTo: ["aws:acm/certificate:Certificate"],
            remediation: "leave keyAlgorithm unset or use RSA_2048 or stronger, or an EC key.",
        },
        ({ props }) =>
            props.keyAlgorithm === undefined || /^(RSA_(2048|3072|4096)|EC_)/.test(props.keyAlgorithm) ? undefined : `keyAlgorithm ${props.keyAlgorithm} is too weak.`,
    ),
];
