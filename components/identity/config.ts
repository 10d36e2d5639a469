/** `flodrama:identity`: the Cognito pools' plan groups, threat protection, hosted UI domain, URLs and sender. */
import { z } from "zod";
import { dnsLabel, email, isHttpsOrLocal, list, obj, oneOf, optional, parseUrl, report, text, whenParsed } from "../../lib/configSchema";

export const THREAT_PROTECTION = ["off", "audit", "enforced"] as const;

/** An https URL, or http://localhost where plain http is allowed (undefined: the environment did not parse, accept both). */
function url(httpsOnly: boolean | undefined) {
    const description = httpsOnly ? "an https:// URL (plain http is only accepted in dev)" : "an https:// URL, or http://localhost in dev";
    return text(description, {
        check: (s) => {
            const u = parseUrl(s);
            return !u ? "an absolute URL" : isHttpsOrLocal(u, !httpsOnly) ? undefined : description;
        },
    });
}

/** The optional SES sender of the user pools: a verified identity in the stack's region, and an address it covers. */
function sesSender(region: string | undefined) {
    return obj({
        /** ARN of a verified SES identity in the stack's region. */
        sesIdentityArn: text("the ARN of a verified SES identity, such as arn:aws:ses:eu-west-3:123456789012:identity/flodrama.com", {
            pattern: /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/[^/\s]+$/,
            // Cognito sends through SES in its own region: an identity elsewhere is refused at pool update.
            check: (v) => (region && v.split(":")[3] !== region ? `an SES identity in the stack's region (${region})` : undefined),
        }),
        /** Sender address, an address of that identity, e.g. `no-reply@flodrama.com`. */
        from: email("no-reply@flodrama.com"),
    }).superRefine((e, ctx) => {
        const identity = e.sesIdentityArn.slice(e.sesIdentityArn.indexOf("identity/") + "identity/".length);
        const domainPart = e.from.slice(e.from.lastIndexOf("@") + 1);
        if (identity !== e.from && identity !== domainPart && !domainPart.endsWith(`.${identity}`)) {
            report(ctx, ["from"], `an address that the SES identity ${identity} covers (that address, or one in that domain)`);
        }
    }, whenParsed("sesIdentityArn", "from"));
}

export function identitySchema(environment: "dev" | "prod" | undefined, region: string | undefined) {
    const httpsOnly = environment === undefined ? undefined : environment !== "dev";
    return obj({
        /** Cognito groups of the viewer pool, one per subscription plan. */
        planGroups: list(dnsLabel(64), { min: 1, max: 20, unique: true }),
        threatProtection: oneOf(THREAT_PROTECTION),
        /** Prefix of the Cognito hosted UI domain (`<prefix>.auth.<region>.amazoncognito.com`), globally unique. */
        domainPrefix: text("a Cognito domain prefix: lower-case letters, digits and '-', not containing aws, amazon or cognito", {
            pattern: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
            check: (v) =>
                /aws|amazon|cognito/.test(v)
                    ? "a prefix without the reserved words aws, amazon or cognito"
                    : // The admin pool's domain is `<prefix>-admin`, and Cognito prefixes stop at 63 characters.
                      v.length > 57
                      ? "a prefix of at most 57 characters (the admin pool's domain appends -admin)"
                      : undefined,
        }),
        /** Callback URLs besides the site's own (e.g. a local dev server). */
        extraCallbackUrls: list(url(httpsOnly), { unique: true }).default([]),
        extraLogoutUrls: list(url(httpsOnly), { unique: true }).default([]),
        /** Amazon SES sender of both pools' e-mails; absent: Cognito's own sender (small daily quota). */
        email: optional(sesSender(region)),
    });
}

export type IdentityConfig = z.infer<ReturnType<typeof identitySchema>>;
export type IdentityEmailConfig = NonNullable<IdentityConfig["email"]>;
