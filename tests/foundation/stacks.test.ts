/**
 * Invariants of the whole program, checked on every stack file: explicit providers everywhere,
 * tags from config, children named after their component, nothing registered twice.
 */
import { strict as assert } from "assert";
import { ProgramRun, runProgram, stackNames } from "../../offline/harness";

for (const stack of stackNames()) {
    describe(`program on stack ${stack}`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram(stack);
        });

        it("registers resources under the mocks", () => {
            assert.ok(run.resources.length > 0);
        });

        it("gives every AWS and Kubernetes resource an explicit provider", () => {
            // Dynamic resources (the CloudFront invalidation) run in-process and take no provider; nor
            // does the engine's built-in Stash (the EKS creator's ARN, components/cluster/cluster.ts).
            const ambient = run.resources.filter(
                (r) => r.custom && !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("pulumi-nodejs:dynamic") && r.type !== "pulumi:index:Stash" && !r.provider,
            );
            assert.deepEqual(ambient.map((r) => `${r.type} ${r.name}`), []);
            const defaults = run.resources.filter((r) => r.provider && /::default(_\d+_\d+_\d+)?$/.test(r.provider));
            assert.deepEqual(defaults.map((r) => `${r.type} ${r.name}`), [], "no resource on a default provider");
        });

        it("hands every remote component (awsx, eks) an explicit provider for each package its children use", () => {
            // Remote components do not inherit their parent's providers; an empty map means default providers.
            const remotes = run.resources.filter((r) => r.remote);
            const bare = remotes.filter((r) => !r.providers.aws || /::default(_\d+_\d+_\d+)?$/.test(r.providers.aws));
            assert.deepEqual(bare.map((r) => `${r.type} ${r.name}`), []);
        });

        it("makes every invoke (data source) through an explicit provider", () => {
            assert.ok(run.invokes.length > 0, "the harness records invokes");
            const own = run.invokes.filter((i) => !i.token.startsWith("pulumi:"));
            const ambient = own.filter((i) => !i.provider || /::default(_\d+_\d+_\d+)?::/.test(i.provider));
            assert.deepEqual(ambient.map((i) => i.token), []);
        });

        it("builds each stateless provider once (random)", () => {
            assert.deepEqual(run.ofType("pulumi:providers:random").map((p) => p.name), ["random"]);
        });

        it("builds the AWS providers with the stack's default tags, one in us-east-1, one in the recommendations region", () => {
            const awsProviders = run.ofType("pulumi:providers:aws");
            const regions = awsProviders.map((p) => p.inputs.region).sort();
            // eu-central-1: Personalize and what it reads (eu-west-3 lacks Personalize, docs/recommendations.md#region).
            assert.deepEqual(regions, ["eu-central-1", "eu-west-3", "us-east-1"]);
            for (const p of awsProviders) {
                const tags = JSON.parse(p.inputs.defaultTags).tags;
                assert.equal(tags.Project, "flodrama");
                assert.equal(tags.Stack, stack);
                assert.ok(tags.Owner && tags.CostCenter && tags.Environment);
            }
        });

        it("names every child after its component", () => {
            const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
            const bad = run.resources.filter((r) => {
                const parent = r.parent ? byUrn.get(r.parent) : undefined;
                return parent && !parent.type.startsWith("pulumi:") && !r.name.startsWith(parent.name);
            });
            assert.deepEqual(bad.map((r) => `${r.name} under ${byUrn.get(r.parent!)!.name}`), []);
        });

        it("declares a flodrama:<area>:<Class> token on every component", () => {
            const components = run.resources.filter((r) => !r.custom && !r.remote && !r.type.startsWith("pulumi:"));
            for (const c of components) {
                assert.match(c.type, /^flodrama:[a-z][a-z0-9]*:[A-Z][A-Za-z]+$/, c.type);
            }
        });
    });
}
