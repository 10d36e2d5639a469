/**
 * An ACM certificate validated by DNS in Route 53, so ACM renews it unattended: the certificate, one
 * validation record per name, and the validation that waits for them. Used by the CDN site (us-east-1,
 * several names) and the API's custom domains (regional, one name). A function, not a component: the
 * resources stay children of the caller, under the logical names the caller gives, so moving a caller
 * onto it changes no URN.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DnsValidatedCertificateArgs {
    /** The certificate's domain name. */
    name: string;
    /** Alternative names; left out of the certificate's inputs when undefined (an empty list is kept as given). */
    subjectAlternativeNames?: string[];
    /** Hosted zone of the validation records. */
    zoneId: pulumi.Input<string>;
    /** Domain name as an Input when the caller checks something first (default `name`). */
    domainName?: pulumi.Input<string>;
    tags?: Record<string, string>;
    /** Logical names of the certificate, of the validation record of the i-th name (domain name first), and of the validation. */
    logicalNames: { certificate: string; record: (index: number) => string; validation: string };
}

export interface DnsValidatedCertificateOptions {
    /** Options of the certificate and its validation (their parent and, for CloudFront, the us-east-1 provider). */
    certificate: pulumi.CustomResourceOptions;
    /** Options of the Route 53 records (Route 53 is global: the parent's provider). */
    record: pulumi.CustomResourceOptions;
}

/** Returns the validated certificate's ARN: known only once ACM has issued it, so users wait for it. */
export function dnsValidatedCertificate(args: DnsValidatedCertificateArgs, opts: DnsValidatedCertificateOptions): pulumi.Output<string> {
    const n = args.logicalNames;
    const names = [args.name, ...(args.subjectAlternativeNames ?? [])];
    const cert = new aws.acm.Certificate(
        n.certificate,
        {
            domainName: args.domainName ?? args.name,
            ...(args.subjectAlternativeNames ? { subjectAlternativeNames: args.subjectAlternativeNames } : {}),
            validationMethod: "DNS",
            keyAlgorithm: "RSA_2048",
            ...(args.tags ? { tags: args.tags } : {}),
        },
        opts.certificate,
    );
    const records = names.map((domainName, i) => {
        const option = cert.domainValidationOptions.apply((all) => {
            const o = all.find((x) => x.domainName === domainName);
            if (!o) {
                throw new pulumi.ResourceError(`ACM returned no validation record for ${domainName}`, cert);
            }
            return o;
        });
        return new aws.route53.Record(
            n.record(i),
            {
                zoneId: args.zoneId,
                name: option.apply((o) => o.resourceRecordName!),
                type: option.apply((o) => o.resourceRecordType!),
                records: [option.apply((o) => o.resourceRecordValue!)],
                ttl: 300,
                // ACM uses one record per name for every certificate; another stack may already hold it.
                allowOverwrite: true,
            },
            opts.record,
        );
    });
    const validation = new aws.acm.CertificateValidation(n.validation, { certificateArn: cert.arn, validationRecordFqdns: records.map((r) => r.fqdn) }, opts.certificate);
    return validation.certificateArn;
}
