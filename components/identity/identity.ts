/**
 * Who the users are (docs/decisions.md#identity-two-pools): a viewer user pool (e-mail sign-in, optional TOTP, one group per
 * subscription plan, threat protection per config) and an admin user pool (MFA required, TOTP, no
 * self sign-up), each with a public app client using the authorization code flow with PKCE and a
 * managed-login domain. Cognito cannot require MFA for one group only, hence two pools.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IdentityInfo, UserPoolOutputs } from "../../lib/contracts";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";
import { stateful } from "../../lib/stateful";
import { PreTokenTrigger } from "./preTokenTrigger";

export type ThreatProtection = "off" | "audit" | "enforced";
export type PoolKind = "viewer" | "admin";

export interface IdentityArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** The stack's region (`aws:region`): issuer and hosted UI URLs name it. */
    region: string;
    /** The site origin without a trailing slash, e.g. `https://flodrama.com` (SiteInfo.url). */
    siteUrl: pulumi.Input<string>;
    /** Viewer pool groups, one per subscription plan (e.g. `free`, `premium`). At least one. */
    planGroups: string[];
    /** Cognito threat protection of both pools: `off` (Essentials tier), `audit` or `enforced` (Plus tier). */
    threatProtection: ThreatProtection;
    /** Managed-login domain prefix of the viewer pool; the admin pool uses `<prefix>-admin`. */
    domainPrefix: string;
    /** Callback URLs of the SPA besides `<siteUrl>/auth/callback` (e.g. a local dev server). Default none. */
    extraCallbackUrls?: string[];
    /** Sign-out URLs of the SPA besides `<siteUrl>/`. Default none. */
    extraLogoutUrls?: string[];
    /** `protect` and deletion protection on both pools (`protectStatefulResources`). */
    protect: boolean;
    /** Retention of the pools' log groups (message-delivery errors, threat-protection events), in days. */
    logRetentionDays: number;
    /**
     * SES sender of both pools' e-mails: a verified identity in the stack's region and an address it
     * covers. Default: Cognito's own sender, whose small daily quota suits dev only.
     */
    email?: { sesIdentityArn: string; from: string };
}

// ---- pure specs ------------------------------------------------------------------------------------

/** Where the SPA and the admin console receive the authorization code, and where sign-out returns. */
export const CALLBACK_PATH = "/auth/callback";
export const ADMIN_BASE_PATH = "/admin";

/** OAuth scopes of both clients: OpenID Connect identity, e-mail and profile claims, nothing more. */
export const OAUTH_SCOPES = ["openid", "email", "profile"] as const;
/**
 * SRP keeps the password off the wire for the SDK flows; refresh keeps sessions alive. Plain-password
 * (`USER_PASSWORD_AUTH`) and admin flows stay off: a public client must not offer them.
 */
export const EXPLICIT_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"] as const;

