/**
 * Stand-ins for what the API consumes from workloads, identity and the CDN site, so the component can
 * be tested alone under `simulate()`. Call inside the `simulate` body (they create Outputs).
 */
import * as pulumi from "@pulumi/pulumi";
import { ServiceConfig } from "../../lib/contracts";
import { ClusterInfo, DeployedService, IdentityInfo, SiteInfo } from "../../lib/contracts";
import type { ApiGatewayArgs } from "../../components/api/apiSpecs";
import type { FlodramaConfig } from "../../config";
import { ACCOUNT_ID } from "../../offline/mocks";

export const FAKE_POOL_ID = "eu-west-3_Fixture1";
export const FAKE_ISSUER_URL = `https://cognito-idp.eu-west-3.amazonaws.com/${FAKE_POOL_ID}`;
export const FAKE_CLIENT_ID = "spaclientfixture";
export const FAKE_SITE_URL = "https://d111111abcdef8.cloudfront.net";

/** Kubernetes Service names and IRSA role names as the workloads component would hand them over. */
export const fakeServiceName = (svc: ServiceConfig) => `${svc.name}`;
export const fakeRoleName = (svc: ServiceConfig) => `flodrama-test-flodrama-${svc.name}`;

export function fakeServices(services: ServiceConfig[]): DeployedService[] {
    return services.map((config) => ({
        config,
        serviceName: config.expose === "none" && config.role === "scraper" ? undefined : pulumi.output(fakeServiceName(config)),
        roleName: pulumi.output(fakeRoleName(config)),
        roleArn: pulumi.output(`arn:aws:iam::${ACCOUNT_ID}:role/${fakeRoleName(config)}`),
        image: pulumi.output(`${ACCOUNT_ID}.dkr.ecr.eu-west-3.amazonaws.com/flodrama-fixture-${config.name}@sha256:${"d".repeat(64)}`),
    }));
}

export function fakeIdentity(): IdentityInfo {
    return {
        viewer: {
            userPoolId: pulumi.output(FAKE_POOL_ID),
            userPoolArn: pulumi.output(`arn:aws:cognito-idp:eu-west-3:${ACCOUNT_ID}:userpool/${FAKE_POOL_ID}`),
            clientId: pulumi.output(FAKE_CLIENT_ID),
            issuerUrl: pulumi.output(FAKE_ISSUER_URL),
            hostedUiUrl: pulumi.output("https://fixture.auth.eu-west-3.amazoncognito.com"),
        },
        admin: {
            userPoolId: pulumi.output("eu-west-3_Admin1"),
            userPoolArn: pulumi.output(`arn:aws:cognito-idp:eu-west-3:${ACCOUNT_ID}:userpool/eu-west-3_Admin1`),
            clientId: pulumi.output("fixture-admin-client"),
            issuerUrl: pulumi.output("https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Admin1"),
            hostedUiUrl: pulumi.output("https://fixture-admin.auth.eu-west-3.amazoncognito.com"),
        },
    };
}

export function fakeSite(url = FAKE_SITE_URL): SiteInfo {
    return { url: pulumi.output(url), distributionId: pulumi.output("EFIXTURE") };
}

/**
 * ApiGateway args from a stack's config, with the fixtures above for services, identity and site, and
 * `offline/fixtures` for the network (required here, inside the `simulate` body, like the component).
 */
export function fixtureApiArgs(cfg: FlodramaConfig, cluster: ClusterInfo): ApiGatewayArgs {
    const { fakeNetwork } = require("../../offline/fixtures");
    return {
        stack: cfg.stack,
        region: cfg.region,
        network: fakeNetwork(cfg.network.azCount),
        cluster,
        services: fakeServices(cfg.services),
        identity: fakeIdentity(),
        site: fakeSite(),
        ...cfg.api,
        logRetentionDays: cfg.logRetentionDays,
        protect: cfg.protect,
    };
}
