/** `flodrama:cluster`: the EKS version, endpoint access, who deploys and previews, node groups and namespace quotas. */
import { z } from "zod";
import { dnsLabel, cidr, int, list, obj, oneOf, optional, quantity, report, stringMap, text, whenParsed } from "../../lib/configSchema";
import { KubernetesVersion, NamespaceQuota, SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/contracts";

/**
 * End of EKS standard support (UTC) of each supported version, from the EKS release calendar
 * (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html), reviewed 2026-11-28:
 * 1.34 ends 2026-12-02 and 1.35 2027-03-27 (published). The calendar reviewed had no 1.36 row yet:
 * its date is 14 months after its EKS release in mid 2026, to confirm with the calendar. After the
 * date EKS bills extended support; the program refuses the version, and warns 30 days before.
 */
export const END_OF_STANDARD_SUPPORT = {
    "1.34": "2026-12-02",
    "1.35": "2027-03-27",
    "1.36": "2027-07-31",
} satisfies Record<KubernetesVersion, string>;

/** How long before the end of standard support the plan warns. */
export const SUPPORT_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The versions still in standard support at `now`. */
export function versionsInSupport(now: Date): KubernetesVersion[] {
    return SUPPORTED_KUBERNETES_VERSIONS.filter((v) => Date.parse(`${END_OF_STANDARD_SUPPORT[v]}T00:00:00Z`) > now.getTime());
}

/** A warning when `version` leaves standard support within `SUPPORT_WARNING_DAYS` of `now`. */
export function supportWarning(version: KubernetesVersion, now: Date): string | undefined {
    const end = Date.parse(`${END_OF_STANDARD_SUPPORT[version]}T00:00:00Z`);
    const days = Math.ceil((end - now.getTime()) / DAY_MS);
    if (days > SUPPORT_WARNING_DAYS) {
        return undefined;
    }
    const next = versionsInSupport(new Date(end)).filter((v) => v > version);
    return (
        `flodrama:cluster.version: Kubernetes ${version} leaves EKS standard support on ${END_OF_STANDARD_SUPPORT[version]} (in ${days} day${days === 1 ? "" : "s"}); ` +
        `EKS then bills extended support. Upgrade to ${next.length ? next.map((v) => `"${v}"`).join(" or ") : "a newer version"} (one minor version per update).`
    );
}

function kubernetesVersion(now: Date) {
    return z
        .unknown()
        .superRefine((v, ctx) => {
            const allowed = versionsInSupport(now);
            if (typeof v === "string" && (allowed as string[]).includes(v)) {
                return;
            }
            const expired = typeof v === "string" && v in END_OF_STANDARD_SUPPORT;
            report(ctx, [], `a Kubernetes version in EKS standard support, as a quoted string: ${allowed.map((x) => `"${x}"`).join(", ")}`, {
                hint: expired
                    ? `Kubernetes ${v} left EKS standard support on ${END_OF_STANDARD_SUPPORT[v as KubernetesVersion]}; upgrade one minor version at a time.`
                    : v === "1.29" || v === 1.29
                      ? "The seed's 1.29 is past EKS extended support; see README, Kubernetes version."
                      : undefined,
            });
        })
        .transform((v) => v as KubernetesVersion);
}

export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;

export const nodeGroupSchema = obj({
    /** Short name, a DNS label (e.g. `general`). */
    name: dnsLabel(20),
    /** At least one EC2 instance type; two or more let the group fall back when one is scarce. */
    instanceTypes: list(text("an EC2 instance type such as m6i.large", { pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/ }), { min: 1, max: 20, unique: true }),
    capacityType: oneOf(CAPACITY_TYPES),
    minSize: int(0, 450),
    desiredSize: int(0, 450),
    maxSize: int(1, 450),
    /** Root volume size in GiB (gp3, encrypted). */
    diskSizeGiB: int(20, 16384).default(50),
    /** Extra Kubernetes node labels. */
    labels: stringMap().default({}),
})
    .superRefine((g, ctx) => {
        if (g.minSize > g.maxSize) {
            report(ctx, ["minSize"], `at most maxSize (${g.maxSize})`, { hint: "Lower minSize or raise maxSize." });
        } else if (g.desiredSize < g.minSize || g.desiredSize > g.maxSize) {
            report(ctx, ["desiredSize"], `between minSize (${g.minSize}) and maxSize (${g.maxSize})`);
        }
    }, whenParsed("minSize", "desiredSize", "maxSize"));

const namespaceQuota = obj({
    requestsCpu: quantity(),
    requestsMemory: quantity(),
    limitsCpu: quantity(),
    limitsMemory: quantity(),
    pods: int(1, 10000),
}) satisfies z.ZodType<NamespaceQuota>;

/** An EKS add-on build, e.g. `v1.20.4-eksbuild.2` (`aws eks describe-addon-versions` lists them). */
const addonVersion = () => text("an EKS add-on version such as v1.20.4-eksbuild.2", { pattern: /^v\d+\.\d+\.\d+-eksbuild\.\d+$/ });

/** Pins of EKS add-on versions; an absent key gets EKS's default for the cluster's version (components/cluster/clusterSpecs.ts). */
const addonVersionsSchema = obj({ vpcCni: optional(addonVersion()), coredns: optional(addonVersion()), kubeProxy: optional(addonVersion()), ebsCsi: optional(addonVersion()) });

/**
 * An IAM role ARN as EKS access entries take it: any partition, a 12-digit account, an optional path
 * (`role/ci/flodrama-deploy`; access entries accept paths, aws-auth did not) and a role name of up to
 * 64 characters. Not a user, an assumed-role session or a role with a wildcard.
 */
export const ACCESS_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

const roleArn = () =>
    text("an IAM role ARN such as arn:aws:iam::123456789012:role/flodrama-deploy (a path such as role/ci/flodrama-deploy is allowed; not a user or an assumed-role session)", {
        pattern: ACCESS_ROLE_ARN,
    });

/** A VPC security group id: `sg-` and 8 or 17 hex digits. */
export const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * `cluster.access`: who may deploy and preview, and from where the private endpoint may be reached.
 * A role may be a deployer or a previewer, not both (EKS allows one access entry per principal).
 */
export const accessSchema = obj({
    /** Roles that run `pulumi up`: cluster-admin access entries. Never the identity that created the cluster (EKS made it admin already). */
    deployers: list(roleArn(), { unique: true }).default([]),
    /** Roles that run `pulumi preview` and the drift check: read-only access entries (AmazonEKSAdminViewPolicy). */
    previewers: list(roleArn(), { unique: true }).default([]),
    /** Networks allowed to reach the API endpoint on 443 (VPN, Transit Gateway, peered tooling network). */
    endpointSources: obj({
        cidrs: list(
            cidr(0, 32).superRefine((v, ctx) => {
                if (v === "0.0.0.0/0") {
                    report(ctx, [], "a network's own CIDR, not 0.0.0.0/0 (that would open the private endpoint to every address routed into the VPC)");
                }
            }),
            { unique: true },
        ).default([]),
        securityGroupIds: list(text("a security group id: sg- and 8 or 17 lower-case hex digits, such as sg-0123456789abcdef0", { pattern: SECURITY_GROUP_ID }), {
            unique: true,
        }).default([]),
    }).default({ cidrs: [], securityGroupIds: [] }),
}).superRefine((a, ctx) => {
    a.previewers.forEach((arn, i) => {
        if (a.deployers.includes(arn)) {
            report(ctx, ["previewers", i], "a role that is not also a deployer (EKS allows one access entry per principal; a deployer can already preview)", {
                hint: "Remove it from cluster.access.previewers.",
            });
        }
    });
}, whenParsed("deployers", "previewers"));

export type ClusterAccessConfig = z.infer<typeof accessSchema>;

/** The key that `cluster.access.deployers` replaced: reported with the move to make, never ignored. */
const renamedAdminRoleArns = z.unknown().optional().superRefine((v, ctx) => {
    if (v !== undefined) {
        report(ctx, [], "no `adminRoleArns`: the key was renamed to cluster.access.deployers", {
            hint: "Move these role ARNs under cluster.access.deployers (leaving out the identity that created the cluster, which EKS already made admin), then delete the old key: `pulumi config rm --path 'flodrama:cluster.adminRoleArns'`.",
        });
    }
});

export function clusterSchema(now: Date) {
    return obj({
        version: kubernetesVersion(now),
        /** CIDRs allowed on the public API endpoint; empty means the endpoint is private only. */
        publicAccessCidrs: list(cidr(0, 32), { unique: true }).default([]),
        /** Who deploys and previews, and which networks reach the endpoint (docs/deploy-access.md). */
        access: accessSchema.default({ deployers: [], previewers: [], endpointSources: { cidrs: [], securityGroupIds: [] } }),
        /** Renamed to `access.deployers`; present only to say so. */
        adminRoleArns: renamedAdminRoleArns,
        nodeGroups: list(nodeGroupSchema, { min: 1 }).superRefine(
            (groups, ctx) => {
                const names = groups.map((g) => g.name);
                if (new Set(names).size !== names.length) {
                    report(ctx, [], "node groups with distinct names", { value: names });
                }
                // A cluster whose every group may sit at zero nodes has nowhere to run a pod, not even the
                // cluster autoscaler that would scale a group up.
                if (groups.length > 0 && groups.every((g) => g.minSize === 0 && g.desiredSize === 0)) {
                    report(ctx, [], "at least one node group with minSize or desiredSize above 0 (with every group at 0 nodes no pod can run, not even the cluster autoscaler)", {
                        value: groups.map((g) => `${g.name}: minSize ${g.minSize}, desiredSize ${g.desiredSize}`),
                        hint: "Set minSize and desiredSize of one group to at least 1.",
                    });
                }
            },
            { when: (p) => p.issues.length === 0 },
        ),
        quotas: obj({ app: namespaceQuota, infra: namespaceQuota }),
        /** EKS add-on versions to pin; unpinned ones get EKS's default version for `version`. */
        addonVersions: addonVersionsSchema.default({}),
    }).superRefine((c, ctx) => {
        // kube-proxy runs the cluster's own minor version; a pin from another minor fails CreateAddon.
        const kubeProxy = c.addonVersions.kubeProxy;
        if (kubeProxy !== undefined && !kubeProxy.startsWith(`v${c.version}.`)) {
            report(ctx, ["addonVersions", "kubeProxy"], `a kube-proxy build of the cluster's Kubernetes version (v${c.version}.x-eksbuild.N)`, {
                value: kubeProxy,
                hint: `List them with: aws eks describe-addon-versions --kubernetes-version ${c.version} --addon-name kube-proxy; or remove the pin to get EKS's default.`,
            });
        }
    }, whenParsed("version", "addonVersions"));
}

export type ClusterConfig = Omit<z.infer<ReturnType<typeof clusterSchema>>, "adminRoleArns">;
export type NodeGroupConfig = z.infer<typeof nodeGroupSchema>;
