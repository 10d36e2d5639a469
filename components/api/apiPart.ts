/**
 * What the API's sub-components share: the arguments of the whole API, and the resource options of
 * their children. Before the API was split, every child was created directly under the ApiGateway
 * component; the alias to that parent keeps each child's URN, so nothing live is replaced.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dnsValidatedCertificate } from "../../lib/certificate";
import { DomainConfig } from "../../lib/contracts";
import { ApiGatewayArgs } from "./apiSpecs";

export abstract class ApiPart extends pulumi.ComponentResource {
    /** Options of every child: parented here, aliased to its URN under the ApiGateway. */
    protected readonly moved: pulumi.CustomResourceOptions;

    protected constructor(type: string, name: string, protected readonly args: ApiGatewayArgs, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super(type, name, {}, opts);
        this.moved = { parent: this, aliases: [{ parent: opts.parent }] };
    }

    // ---- custom domains -----------------------------------------------------------------------------

    /** A regional ACM certificate validated in Route 53, the API Gateway domain (TLS 1.2+), its mapping and alias record. */
    protected customDomain(name: string, kind: "http" | "ws", domain: DomainConfig, apiId: pulumi.Output<string>, stage: pulumi.Output<string>): void {
        const domainName = domain.names[0];
        const zone = aws.route53.getZoneOutput({ name: domain.hostedZone, privateZone: false }, { parent: this });
        const certificateArn = dnsValidatedCertificate(
            {
                name: domainName,
                zoneId: zone.zoneId,
                logicalNames: { certificate: `${name}-${kind}-cert`, record: () => `${name}-${kind}-cert-validation`, validation: `${name}-${kind}-cert-validated` },
            },
            { certificate: this.moved, record: this.moved },
        );
        const apiDomain = new aws.apigatewayv2.DomainName(
            `${name}-${kind}-domain`,
            {
                domainName,
                domainNameConfiguration: { certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
            },
            this.moved,
        );
        new aws.apigatewayv2.ApiMapping(`${name}-${kind}-mapping`, { apiId, domainName: apiDomain.id, stage }, this.moved);
        new aws.route53.Record(
            `${name}-${kind}-alias`,
            {
                zoneId: zone.zoneId,
                name: domainName,
                type: "A",
                aliases: [
                    {
                        name: apiDomain.domainNameConfiguration.targetDomainName,
                        zoneId: apiDomain.domainNameConfiguration.hostedZoneId,
                        evaluateTargetHealth: false,
                    },
                ],
            },
            this.moved,
        );
    }
}
