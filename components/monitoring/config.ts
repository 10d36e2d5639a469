/** `flodrama:monitoring`: alert e-mails, dashboard, alarm evaluation, budget, Prometheus and Grafana storage. */
import { z } from "zod";
import { bool, email, int, list, num, obj, optional, report, text, whenParsed } from "../../lib/configSchema";
import { MonitoringConfig } from "../../lib/contracts";

/** CloudWatch dashboard names: up to 255 letters, digits, `-` and `_`. */
export const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export function monitoringSchema(environment: "dev" | "prod" | undefined, stack: string) {
    return obj({
        alertEmails: list(email("ops@flodrama.com"), { unique: true })
            .default([])
            .superRefine((emails, ctx) => {
                if (environment === "prod" && emails.length === 0) {
                    report(ctx, [], "at least one e-mail address in prod, so that alarms reach someone");
                }
            }),
        /** Default `FloDrama-Dashboard-<stack>`, so stacks sharing an account do not collide; prod sets the seed's name. */
        dashboardName: optional(text("a CloudWatch dashboard name: up to 255 letters, digits, '-' or '_'", { pattern: DASHBOARD_NAME })).transform((v) => v ?? `FloDrama-Dashboard-${stack}`),
        alarms: obj({ periodSeconds: int(60, 86400), evaluationPeriods: int(1, 100), datapointsToAlarm: int(1, 100) })
            // Every alarmed metric (CloudFront, API Gateway, DocumentDB, ElastiCache) has one-minute resolution:
            // a 10, 20 or 30 s period is accepted by CloudWatch but leaves the alarm mostly in INSUFFICIENT_DATA.
            .superRefine((a, ctx) => {
                if (a.periodSeconds % 60 !== 0) {
                    report(ctx, ["periodSeconds"], "a multiple of 60 (the alarmed AWS metrics have one-minute resolution)");
                }
            }, whenParsed("periodSeconds"))
            .superRefine((a, ctx) => {
                if (a.periodSeconds * a.evaluationPeriods > 86400) {
                    report(ctx, ["evaluationPeriods"], `at most ${Math.floor(86400 / a.periodSeconds)} with a ${a.periodSeconds} s period (CloudWatch evaluates at most one day)`);
                }
            }, whenParsed("periodSeconds", "evaluationPeriods"))
            .superRefine((a, ctx) => {
                if (a.datapointsToAlarm > a.evaluationPeriods) {
                    report(ctx, ["datapointsToAlarm"], `at most evaluationPeriods (${a.evaluationPeriods})`);
                }
            }, whenParsed("datapointsToAlarm", "evaluationPeriods")),
        budget: obj({ monthlyLimitUsd: num(1, 10_000_000), forecastAlert: bool().default(true) }),
        prometheus: obj({ retention: text("a Prometheus retention such as 15d", { pattern: /^\d+(h|d|w|y)$/ }), storageGi: int(1, 16384) }),
        grafana: obj({ storageGi: int(1, 16384) }),
    }) satisfies z.ZodType<MonitoringConfig>;
}
