/**
 * The EKS cluster: what the program passes to eks.Cluster, the KMS key, control-plane logs,
 * access entries, managed node groups and their launch templates, the pinned add-ons with their IRSA
 * roles, the Kubernetes provider, and the cluster-specific config errors, for both stack files.
 */
import { strict as assert } from "assert";
import { EksCluster } from "../../components/cluster/cluster";
import {
    addonVersionChoices,
    renderAddonVersions,
    accessEntries,
    autoscalerTags,
    CLUSTER_LOG_TYPES,
    EBS_CSI_SERVICE_ACCOUNT,
    endpointAccess,
    launchTemplateSpec,
    NODE_AMI_TYPE,
    secretsKeyPolicy,
} from "../../components/cluster/clusterSpecs";
import { loadConfig } from "../../config";
import { END_OF_STANDARD_SUPPORT, NodeGroupConfig } from "../../components/cluster/config";
import { assertProblem, configFor, ConfigEdit, problemsOf } from "../../offline/stackConfig";
import { KubernetesVersion, SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/contracts";
import { fakeNetwork } from "../../offline/fixtures";
import { ACCOUNT_ID } from "../../offline/mocks";
import { isSecret, ProgramRun, runProgram, simulate, stackNames } from "../../offline/harness";
import { clusterArgs } from "./clusterArgs";

interface ClusterCfg {
    version: KubernetesVersion;
    publicAccessCidrs: string[];
    access: { deployers: string[]; previewers: string[] };
    nodeGroups: NodeGroupConfig[];
}

const ISSUER = "oidc.eks.eu-west-3.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

describe("cluster: pure specs", () => {
    it("resolves every add-on to EKS's default unless config pins it, and says which", () => {
        const choices = addonVersionChoices("1.35", { coredns: "v1.12.4-eksbuild.1" });
        assert.deepEqual(
            choices.map((c) => [c.addonName, c.pinned]),
            [["vpc-cni", undefined], ["coredns", "v1.12.4-eksbuild.1"], ["kube-proxy", undefined], ["aws-ebs-csi-driver", undefined]],
        );
        const text = renderAddonVersions("1.35", { coredns: "v1.12.4-eksbuild.1" });
        assert.match(text, /vpc-cni +EKS default +resolved: EKS default for Kubernetes 1\.35/);
        assert.match(text, /coredns +v1\.12\.4-eksbuild\.1 +pinned in config \(flodrama:cluster\.addonVersions\.coredns\)/);
        assert.ok(SUPPORTED_KUBERNETES_VERSIONS.length > 0);
    });

    it("keeps the endpoint private unless CIDRs are listed", () => {
        assert.deepEqual(endpointAccess([]), { endpointPrivateAccess: true, endpointPublicAccess: false });
        assert.deepEqual(endpointAccess(["203.0.113.0/24"]), { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
    });

    it("grants cluster-admin to deployers and admin view to previewers, at cluster scope, keyed by role name", () => {
        const entries = accessEntries({ deployers: ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/ci/b"], previewers: ["arn:aws:iam::111122223333:role/ci/b-preview"] });
        assert.deepEqual(Object.keys(entries), ["deployer-a", "deployer-b", "previewer-b-preview"]);
        assert.deepEqual(entries["deployer-b"], {
            principalArn: "arn:aws:iam::111122223333:role/ci/b",
            type: "STANDARD",
            accessPolicies: { "cluster-admin": { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } } },
        });
        assert.deepEqual(entries["previewer-b-preview"].accessPolicies, {
            "admin-view": { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy", accessScope: { type: "cluster" } },
        });
        assert.deepEqual(accessEntries({ deployers: [], previewers: [] }), {});
    });

    it("writes a key policy with no public principal and no wildcard action; only the deployer may create the EKS grant", () => {
        const deployer = "arn:aws:iam::111122223333:role/flodrama-deployer";
        const doc = JSON.parse(secretsKeyPolicy("aws", "111122223333", deployer));
        const [account, grant] = doc.Statement;
        assert.deepEqual(account.Principal, { AWS: "arn:aws:iam::111122223333:root" });
        assert.ok(!account.Action.includes("kms:CreateGrant"), "the account's statement has no CreateGrant");
        // EKS CreateCluster does not support kms:GrantIsForAWSResource: a plain grant, to the deployer only.
        assert.deepEqual(grant, { Sid: "DeployerCreatesEksClusterGrant", Effect: "Allow", Principal: { AWS: deployer }, Action: ["kms:CreateGrant", "kms:DescribeKey"], Resource: "*" });
        for (const s of doc.Statement) {
            assert.ok(!s.Action.includes("*") && !s.Action.includes("kms:*"));
        }
    });

    it("tags node groups for cluster-autoscaler discovery", () => {
        assert.deepEqual(autoscalerTags("flodrama-dev-eks"), { "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/flodrama-dev-eks": "owned" });
    });
});

for (const stack of stackNames()) {
    describe(`cluster on stack ${stack}`, () => {
        let run: ProgramRun;
        let cfg: ClusterCfg;
        let azCount: number;
        let eksInputs: Record<string, any>;
        before(async () => {
            run = await runProgram(stack);
            cfg = JSON.parse(run.config["flodrama:cluster"]);
            azCount = JSON.parse(run.config["flodrama:network"]).azCount;
            eksInputs = run.one("eks:index:Cluster").inputs;
        });

        const privateSubnets = () => Array.from({ length: azCount }, (_, i) => `subnet-private-${i}`);

        it("creates the cluster with the configured version and a fixed name in the private subnets", () => {
            assert.equal(eksInputs.version, cfg.version);
            assert.equal(eksInputs.name, `flodrama-${stack}-eks`);
            assert.equal(eksInputs.vpcId, "vpc-network-vpc");
            assert.deepEqual(eksInputs.privateSubnetIds, privateSubnets());
            assert.equal(eksInputs.publicSubnetIds, undefined);
            assert.equal(eksInputs.skipDefaultNodeGroup, true);
            assert.equal(eksInputs.createOidcProvider, true);
            assert.equal(eksInputs.nodeGroupOptions, undefined);
            assert.deepEqual(eksInputs.upgradePolicy, { supportType: "STANDARD" });
        });

        it("hands the stack's AWS provider to the remote eks component (its IAM roles, security groups, OIDC provider)", () => {
            const provider = run.byUrn(run.one("eks:index:Cluster").providers.aws);
            assert.equal(provider?.type, "pulumi:providers:aws");
            assert.equal(provider?.name, "aws");
        });

        it(`sets endpoint access per stack (${stack === "prod" ? "private only" : "public on the configured CIDRs"})`, () => {
            assert.equal(eksInputs.endpointPrivateAccess, true);
            if (stack === "prod") {
                assert.equal(eksInputs.endpointPublicAccess, false);
                assert.equal(eksInputs.publicAccessCidrs, undefined);
            } else {
                assert.equal(eksInputs.endpointPublicAccess, true);
                assert.deepEqual(eksInputs.publicAccessCidrs, cfg.publicAccessCidrs);
                assert.ok(cfg.publicAccessCidrs.length > 0);
            }
        });

        it("envelope-encrypts Secrets with a rotating customer-managed key, protected in prod", () => {
            const key = run.one("aws:kms/key:Key", "cluster-secrets-key");
            assert.equal(eksInputs.encryptionConfigKeyArn, key.state.arn);
            assert.equal(key.inputs.enableKeyRotation, true);
            // 30 days to notice a mistaken deletion in prod; dev takes the shortest window (lib/stateful.ts).
            assert.equal(key.inputs.deletionWindowInDays, stack === "prod" ? 30 : 7);
            assert.equal(key.protect, stack === "prod");
            const policy = JSON.parse(key.inputs.policy);
            // The account, and the identity running `up` for the grant EKS CreateCluster needs (an IAM user offline).
            assert.deepEqual(
                policy.Statement.map((s: any) => s.Principal),
                [{ AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, { AWS: `arn:aws:iam::${ACCOUNT_ID}:user/offline` }],
            );
            assert.equal(eksInputs.deletionProtection, stack === "prod");
        });

        it("names in the key policy the identity that created the cluster, kept in state so a preview by another role changes nothing", () => {
            // The read-only previewer and the drift check (`--expect-no-changes`) run as another role:
            // the grant statement must come from the stored value, not from whoever runs the program now.
            const creator = run.one("pulumi:index:Stash", "cluster-secrets-key-creator");
            assert.deepEqual(creator.ignoreChanges, ["input"]);
            assert.equal(creator.inputs.input, `arn:aws:iam::${ACCOUNT_ID}:user/offline`);
            const key = run.one("aws:kms/key:Key", "cluster-secrets-key");
            assert.ok(key.dependencies.includes(creator.urn), "the key policy reads the stash");
            const grant = JSON.parse(key.inputs.policy).Statement.find((s: any) => s.Sid === "DeployerCreatesEksClusterGrant");
            assert.deepEqual(grant.Principal, { AWS: creator.state.output });
        });

        it("exports all five control-plane log types to a group with the stack's retention, created first", () => {
            assert.deepEqual(eksInputs.enabledClusterLogTypes, [...CLUSTER_LOG_TYPES]);
            assert.deepEqual([...CLUSTER_LOG_TYPES].sort(), ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
            const group = run.one("aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane-logs");
            assert.equal(group.inputs.name, `/aws/eks/flodrama-${stack}-eks/cluster`);
            assert.equal(group.inputs.retentionInDays, Number(run.config["flodrama:logRetentionDays"]));
            assert.ok(run.one("eks:index:Cluster").dependencies.includes(group.urn), "the cluster waits for its log group");
        });

        it("authenticates through access entries, one per configured deployer and previewer", () => {
            assert.equal(eksInputs.authenticationMode, "API");
            const fromConfig = accessEntries(cfg.access);
            for (const [key, entry] of Object.entries(fromConfig)) {
                assert.deepEqual(eksInputs.accessEntries[key], entry);
            }
            // Nothing beside them: the creating identity (the runner in prod) is admin without an entry.
            assert.deepEqual(Object.keys(eksInputs.accessEntries).sort(), Object.keys(fromConfig).sort());
        });

        it("leaves CNI, kube-proxy and CoreDNS to the pinned managed add-ons", () => {
            assert.equal(eksInputs.bootstrapSelfManagedAddons, false);
            assert.equal(eksInputs.corednsAddonOptions.enabled, false);
            assert.equal(eksInputs.kubeProxyAddonOptions.enabled, false);
        });

        it("runs one managed node group per config entry over every AZ's private subnet", () => {
            const groups = run.ofType("aws:eks/nodeGroup:NodeGroup");
            assert.equal(groups.length, cfg.nodeGroups.length);
            for (const g of cfg.nodeGroups) {
                const ng = run.one("aws:eks/nodeGroup:NodeGroup", `cluster-ng-${g.name}`);
                assert.equal(ng.inputs.clusterName, `flodrama-${stack}-eks`);
                assert.deepEqual(ng.inputs.subnetIds, privateSubnets());
                assert.deepEqual(ng.inputs.instanceTypes, g.instanceTypes);
                assert.equal(ng.inputs.capacityType, g.capacityType);
                assert.deepEqual(ng.inputs.scalingConfig, { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize });
                assert.deepEqual(ng.inputs.updateConfig, { maxUnavailable: 1 });
                assert.equal(ng.inputs.amiType, NODE_AMI_TYPE);
                assert.equal(ng.inputs.version, undefined, "nodes follow the cluster version");
                assert.deepEqual(ng.inputs.labels, { ...g.labels, "flodrama.com/node-group": g.name });
                assert.deepEqual(ng.inputs.tags, autoscalerTags(`flodrama-${stack}-eks`));
                assert.deepEqual(ng.ignoreChanges, ["scalingConfig.desiredSize"]);
                assert.equal(ng.inputs.nodeRoleArn, run.one("aws:iam/role:Role", "cluster-node-role").state.arn);
            }
            assert.equal(cfg.nodeGroups[0].capacityType, stack === "prod" ? "ON_DEMAND" : "SPOT");
        });

        it("gives every node group a launch template with IMDSv2 required (hop limit 1) and an encrypted gp3 root", () => {
            for (const g of cfg.nodeGroups) {
                const ng = run.one("aws:eks/nodeGroup:NodeGroup", `cluster-ng-${g.name}`);
                const lt = run.one("aws:ec2/launchTemplate:LaunchTemplate", `cluster-ng-${g.name}-lt`);
                assert.ok(ng.dependencies.includes(lt.urn));
                assert.equal(ng.inputs.launchTemplate.id, `${lt.name}-id`);
                assert.equal(ng.inputs.launchTemplate.version, "1");
                assert.deepEqual(lt.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }, "IMDSv2 only, and no pod gets the node role's credentials");
                assert.deepEqual(lt.inputs.blockDeviceMappings, [
                    { deviceName: "/dev/xvda", ebs: { volumeSize: g.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
                ]);
                assert.deepEqual(lt.inputs.metadataOptions, launchTemplateSpec(g.diskSizeGiB).metadataOptions);
                assert.equal(lt.inputs.instanceType, undefined, "instance types belong to the node group (AutoScaling.6)");
                assert.equal(lt.inputs.networkInterfaces, undefined, "no public IP");
                assert.equal(lt.inputs.imageId, undefined, "EKS picks the AMI of amiType");
            }
        });

        it("tags the instances, root volumes and ENIs the node groups launch with the stack's tags (default tags stop at the template)", () => {
            const stackTags = JSON.parse(run.one("pulumi:providers:aws", "aws").inputs.defaultTags).tags;
            assert.ok(stackTags.CostCenter && stackTags.Stack === stack);
            for (const g of cfg.nodeGroups) {
                const lt = run.one("aws:ec2/launchTemplate:LaunchTemplate", `cluster-ng-${g.name}-lt`);
                const specs = lt.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
                assert.deepEqual(specs.map((t) => t.resourceType).sort(), ["instance", "network-interface", "volume"]);
                for (const t of specs) {
                    assert.deepEqual(t.tags, { ...stackTags, Name: `flodrama-${stack}-${g.name}` }, t.resourceType);
                }
            }
        });

        it("gives the node role the worker and ECR policies, not the CNI policy", () => {
            const role = run.one("aws:iam/role:Role", "cluster-node-role");
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, { Service: "ec2.amazonaws.com" });
            const attached = run
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => a.inputs.role === role.state.name)
                .map((a) => a.inputs.policyArn)
                .sort();
            assert.deepEqual(attached, ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]);
        });

        it("installs the four add-ons at EKS's default version, resolved through the stack's provider, network policy on in the CNI", () => {
            const addons = new Map(run.ofType("aws:eks/addon:Addon").map((a) => [a.inputs.addonName, a]));
            assert.deepEqual([...addons.keys()].sort(), ["aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]);
            assert.equal(addons.get("vpc-cni")!.inputs.addonVersion, "v1.20.4-eksbuild.1");
            assert.equal(addons.get("coredns")!.inputs.addonVersion, "v1.12.4-eksbuild.1");
            assert.equal(addons.get("kube-proxy")!.inputs.addonVersion, `v${cfg.version}.0-eksbuild.1`);
            assert.equal(addons.get("aws-ebs-csi-driver")!.inputs.addonVersion, "v1.53.0-eksbuild.1");
            const lookups = run.invokes.filter((i) => i.token === "aws:eks/getAddonVersion:getAddonVersion");
            assert.equal(lookups.length, 4);
            const aws = run.one("pulumi:providers:aws", "aws");
            assert.ok(lookups.every((i) => i.provider?.startsWith(`${aws.urn}::`)), `through the stack's provider: ${lookups.map((i) => i.provider).join(", ")}`);
            assert.deepEqual(JSON.parse(addons.get("vpc-cni")!.inputs.configurationValues), { enableNetworkPolicy: "true" });
            for (const a of addons.values()) {
                assert.equal(a.inputs.clusterName, `flodrama-${stack}-eks`);
                assert.equal(a.inputs.resolveConflictsOnUpdate, "OVERWRITE");
            }
            const groupUrns = run.ofType("aws:eks/nodeGroup:NodeGroup").map((g) => g.urn);
            for (const name of ["coredns", "aws-ebs-csi-driver"]) {
                assert.ok(groupUrns.every((u) => addons.get(name)!.dependencies.includes(u)), `${name} waits for the nodes`);
            }
            for (const g of run.ofType("aws:eks/nodeGroup:NodeGroup")) {
                assert.ok(g.dependencies.includes(addons.get("vpc-cni")!.urn), "nodes wait for the CNI");
            }
        });

        it("gives the EBS CSI driver an IRSA role for exactly kube-system/ebs-csi-controller-sa", () => {
            const addon = run.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
            const role = run.one("aws:iam/role:Role", "cluster-ebs-csi-irsa-role");
            assert.equal(addon.inputs.serviceAccountRoleArn, role.state.arn);
            const s = JSON.parse(role.inputs.assumeRolePolicy).Statement;
            assert.equal(s.length, 1);
            assert.deepEqual(s[0].Principal, { Federated: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${ISSUER}` });
            assert.deepEqual(s[0].Condition, {
                StringEquals: {
                    [`${ISSUER}:sub`]: `system:serviceaccount:${EBS_CSI_SERVICE_ACCOUNT.namespace}:${EBS_CSI_SERVICE_ACCOUNT.name}`,
                    [`${ISSUER}:aud`]: "sts.amazonaws.com",
                },
            });
            assert.equal(s[0].Condition.StringEquals[`${ISSUER}:sub`], "system:serviceaccount:kube-system:ebs-csi-controller-sa");
            const attachment = run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-ebs-csi-irsa-managed-0");
            assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
        });

        it("gives the VPC CNI its ENI permissions through IRSA on kube-system/aws-node", () => {
            const addon = run.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "vpc-cni")!;
            const role = run.one("aws:iam/role:Role", "cluster-vpc-cni-irsa-role");
            assert.equal(addon.inputs.serviceAccountRoleArn, role.state.arn);
            assert.equal(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals[`${ISSUER}:sub`], "system:serviceaccount:kube-system:aws-node");
            assert.equal(run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cluster-vpc-cni-irsa-managed-0").inputs.policyArn, "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy");
        });

        it("builds the Kubernetes provider from the cluster's kubeconfig, server-side apply on", () => {
            const provider = run.one("pulumi:providers:kubernetes", "cluster-k8s");
            const component = run.one("flodrama:cluster:EksCluster");
            assert.equal(provider.parent, component.urn);
            assert.equal(JSON.parse(provider.inputs.kubeconfig).clusters[0].name, `flodrama-${stack}-eks`);
            assert.equal(String(provider.inputs.enableServerSideApply), "true");
        });

        it("exports the cluster name and a secret kubeconfig", () => {
            assert.equal(run.outputs.clusterName, `flodrama-${stack}-eks`);
            assert.ok(run.secretOutputs.includes("kubeconfig"));
            assert.equal(JSON.parse(run.outputs.kubeconfig as string).kind, "Config");
        });

        it("offers each node group two or more instance types (FSBP AutoScaling.6)", () => {
            for (const g of run.ofType("aws:eks/nodeGroup:NodeGroup")) {
                assert.ok(g.inputs.instanceTypes.length >= 2, "two or more instance types");
            }
        });
    });

    describe(`EksCluster component alone on stack ${stack}`, () => {
        it("exposes the contract outputs and uses only the given provider", async () => {
            let c: EksCluster | undefined;
            const { resources } = await simulate(stack, () => {
                const aws = require("@pulumi/aws");
                const cfg = loadConfig();
                const provider = new aws.Provider("test-aws", { region: cfg.region });
                const net = fakeNetwork(cfg.network.azCount);
                c = new EksCluster("eks-test", clusterArgs(cfg, net), { provider });
            });
            const value = (o: any) => o.promise();
            assert.equal(await value(c!.name), `flodrama-${stack}-eks`);
            assert.equal(await value(c!.oidc.issuer), ISSUER);
            assert.match(await value(c!.oidc.providerArn), /:oidc-provider\/oidc\.eks\./);
            assert.equal(await value(c!.nodeSecurityGroupId), "sg-eks-managed");
            assert.equal(await value(c!.clusterSecurityGroupId), "sg-eks-managed");
            assert.equal(await isSecret(c!.kubeconfig), true);
            // The Stash (pulumi:index) is an engine built-in: it has no provider to give.
            for (const r of resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:") && x.type !== "pulumi:index:Stash")) {
                assert.ok(r.provider?.endsWith("::test-aws"), `${r.type} ${r.name} uses the given provider`);
                assert.ok(r.name.startsWith("eks-test-"), `${r.name} is named after the component`);
            }
        });
    });
}

describe("EksCluster without an AWS provider", () => {
    it("refuses to run rather than let the eks component use a default provider", async () => {
        await assert.rejects(
            simulate("prod", () => {
                const cfg = loadConfig();
                const net = fakeNetwork(cfg.network.azCount);
                return new EksCluster("eks-test", clusterArgs(cfg, net));
            }),
            /needs the stack's AWS provider/,
        );
    });
});

describe("cluster: config reaches the cluster", () => {
    // The component alone, on the prod stack file edited in memory: the rules themselves are parse-level tests below.
    const clusterInputs = async (edit: ConfigEdit) => {
        const { resources } = await simulate("prod", () => {
            const aws = require("@pulumi/aws");
            const cfg = configFor("prod", edit);
            const provider = new aws.Provider("test-aws", { region: cfg.region });
            return new EksCluster("eks-test", clusterArgs(cfg, fakeNetwork(cfg.network.azCount)), { provider });
        });
        return resources.find((r) => r.type === "eks:index:Cluster")!.inputs;
    };

    it("grants access entries for the deployer roles of the config", async () => {
        const deployers = ["arn:aws:iam::123456789012:role/platform-admin", "arn:aws:iam::123456789012:role/break-glass"];
        const inputs = await clusterInputs((v) => (v.cluster.access.deployers = deployers));
        assert.deepEqual(Object.keys(inputs.accessEntries).sort(), ["deployer-break-glass", "deployer-platform-admin"]);
        assert.deepEqual(inputs.accessEntries["deployer-break-glass"].principalArn, deployers[1]);
    });

    it("opens the public endpoint of prod only to listed CIDRs", async () => {
        const inputs = await clusterInputs((v) => (v.cluster.publicAccessCidrs = ["203.0.113.0/24"]));
        assert.equal(inputs.endpointPublicAccess, true);
        assert.deepEqual(inputs.publicAccessCidrs, ["203.0.113.0/24"]);
    });
});

describe("cluster: config rules", () => {
    it("rejects maxSize below minSize, and desiredSize outside them", () => {
        const e = problemsOf("prod", (v) => {
            v.cluster.nodeGroups[0].minSize = 6;
            v.cluster.nodeGroups[0].maxSize = 4;
        });
        assertProblem(e, "flodrama:cluster.nodeGroups[0].minSize", /at most maxSize \(4\)/);
        assert.equal(e.problems.length, 1, "desiredSize is not judged against bounds that contradict each other");
        const beside = problemsOf("prod", (v) => Object.assign(v.cluster.nodeGroups[0], { minSize: 6, maxSize: 4, maxSise: 4 }));
        assert.deepEqual(beside.problems.map((p) => p.key).sort(), ["flodrama:cluster.nodeGroups[0].maxSise", "flodrama:cluster.nodeGroups[0].minSize"], "an unknown key does not hide the rule");
        assertProblem(problemsOf("prod", (v) => (v.cluster.nodeGroups[0].desiredSize = 20)), "flodrama:cluster.nodeGroups[0].desiredSize", /between minSize \(3\) and maxSize \(12\)/);
    });

    for (const version of ["1.29", "1.30", "1.35.2", 1.35]) {
        it(`rejects the unsupported version ${JSON.stringify(version)}`, () => {
            assertProblem(problemsOf("prod", (v) => (v.cluster.version = version)), "flodrama:cluster.version", /EKS standard support, as a quoted string/);
        });
    }

    for (const [key, cidr] of [
        ["network.cidr", "10.30.0.0/33"],
        ["network.cidr", "10.30.1.0/16"],
        ["network.cidr", "10.30.0.0/8"],
        ["cluster.publicAccessCidrs[0]", "203.0.113.7/24"],
    ] as const) {
        it(`rejects the bad CIDR ${cidr} in ${key}`, () => {
            const e = problemsOf("prod", (v) => {
                if (key === "network.cidr") {
                    v.network.cidr = cidr;
                } else {
                    v.cluster.publicAccessCidrs = [cidr];
                }
            });
            assertProblem(e, `flodrama:${key}`, /CIDR block/);
        });
    }

    it("refuses node groups that can never run a pod (every group at minSize 0 and desiredSize 0)", () => {
        const e = problemsOf("prod", (v) => {
            v.cluster.nodeGroups[0].minSize = 0;
            v.cluster.nodeGroups[0].desiredSize = 0;
        });
        assertProblem(e, "flodrama:cluster.nodeGroups", /at least one node group with minSize or desiredSize above 0/);
        assert.equal(e.problems.length, 1, e.message);
        // One group able to run pods is enough.
        configFor("prod", (v) => {
            v.cluster.nodeGroups[0].minSize = 0;
            v.cluster.nodeGroups.push({ ...v.cluster.nodeGroups[0], name: "spare", minSize: 0, desiredSize: 0 });
            v.cluster.nodeGroups[0].desiredSize = 1;
        });
    });

    it("accepts add-on version pins and refuses a malformed one or a kube-proxy of another minor", () => {
        const ok = configFor("prod", (v) => (v.cluster.addonVersions = { coredns: "v1.12.4-eksbuild.1", kubeProxy: `v${v.cluster.version}.0-eksbuild.2` }));
        assert.equal(ok.cluster.addonVersions.coredns, "v1.12.4-eksbuild.1");
        assert.deepEqual(configFor("prod").cluster.addonVersions, {}, "nothing pinned by default");
        const e = problemsOf("prod", (v) => (v.cluster.addonVersions = { vpcCni: "1.20", kubeProxy: "v1.30.0-eksbuild.1" }));
        assertProblem(e, "flodrama:cluster.addonVersions.vpcCni", /an EKS add-on version such as v1\.20\.4-eksbuild\.2/);
        const wrongMinor = problemsOf("prod", (v) => (v.cluster.addonVersions = { kubeProxy: "v1.30.0-eksbuild.1" }));
        assertProblem(wrongMinor, "flodrama:cluster.addonVersions.kubeProxy", /kube-proxy build of the cluster's Kubernetes version/);
    });

    it("uses a pinned add-on version as given and resolves only the others", async () => {
        // The cluster alone, as platform.ts builds it from dev's config with one pin.
        const run = await simulate(
            "dev",
            () => {
                const aws = require("@pulumi/aws");
                const cfg = loadConfig();
                return new EksCluster("eks-test", clusterArgs(cfg, fakeNetwork(cfg.network.azCount)), { provider: new aws.Provider("test-aws", { region: cfg.region }) });
            },
            { override: (v) => (v.cluster.addonVersions = { ebsCsi: "v1.50.0-eksbuild.1" }) },
        );
        const ebs = run.resources.filter((r) => r.type === "aws:eks/addon:Addon").find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
        assert.equal(ebs.inputs.addonVersion, "v1.50.0-eksbuild.1");
        assert.equal(run.invokes.filter((i) => i.token === "aws:eks/getAddonVersion:getAddonVersion").length, 3);
    });

    it("refuses duplicate node group names", () => {
        const e = problemsOf("prod", (v) => v.cluster.nodeGroups.push({ ...v.cluster.nodeGroups[0] }));
        assertProblem(e, "flodrama:cluster.nodeGroups", /distinct names/);
    });
});

describe("cluster: Kubernetes version support dates", () => {
    const at = (date: string) => new Date(`${date}T12:00:00Z`);

    it("knows the end of standard support of every supported version", () => {
        assert.deepEqual(Object.keys(END_OF_STANDARD_SUPPORT).sort(), [...SUPPORTED_KUBERNETES_VERSIONS].sort());
        assert.equal(END_OF_STANDARD_SUPPORT["1.34"], "2026-12-02");
        assert.equal(END_OF_STANDARD_SUPPORT["1.35"], "2027-03-27");
    });

    it("refuses a version past its end of standard support, naming the date", () => {
        const e = problemsOf("prod", (v) => (v.cluster.version = "1.34"), at("2026-12-05"));
        const p = assertProblem(e, "flodrama:cluster.version", /"1\.35", "1\.36"$/);
        assert.doesNotMatch(p.expected, /1\.34/);
        assert.match(p.fix, /left EKS standard support on 2026-12-02/);
    });

    it("warns 30 days before the end of standard support, and not earlier", () => {
        const soon = configFor("prod", (v) => (v.cluster.version = "1.34"), at("2026-11-28"));
        assert.equal(soon.warnings.length, 1);
        assert.match(soon.warnings[0], /^flodrama:cluster\.version: Kubernetes 1\.34 leaves EKS standard support on 2026-12-02 \(in 4 days\).*Upgrade to "1\.35"/);
        assert.deepEqual(configFor("prod", (v) => (v.cluster.version = "1.34"), at("2026-10-01")).warnings, []);
        assert.deepEqual(configFor("prod", undefined, at("2026-11-28")).warnings, [], "prod's 1.35 is far from its end");
    });
});
