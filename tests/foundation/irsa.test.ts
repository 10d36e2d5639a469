import { strict as assert } from "assert";
import { IrsaRole, irsaTrustPolicy } from "../../lib/irsaRole";
import { simulate } from "../../offline/harness";

const ISSUER = "oidc.eks.eu-west-3.amazonaws.com/id/ABC";
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;

describe("IRSA role", () => {
    it("trusts exactly one ServiceAccount and the STS audience", () => {
        const doc = JSON.parse(irsaTrustPolicy(PROVIDER, `https://${ISSUER}`, "flodrama", "api"));
        assert.equal(doc.Statement.length, 1);
        const s = doc.Statement[0];
        assert.deepEqual(s.Principal, { Federated: PROVIDER });
        assert.equal(s.Action, "sts:AssumeRoleWithWebIdentity");
        assert.deepEqual(s.Condition, {
            StringEquals: {
                [`${ISSUER}:sub`]: "system:serviceaccount:flodrama:api",
                [`${ISSUER}:aud`]: "sts.amazonaws.com",
            },
        });
    });

    it("creates the role and its inline policy under mocks", async () => {
        const { resources } = await simulate("dev", () => {
            const aws = require("@pulumi/aws");
            const provider = new aws.Provider("test-aws", { region: "eu-west-3" });
            return new IrsaRole(
                "scraper-irsa",
                {
                    oidc: { providerArn: PROVIDER, issuer: ISSUER },
                    namespace: "flodrama",
                    serviceAccount: "scraper",
                    stack: "dev",
                    policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::b/*" }] },
                },
                { provider },
            );
        });
        const role = resources.find((r) => r.type === "aws:iam/role:Role")!;
        assert.equal(role.name, "scraper-irsa-role");
        assert.equal(role.inputs.name, "flodrama-dev-flodrama-scraper");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.equal(trust.Statement[0].Condition.StringEquals[`${ISSUER}:sub`], "system:serviceaccount:flodrama:scraper");
        const policy = resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
        assert.deepEqual(JSON.parse(policy.inputs.policy).Statement[0].Action, ["s3:PutObject"]);
        for (const r of resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            assert.ok(r.provider?.endsWith("::test-aws"), `${r.name} uses the explicit provider`);
        }
    });

    it("hands out its ARN only after the permissions are attached, so consumers wait for them", async () => {
        const { resources } = await simulate("dev", () => {
            const aws = require("@pulumi/aws");
            const provider = new aws.Provider("test-aws", { region: "eu-west-3" });
            const role = new IrsaRole(
                "addon-irsa",
                {
                    oidc: { providerArn: PROVIDER, issuer: ISSUER },
                    namespace: "kube-system",
                    serviceAccount: "addon",
                    stack: "dev",
                    policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: "*" }] },
                    managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
                },
                { provider },
            );
            // Any consumer of the ARN (an add-on, a ServiceAccount annotation) stands in here.
            new aws.ssm.Parameter("consumer", { type: "String", value: role.roleArn }, { provider });
        });
        const consumer = resources.find((r) => r.name === "consumer")!;
        for (const type of ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]) {
            const r = resources.find((x) => x.type === type)!;
            assert.ok(consumer.dependencies.includes(r.urn), `the ARN's consumer waits for ${type}`);
        }
    });
});
