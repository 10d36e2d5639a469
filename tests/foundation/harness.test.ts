import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { simulate, valueOf } from "../../offline/harness";

describe("offline harness", () => {
    it("records parent, provider, protect and secret inputs", async () => {
        const { resources } = await simulate("dev", () => {
            const aws = require("@pulumi/aws");
            class Box extends pulumi.ComponentResource {
                constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
                    super("flodrama:test:Box", name, {}, opts);
                    new aws.sns.Topic(`${name}-topic`, { name: pulumi.secret("hidden") }, { parent: this, protect: true });
                    this.registerOutputs({});
                }
            }
            const provider = new aws.Provider("p", { region: "eu-west-3" });
            new Box("box", { providers: [provider] });
        });
        const topic = resources.find((r) => r.type === "aws:sns/topic:Topic")!;
        const box = resources.find((r) => r.type === "flodrama:test:Box")!;
        assert.equal(topic.parent, box.urn);
        assert.ok(topic.provider?.endsWith("::p"));
        assert.equal(topic.protect, true);
        assert.deepEqual(topic.secretInputs, ["name"]);
        assert.equal(topic.inputs.name, "hidden");
    });

    it("fails on duplicate URNs, as the engine would", async () => {
        await assert.rejects(
            simulate("dev", () => {
                const aws = require("@pulumi/aws");
                const provider = new aws.Provider("p", { region: "eu-west-3" });
                new aws.sns.Topic("same", {}, { provider });
                new aws.sns.Topic("same", {}, { provider });
            }),
            /duplicate URNs/,
        );
    });

    it("reads a rejected Output as a rejection instead of hanging", async () => {
        const failing = pulumi.output(Promise.reject(new Error("boom")));
        await assert.rejects(valueOf(failing), /boom/);
    });

    it("resolves computed outputs from the mocks", async () => {
        let arn: pulumi.Output<string> | undefined;
        await simulate("prod", () => {
            const aws = require("@pulumi/aws");
            const provider = new aws.Provider("p", { region: "us-east-1" });
            arn = new aws.sns.Topic("t", {}, { provider }).arn;
        });
        assert.match(await valueOf(arn!), /^arn:aws:sns:us-east-1:123456789012:/);
    });
});
