/**
 * CloudWatch check of `npm run verify`: the stack's alarms exist and none is in ALARM. Alarms are found
 * by the stack's name prefix (`flodrama-<stack>-`) in the stack's region and in us-east-1, where the
 * CloudFront alarms live; when the stack exports `alarmNames`, each of those must exist too.
 */
import { Check } from "./runner";

export interface Alarm {
    name: string;
    state: string;
    region: string;
}

export interface AlarmClient {
    alarmsWithPrefix(region: string, prefix: string): Promise<Alarm[]>;
}

export function alarmCheck(client: () => AlarmClient, regions: string[], prefix: string, expected: string[] = []): Check {
    return {
        name: "CloudWatch alarms exist and none is in ALARM",
        run: async () => {
            const c = client();
            const alarms = (await Promise.all([...new Set(regions)].map((r) => c.alarmsWithPrefix(r, prefix)))).flat();
            if (alarms.length === 0) {
                return { ok: false, detail: `no alarm named ${prefix}* in ${[...new Set(regions)].join(", ")}` };
            }
            const names = new Set(alarms.map((a) => a.name));
            const missing = expected.filter((n) => !names.has(n));
            const firing = alarms.filter((a) => a.state === "ALARM");
            const problems = [
                ...(missing.length ? [`missing: ${missing.join(", ")}`] : []),
                ...(firing.length ? [`in ALARM: ${firing.map((a) => `${a.name} (${a.region})`).join(", ")}`] : []),
            ];
            if (problems.length) {
                return { ok: false, detail: problems.join("; ") };
            }
            const insufficient = alarms.filter((a) => a.state === "INSUFFICIENT_DATA").length;
            return { ok: true, detail: `${alarms.length} alarms, none in ALARM${insufficient ? ` (${insufficient} without data yet)` : ""}` };
        },
    };
}

/** The AWS SDK client (credentials and proxy from the environment, as for the Pulumi CLI). */
export function sdkAlarmClient(): AlarmClient {
    // Loaded here so the tests and the offline tools never load the SDK.
    const { CloudWatchClient, DescribeAlarmsCommand } = require("@aws-sdk/client-cloudwatch") as typeof import("@aws-sdk/client-cloudwatch");
    const clients = new Map<string, InstanceType<typeof CloudWatchClient>>();
    return {
        alarmsWithPrefix: async (region, prefix) => {
            const cw = clients.get(region) ?? new CloudWatchClient({ region });
            clients.set(region, cw);
            const out: Alarm[] = [];
            let NextToken: string | undefined;
            do {
                const page = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ["MetricAlarm", "CompositeAlarm"], NextToken }));
                for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
                    out.push({ name: a.AlarmName ?? "", state: a.StateValue ?? "", region });
                }
                NextToken = page.NextToken;
            } while (NextToken);
            return out;
        },
    };
}
