/** The program's own rules, which no FSBP control covers. */
import { asArray, environmentOf, parsed, Res, resourcePolicy, stackPolicy } from "./framework";
import { DOCDB_CLUSTER, LAMBDA_FUNCTION, REPLICATION_GROUP } from "./resourceTypes";

export const REQUIRED_TAGS = ["Project", "Stack", "Environment", "Owner", "CostCenter", "ManagedBy"];

/** Resource types that hold what users store, or the keys that decrypt it. */
export const STATEFUL_TYPES = [
    DOCDB_CLUSTER,
    REPLICATION_GROUP,
    "aws:kms/key:Key",
    "aws:cognito/userPool:UserPool",
    "aws:s3/bucket:Bucket",
    "kubernetes:apps/v1:StatefulSet",
];

export const programPolicies = [
    stackPolicy(
        {
            name: "program-lambda-edge",
            description: "Lambda@Edge functions live in us-east-1, are published, attached by a numbered version and have no environment",
            severity: "high",
            judge: "program",
            appliesTo: ["aws:cloudfront/distribution:Distribution"],
            remediation: "create edge functions with components/cdn/edgeFunction.ts (us-east-1 provider, publish: true, qualified ARN).",
        },
        (resources) => {
            const out: Array<{ message: string; urn?: string }> = [];
            const functions = resources.filter((r) => r.type === LAMBDA_FUNCTION);
            for (const d of resources.filter((r) => r.type === "aws:cloudfront/distribution:Distribution")) {
                const behaviours = [d.props.defaultCacheBehavior, ...asArray(d.props.orderedCacheBehaviors)].filter(Boolean);
                for (const a of behaviours.flatMap((b: any) => asArray(b.lambdaFunctionAssociations))) {
                    const arn = String(a.lambdaArn ?? "");
                    const m = /^arn:aws:lambda:([a-z0-9-]+):\d{12}:function:([^:]+):(\d+)$/.exec(arn);
                    if (!m) {
                        out.push({ message: `Distribution ${d.name} attaches ${arn || "an unknown ARN"}, not a numbered version.`, urn: d.urn });
                        continue;
                    }
                    if (m[1] !== "us-east-1") {
                        out.push({ message: `Edge function ${m[2]} is in ${m[1]}, not us-east-1.`, urn: d.urn });
                    }
                    const fn = functions.find((f) => f.props.name === m[2] || String(f.props.arn ?? "").endsWith(`:function:${m[2]}`));
                    if (fn) {
                        if (fn.providerProps?.region !== "us-east-1") {
                            out.push({ message: `Edge function ${fn.name} is created through a provider in ${fn.providerProps?.region ?? "an unknown region"}.`, urn: fn.urn });
                        }
                        if (fn.props.publish !== true) {
                            out.push({ message: `Edge function ${fn.name} does not publish versions.`, urn: fn.urn });
                        }
                        if (fn.props.environment && Object.keys(fn.props.environment.variables ?? {}).length > 0) {
                            out.push({ message: `Edge function ${fn.name} sets environment variables, which Lambda@Edge rejects.`, urn: fn.urn });
                        }
                    }
                }
            }
            return out;
        },
    ),
    resourcePolicy(
        {
            name: "program-stack-tags",
            description: "Every AWS resource carries the stack's tags (Project, Stack, Environment, Owner, CostCenter, ManagedBy) through its provider's default tags",
            severity: "medium",
            judge: "program",
            appliesTo: ["aws:*"],
            remediation: "create the resource with the providers from lib/providers.ts.",
        },
        (r: Res) => {
            const tags = { ...(parsed(r.providerProps?.defaultTags)?.tags ?? {}), ...(r.props.tags ?? {}) };
            const missing = REQUIRED_TAGS.filter((t) => !tags[t]);
            return missing.length ? `${r.name} (${r.type}) lacks the tags ${missing.join(", ")}.` : undefined;
        },
    ),
    resourcePolicy(
        {
            name: "program-stateful-protected-in-prod",
            description: "In prod, resources that hold user data (or its keys) are protected against deletion by `pulumi up` or `destroy`",
            severity: "critical",
            judge: "program",
            appliesTo: STATEFUL_TYPES,
            remediation: "pass { protect: cfg.protect } to the resource (protectStatefulResources: true in prod).",
        },
        (r: Res) => (environmentOf(r) === "prod" && !r.protect ? `${r.name} (${r.type}) is not protected in prod.` : undefined),
    ),
];
