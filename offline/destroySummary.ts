/**
 * What `pulumi destroy` would meet on a stack, from an offline run: the plan prints it so a reader
 * sees, per stack, what protects what (docs/destroy.md) and who owns API Gateway's account setting.
 */
import { ProgramRun } from "./harness";

/** Resources with AWS-side deletion protection on, by the input that carries it. */
function deletionProtected(run: ProgramRun): string[] {
    return run.resources
        .filter((r) => r.inputs.deletionProtection === true || r.inputs.deletionProtection === "ACTIVE" || r.inputs.enableDeletionProtection === true)
        .map((r) => r.name);
}

export function renderDestroySummary(run: ProgramRun): string {
    const protect = JSON.parse(run.config["flodrama:protectStatefulResources"] ?? "false") === true;
    const manages = JSON.parse(run.config["flodrama:api"] ?? "{}").manageAccountSettings === true;
    const buckets = run.ofType("aws:s3/bucket:Bucket");
    const repos = run.ofType("aws:ecr/repository:Repository");
    const aws = deletionProtected(run);
    const lines = [
        `  protectStatefulResources: ${protect}`,
        `  Pulumi protect: ${run.resources.filter((r) => r.protect).length} resource(s); retained on delete: ${run.resources.filter((r) => r.retainOnDelete).map((r) => r.name).join(", ") || "none"}`,
        `  AWS deletion protection on: ${aws.join(", ") || "none"}`,
        `  force-destroyed buckets: ${buckets.filter((b) => b.inputs.forceDestroy === true).length}/${buckets.length}; force-deleted ECR repositories: ${repos.filter((r) => r.inputs.forceDelete === true).length}/${repos.length}`,
        `  API Gateway account setting (CloudWatch role): ${manages ? "managed by this stack, retained on delete" : "relies on the stack of this account and region that manages it (api.manageAccountSettings: true there)"}`,
        `  ${protect ? "teardown: follow docs/destroy.md (prod runbook)" : "teardown: `pulumi destroy` (rerun after a few hours if it stops on the Lambda@Edge replicas)"}`,
    ];
    return lines.join("\n");
}