/** Token lifetimes, in the units given: short access tokens, a refresh token that a viewer keeps a month, an admin a working day. */
export const TOKEN_VALIDITY = {
    viewer: { accessToken: 60, idToken: 60, refreshToken: 30, units: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" } },
    admin: { accessToken: 15, idToken: 15, refreshToken: 12, units: { accessToken: "minutes", idToken: "minutes", refreshToken: "hours" } },
} as const;

/** The feature tier and add-ons of a pool: threat protection is a Plus feature; Essentials has managed login. */
export function threatProtectionSettings(mode: ThreatProtection): { userPoolTier: "ESSENTIALS" | "PLUS"; userPoolAddOns: { advancedSecurityMode: "OFF" | "AUDIT" | "ENFORCED" } } {
    return {
        userPoolTier: mode === "off" ? "ESSENTIALS" : "PLUS",
        userPoolAddOns: { advancedSecurityMode: mode === "off" ? "OFF" : mode === "audit" ? "AUDIT" : "ENFORCED" },
    };
}

/**
 * Password policy (FSBP Cognito.3 and beyond): 12 characters and all four classes for viewers, 14 for
 * admins, short-lived temporary passwords, recent passwords refused. Password history needs the
 * Essentials tier or higher (Cognito API reference, PasswordPolicyType), which both pools always have.
 */
export function passwordPolicy(kind: PoolKind): aws.types.input.cognito.UserPoolPasswordPolicy {
    return {
        minimumLength: kind === "admin" ? 14 : 12,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: kind === "admin" ? 1 : 3,
        passwordHistorySize: kind === "admin" ? 24 : 5,
    };
}

/**
 * Who sends the pools' e-mails: SES with the configured identity (Cognito uses its service-linked role
 * to send through it), or Cognito's default sender when none is configured.
 */
export function emailConfiguration(email?: IdentityArgs["email"]): aws.types.input.cognito.UserPoolEmailConfiguration {
    return email
        ? { emailSendingAccount: "DEVELOPER", sourceArn: email.sesIdentityArn, fromEmailAddress: `FloDrama <${email.from}>` }
        : { emailSendingAccount: "COGNITO_DEFAULT" };
}

/** The inputs of a user pool that do not depend on other resources. Pure, so tests read them directly. */
export function userPoolSpec(
    kind: PoolKind,
    opts: {
        stack: string;
        threatProtection: ThreatProtection;
        protect: boolean;
        email?: IdentityArgs["email"];
        /** The pre token generation trigger (viewer pool): adds the colon-free `groups` claim the HTTP API maps. */
        preTokenGeneration?: pulumi.Input<{ lambdaArn: string; lambdaVersion: string }>;
    },
): aws.cognito.UserPoolArgs {
    const admin = kind === "admin";
    return {
        name: physicalName(opts.stack, admin ? "admins" : "viewers", "cognitoUserPool"),
        // E-mail is the username; `User@x.com` and `user@x.com` are one account.
        usernameAttributes: ["email"],
        usernameConfiguration: { caseSensitive: false },
        autoVerifiedAttributes: ["email"],
        // A changed e-mail takes effect only once the new address is verified, so nobody locks themselves out.
        userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
        accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        passwordPolicy: passwordPolicy(kind),
        mfaConfiguration: admin ? "ON" : "OPTIONAL",
        softwareTokenMfaConfiguration: { enabled: true },
        adminCreateUserConfig: admin
            ? {
                  allowAdminCreateUserOnly: true,
                  inviteMessageTemplate: {
                      emailSubject: "Your FloDrama admin account",
                      emailMessage:
                          "An administrator created your FloDrama admin account. User name: {username}. Temporary password: {####}. Sign in within 24 hours and set up an authenticator app.",
                  },
              }
            : { allowAdminCreateUserOnly: false },
        verificationMessageTemplate: {
            defaultEmailOption: "CONFIRM_WITH_CODE",
            emailSubject: "Your FloDrama verification code",
            emailMessage: "Your FloDrama verification code is {####}.",
        },
        emailConfiguration: emailConfiguration(opts.email),
        deletionProtection: stateful(opts.protect).cognitoDeletionProtection,
        // Both tiers (Essentials, Plus) send V2_0 trigger events, which may customize access tokens.
        ...threatProtectionSettings(opts.threatProtection),
        ...(opts.preTokenGeneration ? { lambdaConfig: { preTokenGenerationConfig: opts.preTokenGeneration } } : {}),
    };
}

/** Joins an origin and a path without doubling the slash (`https://a.com/` + `/x`). */
function join(origin: string, path: string): string {
    return `${origin.replace(/\/+$/, "")}${path}`;
}

/** Callback and sign-out URLs of the viewer SPA: the site's own first, then the configured extras. */
export function spaUrls(siteUrl: string, extraCallbackUrls: string[], extraLogoutUrls: string[]): { callbackUrls: string[]; logoutUrls: string[] } {
    const unique = (xs: string[]) => [...new Set(xs)];
    return {
        callbackUrls: unique([join(siteUrl, CALLBACK_PATH), ...extraCallbackUrls]),
        logoutUrls: unique([join(siteUrl, "/"), ...extraLogoutUrls]),
    };
}

/**
 * Callback and sign-out URLs of the admin console, served under `/admin` of the site. Each extra
 * callback URL's origin (a local dev server) gets the same admin paths, so the console runs locally too.
 */
export function adminUrls(siteUrl: string, extraCallbackUrls: string[]): { callbackUrls: string[]; logoutUrls: string[] } {
    const origins = [siteUrl.replace(/\/+$/, ""), ...extraCallbackUrls.map((u) => new URL(u).origin)];
    const unique = [...new Set(origins)];
    return {
        callbackUrls: unique.map((o) => join(o, `${ADMIN_BASE_PATH}${CALLBACK_PATH}`)),
        logoutUrls: unique.map((o) => join(o, `${ADMIN_BASE_PATH}/`)),
    };
}

/**
 * A public (browser) app client: no secret, authorization code only, which Cognito completes with PKCE
 * when the app sends a `code_challenge` (every current OIDC library does). No implicit flow, so no
 * token ever travels in a URL.
 */
export function appClientSpec(kind: PoolKind): Omit<aws.cognito.UserPoolClientArgs, "userPoolId" | "name" | "callbackUrls" | "logoutUrls"> {
    const v = TOKEN_VALIDITY[kind];
    return {
        generateSecret: false,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["code"],
        allowedOauthScopes: [...OAUTH_SCOPES],
        supportedIdentityProviders: ["COGNITO"],
        explicitAuthFlows: [...EXPLICIT_AUTH_FLOWS],
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
        authSessionValidity: 3,
        accessTokenValidity: v.accessToken,
        idTokenValidity: v.idToken,
        refreshTokenValidity: v.refreshToken,
        tokenValidityUnits: { ...v.units },
        // The app reads the profile it shows; it may change the name and e-mail, never the verification flags.
        readAttributes: ["email", "email_verified", "name", "locale"],
        writeAttributes: ["email", "name", "locale"],
    };
}

/**
 * What threat protection does when it acts (enforced mode; audit mode only records the decision).
 * Viewers: nothing on low risk, MFA when they have it on medium, MFA or a block on high. Admins: MFA is
 * always required, so medium risk asks again and high risk is blocked. Known-leaked passwords are
 * refused at sign-up, sign-in and password change. No notification e-mails: they need an SES identity.
 */
export function riskActions(kind: PoolKind): Pick<aws.cognito.RiskConfigurationArgs, "accountTakeoverRiskConfiguration" | "compromisedCredentialsRiskConfiguration"> {
    const act = (eventAction: string) => ({ eventAction, notify: false });
    const actions =
        kind === "admin"
            ? { lowAction: act("MFA_IF_CONFIGURED"), mediumAction: act("MFA_REQUIRED"), highAction: act("BLOCK") }
            : { lowAction: act("NO_ACTION"), mediumAction: act("MFA_IF_CONFIGURED"), highAction: act("MFA_REQUIRED") };
    return {
        accountTakeoverRiskConfiguration: { actions },
        compromisedCredentialsRiskConfiguration: { eventFilters: ["SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"], actions: { eventAction: "BLOCK" } },
    };
}

/**
 * What a pool exports to its log group: message-delivery errors (a full SES quota, a bounced
 * verification e-mail) always, and the threat-protection user activity when the Plus tier provides it.
 */
export function logConfigurations(mode: ThreatProtection, logGroupArn: pulumi.Input<string>): aws.types.input.cognito.LogDeliveryConfigurationLogConfiguration[] {
    const cloudWatchLogsConfiguration = { logGroupArn };
    const notifications = { eventSource: "userNotification", logLevel: "ERROR", cloudWatchLogsConfiguration };
    return mode === "off" ? [notifications] : [notifications, { eventSource: "userAuthEvents", logLevel: "INFO", cloudWatchLogsConfiguration }];
}

/** `https://<prefix>.auth.<region>.amazoncognito.com`: the managed-login (hosted UI) base URL. */
export function hostedUiUrl(domainPrefix: string, region: string): string {
    return `https://${domainPrefix}.auth.${region}.amazoncognito.com`;
}

/**
 * Both managed-login origins of a stack (viewer SPA and admin console), from config alone: the site's
 * CSP must allow them in connect-src (the SPA exchanges the PKCE code with fetch) and form-action.
 */
export function managedLoginOrigins(domainPrefix: string, region: string): string[] {
    return [hostedUiUrl(domainPrefix, region), hostedUiUrl(adminDomainPrefix(domainPrefix), region)];
}

/** The JWT issuer of a pool, which the API's JWT authorizer trusts. */
export function issuerUrl(region: string, userPoolId: string): string {
    return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/** The admin pool's domain prefix. */
export function adminDomainPrefix(domainPrefix: string): string {
    return `${domainPrefix}-admin`;
}

// ---- component -------------------------------------------------------------------------------------

interface Pool {
    pool: aws.cognito.UserPool;
    client: aws.cognito.UserPoolClient;
    domain: aws.cognito.UserPoolDomain;
}

export class Identity extends pulumi.ComponentResource implements IdentityInfo {
    static readonly __pulumiType = "flodrama:identity:Identity";

    /** The viewer pool (the SPA signs in there) and the admin console's pool. */
    readonly viewer: UserPoolOutputs;
    readonly admin: UserPoolOutputs;
    /** Names of the plan groups of the viewer pool. */
    readonly planGroupNames: pulumi.Output<string[]>;

    constructor(name: string, args: IdentityArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Before registering anything: a pool without plan groups would leave every viewer unentitled.
        if (args.planGroups.length === 0) {
            throw new Error("identity: planGroups must list at least one subscription plan group (identity.planGroups)");
        }
        super(Identity.__pulumiType, name, {}, opts);
        // Fail early rather than let the pools fall back to a default provider, without the stack's tags.
        requireAwsProvider(this, "Identity");
        const extraCallbacks = args.extraCallbackUrls ?? [];
        const extraLogouts = args.extraLogoutUrls ?? [];

        const trigger = new PreTokenTrigger(`${name}-viewer-pre-token`, { stack: args.stack, logRetentionDays: args.logRetentionDays }, { parent: this });
        const viewer = this.createPool(
            `${name}-viewer`,
            "viewer",
            args,
            args.domainPrefix,
            pulumi.output(args.siteUrl).apply((u) => spaUrls(u, extraCallbacks, extraLogouts)),
            trigger,
        );
        trigger.allowInvokeFrom(`${name}-viewer-pre-token-invoke`, viewer.pool);
        const groups = this.createPlanGroups(`${name}-viewer`, viewer.pool, args.planGroups);
        const admin = this.createPool(`${name}-admin`, "admin", args, adminDomainPrefix(args.domainPrefix), pulumi.output(args.siteUrl).apply((u) => adminUrls(u, extraCallbacks)));

        const outputsOf = (parts: { pool: aws.cognito.UserPool; client: aws.cognito.UserPoolClient; domain: aws.cognito.UserPoolDomain }): UserPoolOutputs => ({
            userPoolId: parts.pool.id,
            userPoolArn: parts.pool.arn,
            clientId: parts.client.id,
            issuerUrl: parts.pool.id.apply((id) => issuerUrl(args.region, id)),
            hostedUiUrl: parts.domain.domain.apply((d) => hostedUiUrl(d, args.region)),
        });
        this.viewer = outputsOf(viewer);
        this.admin = outputsOf(admin);
        this.planGroupNames = pulumi.all(groups.map((g) => g.name));

        // The same names as before the pools were grouped: the component's recorded outputs do not change.
        this.registerOutputs({
            viewerUserPoolId: this.viewer.userPoolId,
            viewerUserPoolArn: this.viewer.userPoolArn,
            spaClientId: this.viewer.clientId,
            viewerIssuerUrl: this.viewer.issuerUrl,
            hostedUiUrl: this.viewer.hostedUiUrl,
            adminUserPoolId: this.admin.userPoolId,
            adminUserPoolArn: this.admin.userPoolArn,
            adminClientId: this.admin.clientId,
            adminIssuerUrl: this.admin.issuerUrl,
            adminHostedUiUrl: this.admin.hostedUiUrl,
            planGroupNames: this.planGroupNames,
        });
    }

    /** A pool with its app client, managed-login domain and branding, and risk actions when threat protection is on. */
    private createPool(
        name: string,
        kind: PoolKind,
        args: IdentityArgs,
        domainPrefix: string,
        urls: pulumi.Output<{ callbackUrls: string[]; logoutUrls: string[] }>,
        trigger?: PreTokenTrigger,
    ): Pool {
        // Users and their credentials live only here: protect in prod, besides Cognito's deletion protection.
        const pool = new aws.cognito.UserPool(
            `${name}-pool`,
            userPoolSpec(kind, { stack: args.stack, threatProtection: args.threatProtection, protect: args.protect, email: args.email, preTokenGeneration: trigger?.poolLambdaConfig }),
            { ...stateful(args.protect).options, parent: this },
        );
        const client = new aws.cognito.UserPoolClient(
            `${name}-client`,
            {
                ...appClientSpec(kind),
                name: physicalName(args.stack, kind === "admin" ? "admin-console" : "spa", "generic"),
                userPoolId: pool.id,
                callbackUrls: urls.callbackUrls,
                logoutUrls: urls.logoutUrls,
            },
            { parent: this },
        );
        // Managed login (version 2) needs a branding style per client; Cognito's defaults until design provides one.
        const domain = new aws.cognito.UserPoolDomain(`${name}-domain`, { domain: domainPrefix, userPoolId: pool.id, managedLoginVersion: 2 }, { parent: this });
        new aws.cognito.ManagedLoginBranding(`${name}-branding`, { userPoolId: pool.id, clientId: client.id, useCognitoProvidedValues: true }, { parent: this, dependsOn: [domain] });
        if (args.threatProtection !== "off") {
            new aws.cognito.RiskConfiguration(`${name}-risk`, { userPoolId: pool.id, ...riskActions(kind) }, { parent: this });
        }
        // Cognito delivers logs as vended logs, which it accepts only into groups under /aws/vendedlogs/.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/aws/vendedlogs/cognito/${physicalName(args.stack, kind === "admin" ? "admins" : "viewers", "logGroup")}`, retentionInDays: args.logRetentionDays },
            { parent: this },
        );
        new aws.cognito.LogDeliveryConfiguration(
            `${name}-log-delivery`,
            { userPoolId: pool.id, logConfigurations: logConfigurations(args.threatProtection, logGroup.arn) },
            { parent: this },
        );
        return { pool, client, domain };
    }

    private createPlanGroups(name: string, pool: aws.cognito.UserPool, planGroups: string[]): aws.cognito.UserGroup[] {
        // Named after the plan: a renamed plan is a new group in Cognito anyway.
        return planGroups.map(
            (plan) =>
                new aws.cognito.UserGroup(
                    `${name}-group-${plan}`,
                    { userPoolId: pool.id, name: plan, description: `Viewers on the ${plan} plan (services read it from the x-user-groups header)` },
                    { parent: this },
                ),
        );
    }
}
