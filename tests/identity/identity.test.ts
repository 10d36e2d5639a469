/**
 * Cognito identity: the pure pool and client specs, the component alone under mocks with a
 * fixture site URL, the wired program for both stack files (threat protection, deletion protection,
 * MFA, plan groups, callback URLs, domains, outputs), and the identity config rules.
 */
import { strict as assert } from "assert";
import {
    adminDomainPrefix,
    adminUrls,
    appClientSpec,
    emailConfiguration,
    EXPLICIT_AUTH_FLOWS,
    hostedUiUrl,
    Identity,
    logConfigurations,
    managedLoginOrigins,
    issuerUrl,
    passwordPolicy,
    riskActions,
    spaUrls,
    threatProtectionSettings,
    TOKEN_VALIDITY,
    userPoolSpec,
} from "../../components/identity/identity";
import { IdentityConfig } from "../../components/identity/config";
import { bundlePreTokenTrigger } from "../../components/identity/preTokenTrigger";
import { groupsClaim, handler as preTokenHandler, PreTokenGenerationV2Event } from "../../lambda/pre-token/handler";
import { GROUPS_CLAIM, GROUPS_SEPARATOR } from "../../lib/serviceContract";
import { configFor, problemsFor } from "../../offline/stackConfig";
import { ProgramRun, RecordedResource, runProgram, simulate, stackNames, valueOf } from "../../offline/harness";
import { ALL_POLICIES } from "../../policy/all";
import { evaluateResource, FlodramaResourcePolicy } from "../../policy/framework";

const POOL = "aws:cognito/userPool:UserPool";
const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
const GROUP = "aws:cognito/userGroup:UserGroup";
const RISK = "aws:cognito/riskConfiguration:RiskConfiguration";
const BRANDING = "aws:cognito/managedLoginBranding:ManagedLoginBranding";
const LOG_DELIVERY = "aws:cognito/logDeliveryConfiguration:LogDeliveryConfiguration";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

const MINUTES = { minutes: 1, hours: 60, days: 1440 } as const;

/** Cognito.3 as the policy pack judges it, on a pool's inputs. */
function cognito3(props: Record<string, any>): string[] {
    const policy = ALL_POLICIES.find((p) => p.name === "cognito-3-password-policy") as FlodramaResourcePolicy;
    return evaluateResource(policy, { type: POOL, name: "pool", urn: "urn:pulumi:test::flodrama::pool", props, protect: false }).violations;
}

