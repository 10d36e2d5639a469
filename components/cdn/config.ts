/** `flodrama:cdn` (CloudFront, custom domain, WAF) and `flodrama:frontend` (the React build it serves). */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { bool, domain, int, obj, oneOf, optional, report, text } from "../../lib/configSchema";

export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;

export const cdnSchema = obj({
    priceClass: oneOf(PRICE_CLASSES),
    /** Custom domain; absent means the CloudFront domain and certificate. */
    domain: optional(domain(false)),
    waf: obj({ enabled: bool(), rateLimitPer5Minutes: int(100, 2_000_000_000) }),
});

export type CdnConfig = z.infer<typeof cdnSchema>;

export interface FrontendConfig {
    /** Absolute directory with the built React app (`index.html` at its root); absent skips the upload. */
    buildDir?: string;
}

/** `buildDir` is relative to the project; it must exist and hold index.html. */
export function frontendSchema(projectDir: string) {
    return optional(obj({ buildDir: optional(text()) }))
        .transform((f, ctx): FrontendConfig => {
            if (f?.buildDir === undefined) {
                return {};
            }
            const dir = path.resolve(projectDir, f.buildDir);
            if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
                report(ctx, ["buildDir"], `an existing directory (resolved to ${dir})`, { hint: "Run the frontend build first, or remove the key to skip the upload." });
                return {};
            }
            if (!fs.existsSync(path.join(dir, "index.html"))) {
                report(ctx, ["buildDir"], `a build directory with index.html at its root (none in ${dir})`);
                return {};
            }
            return { buildDir: dir };
        });
}
