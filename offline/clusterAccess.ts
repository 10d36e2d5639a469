/**
 * "Kubernetes API reachable from: …; authorised: …" for the offline plan, built from what the program
 * registers (the eks.Cluster inputs, the 443 ingress rules into its security group, a deploy runner),
 * never from the config, so the line shows what a `pulumi up` would really create.
 */
import type { RecordedResource } from "./harness";

const CLUSTER_ADMIN = "AmazonEKSClusterAdminPolicy";
const ADMIN_VIEW = "AmazonEKSAdminViewPolicy";

/** The facts the line is built from: a subset of a program run, so tests can hand-build one. */
export interface AccessFacts {
    resources: Pick<RecordedResource, "type" | "name" | "urn" | "inputs" | "state" | "dependencies">[];
}

function rulesInto(cluster: AccessFacts["resources"][number], facts: AccessFacts) {
    const sg = cluster.state?.eksCluster?.vpcConfig?.clusterSecurityGroupId;
    return facts.resources.filter(
        (r) =>
            r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
            (r.dependencies.includes(cluster.urn) || (sg !== undefined && r.inputs.securityGroupId === sg)) &&
            Number(r.inputs.fromPort) <= 443 &&
            Number(r.inputs.toPort) >= 443,
    );
}

function principalsWith(entries: Record<string, any>, policy: string): string[] {
    return Object.values(entries ?? {})
        .filter((e: any) => Object.values(e?.accessPolicies ?? {}).some((p: any) => String(p?.policyArn).endsWith(`/${policy}`)))
        .map((e: any) => String(e.principalArn));
}

/** One line per EKS cluster of the run. */
export function clusterAccessLines(facts: AccessFacts): string[] {
    const runners = facts.resources.filter((r) => r.type === "aws:codebuild/project:Project" && r.inputs.vpcConfig !== undefined);
    return facts.resources
        .filter((r) => r.type === "eks:index:Cluster")
        .map((c) => {
            const sources = [
                ...rulesInto(c, facts).map((r) => r.inputs.cidrIpv4 ?? (r.inputs.referencedSecurityGroupId ? `security group ${r.inputs.referencedSecurityGroupId}` : r.name)),
                ...runners.map((r) => `deploy runner ${r.inputs.name ?? r.name}`),
            ];
            const reach =
                c.inputs.endpointPublicAccess === false
                    ? `private: ${sources.length ? sources.join(", ") : "nothing outside the cluster (no 443 rule, no runner)"}`
                    : `public ${(c.inputs.publicAccessCidrs ?? ["0.0.0.0/0"]).join(", ")}${sources.length ? `; private: ${sources.join(", ")}` : ""}`;
            const deployers = principalsWith(c.inputs.accessEntries, CLUSTER_ADMIN);
            const previewers = principalsWith(c.inputs.accessEntries, ADMIN_VIEW);
            const creator = runners.length ? "the creating identity, the deploy runner's role (cluster-admin, implicit)" : "the creating identity (cluster-admin, implicit)";
            const who = [
                deployers.length ? `deployers ${deployers.join(", ")} (cluster-admin)` : "no deployer entry",
                previewers.length ? `previewers ${previewers.join(", ")} (admin view)` : "no previewer entry",
                creator,
            ];
            return `${c.name}: Kubernetes API reachable from: ${reach}; authorised: ${who.join("; ")}`;
        });
}