describe("identity: pure specs", () => {
    it("uses the Essentials tier without threat protection and the Plus tier with it", () => {
        assert.deepEqual(threatProtectionSettings("off"), { userPoolTier: "ESSENTIALS", userPoolAddOns: { advancedSecurityMode: "OFF" } });
        assert.deepEqual(threatProtectionSettings("audit"), { userPoolTier: "PLUS", userPoolAddOns: { advancedSecurityMode: "AUDIT" } });
        assert.deepEqual(threatProtectionSettings("enforced"), { userPoolTier: "PLUS", userPoolAddOns: { advancedSecurityMode: "ENFORCED" } });
    });

    it("requires strong passwords, stricter for admins, refusing recent passwords in every tier", () => {
        const viewer = passwordPolicy("viewer");
        const admin = passwordPolicy("admin");
        for (const p of [viewer, admin]) {
            assert.deepEqual([p.requireLowercase, p.requireUppercase, p.requireNumbers, p.requireSymbols], [true, true, true, true]);
            assert.ok((p.temporaryPasswordValidityDays as number) <= 7);
            assert.deepEqual(cognito3({ passwordPolicy: p }), []);
        }
        assert.ok((viewer.minimumLength as number) >= 12);
        assert.ok((admin.minimumLength as number) >= (viewer.minimumLength as number));
        assert.ok((admin.temporaryPasswordValidityDays as number) <= (viewer.temporaryPasswordValidityDays as number));
        // Essentials (threat protection off) already enforces password history: both tiers get it.
        assert.equal(viewer.passwordHistorySize, 5);
        assert.equal(admin.passwordHistorySize, 24);
        const strong = { requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true };
        const expected = {
            viewer: { minimumLength: 12, ...strong, temporaryPasswordValidityDays: 3, passwordHistorySize: 5 },
            admin: { minimumLength: 14, ...strong, temporaryPasswordValidityDays: 1, passwordHistorySize: 24 },
        };
        for (const mode of ["off", "audit", "enforced"] as const) {
            for (const kind of ["viewer", "admin"] as const) {
                const spec = userPoolSpec(kind, { stack: "dev", threatProtection: mode, protect: false });
                assert.deepEqual(spec.passwordPolicy, expected[kind]);
                assert.notEqual(spec.userPoolTier, "LITE");
            }
        }
        // The policy pack would catch a weakened policy.
        assert.equal(cognito3({ passwordPolicy: { ...passwordPolicy("viewer"), requireSymbols: false } }).length, 1);
    });

    it("signs viewers in by case-insensitive, verified e-mail with optional TOTP and self sign-up", () => {
        const v = userPoolSpec("viewer", { stack: "dev", threatProtection: "off", protect: false });
        assert.equal(v.name, "flodrama-dev-viewers");
        assert.deepEqual(v.usernameAttributes, ["email"]);
        assert.equal(v.aliasAttributes, undefined);
        assert.deepEqual(v.usernameConfiguration, { caseSensitive: false });
        assert.deepEqual(v.autoVerifiedAttributes, ["email"]);
        assert.deepEqual(v.userAttributeUpdateSettings, { attributesRequireVerificationBeforeUpdates: ["email"] });
        assert.deepEqual(v.accountRecoverySetting, { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] });
        assert.equal(v.mfaConfiguration, "OPTIONAL");
        assert.deepEqual(v.softwareTokenMfaConfiguration, { enabled: true });
        assert.equal(v.smsConfiguration, undefined, "no SMS MFA: TOTP only");
        assert.deepEqual(v.adminCreateUserConfig, { allowAdminCreateUserOnly: false });
        assert.equal(v.deletionProtection, "INACTIVE");
        assert.equal(userPoolSpec("viewer", { stack: "prod", threatProtection: "enforced", protect: true }).deletionProtection, "ACTIVE");
    });

    it("requires TOTP MFA of admins, who are only created by an administrator", () => {
        const a = userPoolSpec("admin", { stack: "prod", threatProtection: "enforced", protect: true });
        assert.equal(a.name, "flodrama-prod-admins");
        assert.equal(a.mfaConfiguration, "ON");
        assert.deepEqual(a.softwareTokenMfaConfiguration, { enabled: true });
        const create = a.adminCreateUserConfig as any;
        assert.equal(create.allowAdminCreateUserOnly, true);
        assert.match(create.inviteMessageTemplate.emailMessage, /\{username\}/);
        assert.match(create.inviteMessageTemplate.emailMessage, /\{####\}/);
        assert.equal(a.deviceConfiguration, undefined, "no remembered devices that would skip MFA");
        assert.deepEqual(a.usernameConfiguration, { caseSensitive: false });
        assert.equal(a.deletionProtection, "ACTIVE");
        assert.equal(a.userPoolTier, "PLUS");
    });

    it("sends e-mail through the configured SES identity, or Cognito's sender without one", () => {
        const email = { sesIdentityArn: "arn:aws:ses:eu-west-3:123456789012:identity/flodrama.com", from: "no-reply@flodrama.com" };
        assert.deepEqual(emailConfiguration(), { emailSendingAccount: "COGNITO_DEFAULT" });
        assert.deepEqual(emailConfiguration(email), {
            emailSendingAccount: "DEVELOPER",
            sourceArn: email.sesIdentityArn,
            fromEmailAddress: "FloDrama <no-reply@flodrama.com>",
        });
        for (const kind of ["viewer", "admin"] as const) {
            assert.deepEqual(userPoolSpec(kind, { stack: "prod", threatProtection: "off", protect: true, email }).emailConfiguration, {
                emailSendingAccount: "DEVELOPER",
                sourceArn: email.sesIdentityArn,
                fromEmailAddress: "FloDrama <no-reply@flodrama.com>",
            });
            assert.deepEqual(userPoolSpec(kind, { stack: "dev", threatProtection: "off", protect: false }).emailConfiguration, { emailSendingAccount: "COGNITO_DEFAULT" });
        }
    });

    it("builds the SPA's callback and sign-out URLs from the site, then the extras, without duplicates", () => {
        assert.deepEqual(spaUrls("https://flodrama.com", [], []), { callbackUrls: ["https://flodrama.com/auth/callback"], logoutUrls: ["https://flodrama.com/"] });
        assert.deepEqual(spaUrls("https://d1.cloudfront.net/", ["http://localhost:5173/auth/callback", "http://localhost:5173/auth/callback"], ["http://localhost:5173/"]), {
            callbackUrls: ["https://d1.cloudfront.net/auth/callback", "http://localhost:5173/auth/callback"],
            logoutUrls: ["https://d1.cloudfront.net/", "http://localhost:5173/"],
        });
    });

    it("serves the admin console under /admin of the site and of each extra callback origin", () => {
        assert.deepEqual(adminUrls("https://flodrama.com", ["http://localhost:5173/auth/callback"]), {
            callbackUrls: ["https://flodrama.com/admin/auth/callback", "http://localhost:5173/admin/auth/callback"],
            logoutUrls: ["https://flodrama.com/admin/", "http://localhost:5173/admin/"],
        });
        assert.deepEqual(adminUrls("https://flodrama.com/", []).callbackUrls, ["https://flodrama.com/admin/auth/callback"]);
    });

    for (const kind of ["viewer", "admin"] as const) {
        it(`gives the ${kind} client the code flow (PKCE), no secret, minimal scopes and auth flows`, () => {
            const c = appClientSpec(kind);
            assert.equal(c.generateSecret, false);
            assert.equal(c.allowedOauthFlowsUserPoolClient, true);
            assert.deepEqual(c.allowedOauthFlows, ["code"]);
            assert.deepEqual(c.allowedOauthScopes, ["openid", "email", "profile"]);
            assert.deepEqual(c.supportedIdentityProviders, ["COGNITO"]);
            assert.deepEqual(c.explicitAuthFlows, ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]);
            assert.deepEqual([...EXPLICIT_AUTH_FLOWS].sort(), ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]);
            assert.equal(c.preventUserExistenceErrors, "ENABLED");
            assert.equal(c.enableTokenRevocation, true);
            assert.ok(!(c.writeAttributes as string[]).some((a) => a.endsWith("_verified")), "clients cannot mark themselves verified");
            // Cognito's limits: access and ID tokens 5 min to 1 day, refresh tokens 1 hour to 10 years.
            const units = c.tokenValidityUnits as Record<string, keyof typeof MINUTES>;
            const minutes = (v: unknown, unit: keyof typeof MINUTES) => (v as number) * MINUTES[unit];
            for (const t of ["accessToken", "idToken"] as const) {
                const m = minutes(c[`${t}Validity`], units[t]);
                assert.ok(m >= 5 && m <= 1440, `${kind} ${t}: ${m} min`);
            }
            const refresh = minutes(c.refreshTokenValidity, units.refreshToken);
            assert.ok(refresh >= 60 && refresh <= 10 * 365 * 1440);
        });
    }

    it("keeps admin sessions shorter than viewer sessions", () => {
        const minutes = (k: "viewer" | "admin") => TOKEN_VALIDITY[k].refreshToken * MINUTES[TOKEN_VALIDITY[k].units.refreshToken];
        assert.ok(minutes("admin") < minutes("viewer"));
        assert.ok(TOKEN_VALIDITY.admin.accessToken <= TOKEN_VALIDITY.viewer.accessToken);
    });

    it("blocks leaked passwords and escalates risky sign-ins, harder for admins", () => {
        for (const kind of ["viewer", "admin"] as const) {
            const r = riskActions(kind) as any;
            assert.deepEqual(r.compromisedCredentialsRiskConfiguration, { eventFilters: ["SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"], actions: { eventAction: "BLOCK" } });
            const a = r.accountTakeoverRiskConfiguration.actions;
            for (const level of ["lowAction", "mediumAction", "highAction"]) {
                assert.equal(a[level].notify, false, "no notifications without an SES identity");
            }
        }
        assert.equal((riskActions("viewer") as any).accountTakeoverRiskConfiguration.actions.highAction.eventAction, "MFA_REQUIRED");
        assert.equal((riskActions("admin") as any).accountTakeoverRiskConfiguration.actions.highAction.eventAction, "BLOCK");
    });

    it("exports message-delivery errors always, and threat-protection events with the Plus tier", () => {
        assert.deepEqual(logConfigurations("off", "arn:lg"), [{ eventSource: "userNotification", logLevel: "ERROR", cloudWatchLogsConfiguration: { logGroupArn: "arn:lg" } }]);
        for (const mode of ["audit", "enforced"] as const) {
            assert.deepEqual(
                logConfigurations(mode, "arn:lg").map((c) => [c.eventSource, c.logLevel]),
                [
                    ["userNotification", "ERROR"],
                    ["userAuthEvents", "INFO"],
                ],
            );
        }
    });

    it("derives the hosted UI and issuer URLs", () => {
        assert.equal(hostedUiUrl("flodrama-auth", "eu-west-3"), "https://flodrama-auth.auth.eu-west-3.amazoncognito.com");
        assert.equal(issuerUrl("eu-west-3", "eu-west-3_AbC"), "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbC");
        assert.equal(adminDomainPrefix("flodrama-auth"), "flodrama-auth-admin");
        assert.deepEqual(managedLoginOrigins("flodrama-auth", "eu-west-3"), [
            "https://flodrama-auth.auth.eu-west-3.amazoncognito.com",
            "https://flodrama-auth-admin.auth.eu-west-3.amazoncognito.com",
        ]);
    });
});

describe("identity: the pre token generation trigger (lambda/pre-token)", () => {
    const event = (groups: string[] | null | undefined, response: any = { claimsAndScopeOverrideDetails: null }): PreTokenGenerationV2Event => ({
        version: "2",
        triggerSource: "TokenGeneration_Authentication",
        region: "eu-west-3",
        userPoolId: "eu-west-3_abc",
        userName: "u",
        request: { userAttributes: { email: "viewer@example.com" }, groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null }, scopes: [] },
        response,
    });
    const claims = (e: PreTokenGenerationV2Event) => e.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;

    it("adds the groups to the access token as one comma-separated string under the colon-free claim", async () => {
        const out = await preTokenHandler(event(["free", "premium"]));
        assert.deepEqual(claims(out), { [GROUPS_CLAIM]: ["free", "premium"].join(GROUPS_SEPARATOR) });
        assert.equal(GROUPS_CLAIM.includes(":"), false, "HTTP API mappings refuse a colon");
        assert.equal(out.response.claimsAndScopeOverrideDetails?.idTokenGeneration, undefined, "the ID token is left alone");
    });

    it("always sets the claim, empty for a user in no group, so the mapping never names a missing claim", async () => {
        for (const groups of [[], null, undefined]) {
            assert.deepEqual(claims(await preTokenHandler(event(groups))), { [GROUPS_CLAIM]: "" }, String(groups));
        }
        const noConfig = event([]);
        delete noConfig.request.groupConfiguration;
        assert.deepEqual(claims(await preTokenHandler(noConfig)), { [GROUPS_CLAIM]: "" });
    });

    it("keeps other overrides in the response and drops duplicate or empty names", async () => {
        const out = await preTokenHandler(
            event(["free", "", "free"], { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { plan: "x" }, scopesToAdd: ["a"] } } }),
        );
        assert.deepEqual(out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration, { claimsToAddOrOverride: { plan: "x", [GROUPS_CLAIM]: "free" }, scopesToAdd: ["a"] });
        assert.equal(groupsClaim(["a", "b"]), "a,b");
    });

    it("bundles into one small CommonJS file without Pulumi or the AWS SDK", () => {
        const code = bundlePreTokenTrigger();
        assert.ok(code.length < 4000, `${code.length} bytes`);
        assert.ok(!/@pulumi|aws-sdk/.test(code));
        const mod: any = { exports: {} };
        new Function("module", "exports", "require", code)(mod, mod.exports, require);
        assert.equal(typeof mod.exports.handler, "function");
    });
});

describe("identity: the component alone, with a fixture site URL", () => {
    const SITE = "https://fixture.flodrama.test";
    let resources: RecordedResource[];
    let info: Identity;

    before(async () => {
        ({ resources } = await simulate("prod", () => {
            const aws = require("@pulumi/aws");
            const provider = new aws.Provider("test-aws", { region: "eu-west-3" });
            info = new Identity(
                "idt",
                {
                    stack: "test",
                    region: "eu-west-3",
                    siteUrl: SITE,
                    planGroups: ["free", "standard", "premium"],
                    threatProtection: "audit",
                    domainPrefix: "flodrama-test-auth",
                    extraCallbackUrls: ["https://preview.flodrama.test/auth/callback"],
                    extraLogoutUrls: ["https://preview.flodrama.test/"],
                    protect: true,
                    logRetentionDays: 90,
                    email: { sesIdentityArn: "arn:aws:ses:eu-west-3:123456789012:identity/flodrama.test", from: "no-reply@flodrama.test" },
                },
                { provider },
            );
        }));
    });

    const of = (type: string) => resources.filter((r) => r.type === type);
    const named = (type: string, name: string) => of(type).find((r) => r.name === name)!;

    it("creates two pools, two clients, two domains with branding, the plan groups and risk actions, all on the given provider", () => {
        assert.equal(of(POOL).length, 2);
        assert.equal(of(CLIENT).length, 2);
        assert.equal(of(DOMAIN).length, 2);
        assert.equal(of(BRANDING).length, 2);
        assert.equal(of(RISK).length, 2);
        assert.deepEqual(of(GROUP).map((g) => g.inputs.name), ["free", "standard", "premium"]);
        for (const r of resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            assert.ok(r.provider?.endsWith("::test-aws"), `${r.name} uses the given provider`);
            assert.ok(r.name.startsWith("idt-"), `${r.name} is named after the component`);
        }
    });

    it("protects both pools and turns on their deletion protection", () => {
        for (const p of of(POOL)) {
            assert.equal(p.protect, true);
            assert.equal(p.inputs.deletionProtection, "ACTIVE");
            assert.equal(p.inputs.userPoolTier, "PLUS");
            assert.deepEqual(p.inputs.userPoolAddOns, { advancedSecurityMode: "AUDIT" });
            assert.equal(p.inputs.emailConfiguration.emailSendingAccount, "DEVELOPER");
            assert.equal(p.inputs.emailConfiguration.sourceArn, "arn:aws:ses:eu-west-3:123456789012:identity/flodrama.test");
        }
    });

    it("attaches the V2_0 pre token generation trigger to the viewer pool only, invocable by Cognito from that pool only", () => {
        const fn = of("aws:lambda/function:Function");
        assert.equal(fn.length, 1);
        const viewer = named(POOL, "idt-viewer-pool");
        assert.deepEqual(viewer.inputs.lambdaConfig, { preTokenGenerationConfig: { lambdaArn: fn[0].state.arn, lambdaVersion: "V2_0" } });
        // V2_0 events need the Essentials or Plus feature plan, which every tier FloDrama sets has.
        assert.ok(["ESSENTIALS", "PLUS"].includes(viewer.inputs.userPoolTier));
        assert.equal(named(POOL, "idt-admin-pool").inputs.lambdaConfig, undefined);
        const permission = of("aws:lambda/permission:Permission");
        assert.deepEqual(
            permission.map((p) => [p.inputs.action, p.inputs.principal, p.inputs.sourceArn, p.inputs.function]),
            [["lambda:InvokeFunction", "cognito-idp.amazonaws.com", viewer.state.arn, fn[0].state.name ?? fn[0].inputs.name]],
        );
        assert.equal(fn[0].inputs.runtime, "nodejs22.x");
        assert.ok(fn[0].inputs.timeout <= 5, "Cognito waits 5 s for a trigger");
        const policy = JSON.parse(of("aws:iam/rolePolicy:RolePolicy").find((r) => r.name.includes("pre-token"))!.inputs.policy);
        assert.deepEqual(policy.Statement.map((st: any) => st.Action), [["logs:CreateLogStream", "logs:PutLogEvents"]]);
    });

    it("points the SPA client at the site's callback and sign-out URLs plus the extras", () => {
        const spa = named(CLIENT, "idt-viewer-client");
        assert.deepEqual(spa.inputs.callbackUrls, [`${SITE}/auth/callback`, "https://preview.flodrama.test/auth/callback"]);
        assert.deepEqual(spa.inputs.logoutUrls, [`${SITE}/`, "https://preview.flodrama.test/"]);
        assert.equal(spa.inputs.userPoolId, "idt-viewer-pool-id");
        const admin = named(CLIENT, "idt-admin-client");
        assert.equal(admin.inputs.userPoolId, "idt-admin-pool-id");
        assert.deepEqual(admin.inputs.callbackUrls, [`${SITE}/admin/auth/callback`, "https://preview.flodrama.test/admin/auth/callback"]);
    });

    it("uses managed login on <prefix> and <prefix>-admin, one branding style per client", () => {
        assert.deepEqual(
            of(DOMAIN)
                .map((d) => [d.inputs.domain, d.inputs.userPoolId, d.inputs.managedLoginVersion])
                .sort(),
            [
                ["flodrama-test-auth", "idt-viewer-pool-id", 2],
                ["flodrama-test-auth-admin", "idt-admin-pool-id", 2],
            ],
        );
        assert.deepEqual(of(BRANDING).map((b) => [b.inputs.clientId, b.inputs.useCognitoProvidedValues]).sort(), [
            ["idt-admin-client-id", true],
            ["idt-viewer-client-id", true],
        ]);
    });

    it("exposes the IdentityInfo contract", async () => {
        assert.equal(await valueOf(info.viewer.userPoolId), "idt-viewer-pool-id");
        assert.equal(await valueOf(info.viewer.clientId), "idt-viewer-client-id");
        assert.equal(await valueOf(info.viewer.issuerUrl), "https://cognito-idp.eu-west-3.amazonaws.com/idt-viewer-pool-id");
        assert.equal(await valueOf(info.viewer.hostedUiUrl), "https://flodrama-test-auth.auth.eu-west-3.amazoncognito.com");
        assert.equal(await valueOf(info.admin.hostedUiUrl), "https://flodrama-test-auth-admin.auth.eu-west-3.amazoncognito.com");
        assert.equal(await valueOf(info.admin.userPoolId), "idt-admin-pool-id");
        assert.match(await valueOf(info.viewer.userPoolArn), /^arn:aws:cognito-idp:eu-west-3:\d{12}:userpool\//);
        assert.deepEqual(await valueOf(info.planGroupNames), ["free", "standard", "premium"]);
    });

    it("refuses to run without an explicit AWS provider", async () => {
        await assert.rejects(
            simulate("dev", () => new Identity("noprov", { stack: "t", region: "eu-west-3", siteUrl: SITE, planGroups: ["free"], threatProtection: "off", domainPrefix: "x", protect: false, logRetentionDays: 30 })),
            /needs the stack's AWS provider/,
        );
    });

    it("refuses an empty plan list", () => {
        assert.throws(
            () =>
                new Identity("empty", { stack: "t", region: "eu-west-3", siteUrl: SITE, planGroups: [], threatProtection: "off", domainPrefix: "x", protect: false, logRetentionDays: 30 }),
            /planGroups must list at least one/,
        );
    });
});

for (const stack of stackNames()) {
    describe(`identity on stack ${stack}`, () => {
        let run: ProgramRun;
        let cfg: IdentityConfig;
        let protect: boolean;
        before(async () => {
            run = await runProgram(stack);
            cfg = JSON.parse(run.config["flodrama:identity"]);
            protect = JSON.parse(run.config["flodrama:protectStatefulResources"]);
        });

        it(`applies threat protection ${stack === "prod" ? "(enforced, Plus tier)" : "(off, Essentials tier)"} to both pools, per the stack file`, () => {
            const expected = threatProtectionSettings(cfg.threatProtection);
            for (const pool of run.ofType(POOL)) {
                assert.equal(pool.inputs.userPoolTier, expected.userPoolTier);
                assert.deepEqual(pool.inputs.userPoolAddOns, expected.userPoolAddOns);
            }
            assert.equal(run.ofType(RISK).length, cfg.threatProtection === "off" ? 0 : 2);
            assert.equal(cfg.threatProtection, stack === "prod" ? "enforced" : "off");
        });

        it("protects the pools as the stack says (protect and deletion protection)", () => {
            assert.equal(protect, stack === "prod");
            for (const pool of run.ofType(POOL)) {
                assert.equal(pool.protect, protect, pool.name);
                assert.equal(pool.inputs.deletionProtection, protect ? "ACTIVE" : "INACTIVE");
            }
        });

        it("sends e-mail as the stack file says (neither stack file sets identity.email: Cognito's sender)", () => {
            assert.equal(cfg.email, undefined);
            for (const pool of run.ofType(POOL)) {
                assert.deepEqual(pool.inputs.emailConfiguration, { emailSendingAccount: "COGNITO_DEFAULT" });
            }
        });

        it("requires MFA on the admin pool and offers it on the viewer pool", () => {
            assert.equal(run.one(POOL, "identity-admin-pool").inputs.mfaConfiguration, "ON");
            assert.equal(run.one(POOL, "identity-viewer-pool").inputs.mfaConfiguration, "OPTIONAL");
            assert.equal(run.one(POOL, "identity-admin-pool").inputs.adminCreateUserConfig.allowAdminCreateUserOnly, true);
        });

        it("creates one viewer group per configured plan", () => {
            const groups = run.ofType(GROUP);
            assert.deepEqual(groups.map((g) => g.inputs.name), cfg.planGroups);
            for (const g of groups) {
                assert.equal(g.inputs.userPoolId, "identity-viewer-pool-id");
            }
        });

        it("registers the configured callback and sign-out URLs, HTTPS-only outside dev", () => {
            const spa = run.one(CLIENT, "identity-viewer-client");
            const callbacks: string[] = spa.inputs.callbackUrls;
            // The site's own URL comes from the CDN site: flodrama.com in prod, the CloudFront domain in dev.
            assert.equal(callbacks[0], `${run.outputs.siteUrl}/auth/callback`);
            assert.equal(spa.inputs.logoutUrls[0], `${run.outputs.siteUrl}/`);
            assert.equal(run.one(CLIENT, "identity-admin-client").inputs.callbackUrls[0], `${run.outputs.siteUrl}/admin/auth/callback`);
            assert.deepEqual(callbacks.slice(1), cfg.extraCallbackUrls);
            assert.deepEqual(spa.inputs.logoutUrls.slice(1), cfg.extraLogoutUrls);
            if (stack !== "dev") {
                for (const u of [...callbacks, ...spa.inputs.logoutUrls, ...run.one(CLIENT, "identity-admin-client").inputs.callbackUrls]) {
                    assert.match(u, /^https:\/\//);
                }
            }
            assert.deepEqual(spa.inputs.allowedOauthFlows, ["code"]);
            assert.equal(spa.inputs.generateSecret, false);
        });

        it("serves managed login on the configured prefix and its -admin twin", () => {
            assert.equal(run.one(DOMAIN, "identity-viewer-domain").inputs.domain, cfg.domainPrefix);
            assert.equal(run.one(DOMAIN, "identity-admin-domain").inputs.domain, `${cfg.domainPrefix}-admin`);
        });

        it("exports each pool's logs to a vended-logs group with the stack's retention", () => {
            const retention = Number(run.config["flodrama:logRetentionDays"]);
            for (const kind of ["viewer", "admin"]) {
                const group = run.one(LOG_GROUP, `identity-${kind}-logs`);
                assert.equal(group.inputs.name, `/aws/vendedlogs/cognito/flodrama-${stack}-${kind}s`);
                assert.equal(group.inputs.retentionInDays, retention);
                const delivery = run.one(LOG_DELIVERY, `identity-${kind}-log-delivery`);
                assert.equal(delivery.inputs.userPoolId, `identity-${kind}-pool-id`);
                assert.deepEqual(delivery.inputs.logConfigurations, logConfigurations(cfg.threatProtection, group.state.arn));
            }
        });

        it("creates every Cognito resource with the stack's regional AWS provider", () => {
            for (const r of run.resources.filter((x) => x.type.startsWith("aws:cognito/"))) {
                assert.equal(run.providerOf(r)?.inputs.region, run.config["aws:region"], r.name);
            }
        });

        it("exports what the frontend needs", () => {
            const region = run.config["aws:region"];
            assert.equal(run.outputs.viewerUserPoolId, "identity-viewer-pool-id");
            assert.equal(run.outputs.spaClientId, "identity-viewer-client-id");
            assert.equal(run.outputs.adminUserPoolId, "identity-admin-pool-id");
            assert.equal(run.outputs.adminClientId, "identity-admin-client-id");
            assert.equal(run.outputs.adminHostedUiUrl, `https://${cfg.domainPrefix}-admin.auth.${region}.amazoncognito.com`);
            assert.equal(run.outputs.hostedUiUrl, `https://${cfg.domainPrefix}.auth.${region}.amazoncognito.com`);
            assert.equal(run.outputs.viewerIssuerUrl, `https://cognito-idp.${region}.amazonaws.com/identity-viewer-pool-id`);
            assert.equal(run.outputs.region, region);
        });
    });
}

describe("identity: config rules", () => {
    const problems = problemsFor;

    it("rejects plain-http sign-out URLs in prod and accepts only localhost over http in dev", () => {
        const prod = problems("prod", (v) => {
            v.identity.extraLogoutUrls = ["http://localhost:5173/"];
        });
        assert.deepEqual(prod.map((p) => p.key), ["flodrama:identity.extraLogoutUrls[0]"]);
        const dev = problems("dev", (v) => {
            v.identity.extraCallbackUrls = ["http://localhost:5173/auth/callback", "http://preview.flodrama.com/auth/callback"];
        });
        assert.deepEqual(dev.map((p) => p.key), ["flodrama:identity.extraCallbackUrls[1]"]);
    });

    it("rejects a domain prefix that Cognito refuses or that leaves no room for -admin", () => {
        const bad = problems("dev", (v) => {
            v.identity.domainPrefix = "flodrama-cognito";
        });
        assert.deepEqual(bad.map((p) => p.key), ["flodrama:identity.domainPrefix"]);
        const long = problems("dev", (v) => {
            v.identity.domainPrefix = `f${"a".repeat(57)}`;
        });
        assert.match(long[0]?.expected ?? "", /at most 57 characters/);
        assert.deepEqual(
            problems("dev", (v) => {
                v.identity.domainPrefix = `f${"a".repeat(56)}`;
            }),
            [],
        );
    });

    it("accepts an SES sender in the stack's region covering the from address, and refuses others", () => {
        const arn = "arn:aws:ses:eu-west-3:123456789012:identity/flodrama.com";
        const ok = (email: unknown) =>
            problems("prod", (v) => {
                v.identity.email = email;
            });
        assert.deepEqual(ok({ sesIdentityArn: arn, from: "no-reply@flodrama.com" }), []);
        assert.deepEqual(ok({ sesIdentityArn: arn, from: "no-reply@mail.flodrama.com" }), []);
        assert.deepEqual(ok({ sesIdentityArn: "arn:aws:ses:eu-west-3:123456789012:identity/ops@flodrama.com", from: "ops@flodrama.com" }), []);
        assert.deepEqual(ok({ sesIdentityArn: "arn:aws:ses:us-east-1:123456789012:identity/flodrama.com", from: "no-reply@flodrama.com" }).map((p) => [p.key, p.expected]), [
            ["flodrama:identity.email.sesIdentityArn", "an SES identity in the stack's region (eu-west-3)"],
        ]);
        assert.deepEqual(ok({ sesIdentityArn: arn, from: "no-reply@example.com" }).map((p) => p.key), ["flodrama:identity.email.from"]);
        assert.deepEqual(ok({ sesIdentityArn: "flodrama.com", from: "nobody" }).map((p) => p.key).sort(), ["flodrama:identity.email.from", "flodrama:identity.email.sesIdentityArn"]);
        assert.deepEqual(ok({ sesIdentityArn: arn, from: "no-reply@flodrama.com", replyTo: "x@flodrama.com" }).map((p) => p.key), ["flodrama:identity.email.replyTo"]);
        const cfg = configFor("prod", (v) => {
            v.identity.email = { sesIdentityArn: arn, from: "no-reply@flodrama.com" };
        });
        assert.deepEqual(cfg.identity.email, { sesIdentityArn: arn, from: "no-reply@flodrama.com" });
        assert.equal(configFor("prod").identity.email, undefined);
    });

    it("rejects an unknown threat protection mode and duplicate plan groups", () => {
        const p = problems("prod", (v) => {
            v.identity.threatProtection = "full";
            v.identity.planGroups = ["free", "free"];
        });
        assert.deepEqual(p.map((x) => x.key).sort(), ["flodrama:identity.planGroups", "flodrama:identity.threatProtection"]);
    });
});
