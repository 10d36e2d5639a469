/**
 * Cluster services (Kubernetes half): namespaces and their Pod Security labels, quotas,
 * default limits and NetworkPolicies; the default StorageClass; the metrics-server,
 * cluster-autoscaler and AWS Load Balancer Controller releases with their IRSA roles and policies.
 * Pure builders first, then the component alone, then the wired program for every stack file.
 */
import { strict as assert } from "assert";
import { isDeepStrictEqual } from "util";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ADDON_NAMESPACE,
    AUTOSCALER_EXPANDER,
    CHART_VERSIONS,
    CLUSTER_AUTOSCALER_IMAGE_TAGS,
    CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
    clusterAutoscalerValues,
    IRSA_ANNOTATION,
    LB_CONTROLLER_SERVICE_ACCOUNT,
    lbControllerValues,
    metricsServerValues,
} from "../../k8s/addonValues";
import { clusterAutoscalerPolicy } from "../../components/cluster/addons";
import { ClusterServices, ClusterServicesArgs } from "../../components/cluster/clusterServices";
import {
    allowDnsEgressSpec,
    CONTAINER_DEFAULTS,
    DEFAULT_CLASS_ANNOTATION,
    defaultDenySpec,
    limitRangeSpec,
    monitoringEgressSpec,
    monitoringIngressSpec,
    namespaceMetadata,
    POD_SECURITY,
    podSecurityLabels,
    podSecurityVersion,
    PROMETHEUS_OPERATOR_WEBHOOK_PORT,
    READINESS_GATE_LABEL,
    resourceQuotaSpec,
    storageClassSpec,
    volumeTagParameters,
} from "../../k8s/namespaces";
import { LB_CONTROLLER_IAM_POLICY, LB_CONTROLLER_POLICY_VERSION } from "../../components/cluster/lbControllerPolicy";
import { autoscalerTags } from "../../components/cluster/clusterSpecs";
import { PolicyDocument } from "../../lib/irsaRole";
import { ClusterConfig } from "../../components/cluster/config";
import { NamespaceQuota, SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/contracts";
import { APP_NAMESPACE, ClusterInfo, INFRA_NAMESPACE, MONITORING_NAMESPACE, STORAGE_CLASS } from "../../lib/contracts";
import { wildcardActions } from "../../policy/aws/iam";
import { FAKE_ISSUER, fakeAwsProvider, fakeCluster, fakeNetwork } from "../../offline/fixtures";
import { ProgramRun, RecordedResource, runProgram, simulate, stackNames, valueOf } from "../../offline/harness";
import { manifestOf, validateManifest } from "../../offline/kubeSchema";

const WRITE_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];
const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const QUOTA: NamespaceQuota = { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 60 };

const statements = (doc: PolicyDocument) => doc.Statement.map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action), Resource: ([] as unknown[]).concat(s.Resource) }));

describe("cluster services: pure specs", () => {
    it("labels namespaces for Pod Security in all three modes, pinned to the cluster's minor", () => {
        assert.equal(podSecurityVersion("1.35"), "v1.35");
        assert.deepEqual(podSecurityLabels(POD_SECURITY.app, "v1.35"), {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "v1.35",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "v1.35",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "v1.35",
        });
        assert.equal(POD_SECURITY.infra.enforce, "restricted");
        // node-exporter needs host namespaces and hostPath: privileged enforced, baseline audited and warned.
        assert.deepEqual(POD_SECURITY.monitoring, { enforce: "privileged", audit: "baseline", warn: "baseline" });
        const meta = namespaceMetadata(APP_NAMESPACE, POD_SECURITY.app, "v1.35", READINESS_GATE_LABEL);
        assert.equal(meta.name, "flodrama");
        assert.equal(meta.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        assert.equal(meta.labels["app.kubernetes.io/part-of"], "flodrama");
        assert.deepEqual(validateManifest({ apiVersion: "v1", kind: "Namespace", metadata: meta }), []);
    });

    it("turns a stack quota into a valid ResourceQuota", () => {
        const spec = resourceQuotaSpec(QUOTA);
        assert.deepEqual(spec.hard, { "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi", pods: "60" });
        assert.deepEqual(validateManifest({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: "x" }, spec }), []);
    });

    it("gives containers default requests within their default limits", () => {
        for (const [key, d] of Object.entries(CONTAINER_DEFAULTS)) {
            const spec = limitRangeSpec(d);
            assert.equal(spec.limits.length, 1);
            assert.equal(spec.limits[0].type, "Container");
            assert.ok(spec.limits[0].defaultRequest.cpu && spec.limits[0].default.memory, key);
            assert.deepEqual(validateManifest({ apiVersion: "v1", kind: "LimitRange", metadata: { name: "l", namespace: "x" }, spec }), [], key);
        }
        assert.deepEqual(CONTAINER_DEFAULTS.app.defaultRequest, { cpu: "100m", memory: "128Mi" });
        assert.deepEqual(CONTAINER_DEFAULTS.app.default, { cpu: "500m", memory: "512Mi" });
    });

    it("denies all ingress and egress by default, with no allow rule", () => {
        const spec = defaultDenySpec();
        assert.deepEqual(spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("allows DNS egress only to kube-dns in kube-system, UDP and TCP 53", () => {
        const spec = allowDnsEgressSpec();
        assert.deepEqual(spec.policyTypes, ["Egress"]);
        assert.deepEqual(spec.podSelector, {});
        assert.equal(spec.egress.length, 1);
        assert.deepEqual(spec.egress[0].to, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
        ]);
        assert.deepEqual(
            spec.egress[0].ports.map((p) => `${p.protocol}/${p.port}`).sort(),
            ["TCP/53", "UDP/53"],
        );
    });

    it("keeps monitoring workable: ingress from its own pods and the operator webhook from the VPC, open egress", () => {
        const ingress = monitoringIngressSpec("10.20.0.0/16");
        assert.deepEqual(ingress.policyTypes, ["Ingress"]);
        assert.deepEqual(ingress.ingress[0], { from: [{ podSelector: {} }] });
        assert.deepEqual(ingress.ingress[1], { from: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: PROMETHEUS_OPERATOR_WEBHOOK_PORT }] });
        assert.deepEqual(monitoringEgressSpec(), { podSelector: {}, policyTypes: ["Egress"], egress: [{}] });
    });

    it("defines the default encrypted gp3 class, retained only when protected", () => {
        for (const protect of [true, false]) {
            const sc = storageClassSpec(protect);
            assert.equal(sc.metadata.name, STORAGE_CLASS);
            assert.equal(sc.metadata.annotations[DEFAULT_CLASS_ANNOTATION], "true");
            assert.equal(sc.provisioner, "ebs.csi.aws.com");
            assert.equal(sc.parameters.type, "gp3");
            assert.equal(sc.parameters.encrypted, "true");
            assert.equal(sc.volumeBindingMode, "WaitForFirstConsumer");
            assert.equal(sc.allowVolumeExpansion, true);
            assert.equal(sc.reclaimPolicy, protect ? "Retain" : "Delete");
            assert.deepEqual(validateManifest({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", ...sc }), []);
        }
    });

    it("tags every provisioned volume with the stack's tags through the EBS CSI driver's tagSpecification parameters", () => {
        const sc = storageClassSpec(true, { Stack: "prod", Owner: "platform@flodrama.com", Project: "flodrama" });
        const params: Record<string, string> = sc.parameters;
        assert.equal(params.tagSpecification_1, "Owner=platform@flodrama.com");
        assert.equal(params.tagSpecification_2, "Project=flodrama");
        assert.equal(params.tagSpecification_3, "Stack=prod");
        assert.equal(Object.keys(params).filter((k) => k.startsWith("tagSpecification")).length, 3);
    });

    it("pins every chart to an exact version of an HTTPS repository", () => {
        for (const [key, pin] of Object.entries(CHART_VERSIONS)) {
            assert.match(pin.version, /^\d+\.\d+\.\d+$/, key);
            assert.match(pin.repo, /^https:\/\//, key);
        }
        assert.deepEqual(CHART_VERSIONS.lbController, {
            chart: "aws-load-balancer-controller",
            version: "3.5.0",
            repo: "https://aws.github.io/eks-charts",
            releaseName: "aws-load-balancer-controller",
        });
        // The IAM policy constant belongs to the controller version the chart installs.
        assert.equal(LB_CONTROLLER_POLICY_VERSION, `v${CHART_VERSIONS.lbController.version}`);
        assert.equal(CHART_VERSIONS.metricsServer.repo, "https://kubernetes-sigs.github.io/metrics-server/");
        assert.equal(CHART_VERSIONS.clusterAutoscaler.repo, "https://kubernetes.github.io/autoscaler");
    });

    it("runs the cluster-autoscaler image of the cluster's minor version", () => {
        assert.deepEqual(Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).sort(), [...SUPPORTED_KUBERNETES_VERSIONS].sort());
        for (const [version, tag] of Object.entries(CLUSTER_AUTOSCALER_IMAGE_TAGS)) {
            assert.match(tag, new RegExp(`^v${version.replace(".", "\\.")}\\.\\d+$`));
        }
    });

    it("lets cluster-autoscaler change capacity only of ASGs tagged as owned by its cluster", () => {
        const doc = clusterAutoscalerPolicy("flodrama-dev-eks", "arn:aws:eks:eu-west-3:111122223333:nodegroup");
        const all = statements(doc);
        const writes = all.filter((s) => s.Action.some((a) => WRITE_ACTIONS.includes(a)));
        assert.equal(writes.length, 1);
        assert.deepEqual(writes[0].Action.sort(), [...WRITE_ACTIONS].sort());
        // The tag key is exactly the one the node groups carry (components/cluster/cluster.ts).
        const [ownedKey] = Object.keys(autoscalerTags("flodrama-dev-eks")).filter((k) => k.endsWith("flodrama-dev-eks"));
        assert.deepEqual(writes[0].Condition, { StringEquals: { [`aws:ResourceTag/${ownedKey}`]: "owned" } });
        for (const s of all.filter((x) => x !== writes[0])) {
            for (const a of s.Action) {
                assert.match(a, /:(Describe|Get)[A-Za-z]+$/, `${a} is a read action`);
            }
        }
        const eks = all.find((s) => s.Action.includes("eks:DescribeNodegroup"))!;
        assert.deepEqual(eks.Resource, ["arn:aws:eks:eu-west-3:111122223333:nodegroup/flodrama-dev-eks/*"]);
        assert.deepEqual(wildcardActions(doc), []);
    });

    it("writes the LB controller's official policy: tag-scoped writes, no wildcard action, fits an inline policy", () => {
        assert.deepEqual(wildcardActions(LB_CONTROLLER_IAM_POLICY), []);
        assert.ok(JSON.stringify(LB_CONTROLLER_IAM_POLICY).length < 10240, "inline role policies are limited to 10,240 characters");
        const all = statements(LB_CONTROLLER_IAM_POLICY);
        const sids = all.map((s) => s.Sid);
        assert.equal(new Set(sids).size, sids.length, "unique statement ids");
        const withAction = (a: string) => all.filter((s) => s.Action.includes(a));
        // Creating load balancers and target groups requires the controller's cluster tag on the request...
        for (const a of ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"]) {
            assert.deepEqual(withAction(a).map((s) => s.Condition), [{ Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } }], a);
        }
        // ...and deleting them, or its security groups, requires it on the resource.
        for (const a of ["elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup", "ec2:DeleteSecurityGroup"]) {
            for (const s of withAction(a)) {
                assert.equal((s.Condition as any)?.Null?.["aws:ResourceTag/elbv2.k8s.aws/cluster"], "false", a);
            }
        }
        assert.deepEqual(withAction("iam:CreateServiceLinkedRole")[0].Condition, { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } });
        assert.deepEqual(withAction("elasticloadbalancing:RegisterTargets")[0].Resource, ["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"]);
        assert.ok(withAction("elasticloadbalancing:DescribeTargetHealth").length === 1);
    });

    it("spreads the replicas of metrics-server and cluster-autoscaler over nodes and zones", () => {
        const ca = clusterAutoscalerValues({ clusterName: "c", region: "eu-west-3", kubernetesVersion: "1.35", roleArn: "arn" });
        for (const [release, constraints] of [
            [CHART_VERSIONS.metricsServer.releaseName, metricsServerValues().topologySpreadConstraints],
            [CHART_VERSIONS.clusterAutoscaler.releaseName, ca.topologySpreadConstraints],
        ] as const) {
            assert.deepEqual(constraints.map((c) => c.topologyKey).sort(), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"], release);
            for (const c of constraints) {
                assert.deepEqual(c.labelSelector.matchLabels, { "app.kubernetes.io/instance": release });
                assert.equal(c.maxSkew, 1);
            }
            const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "i:1" }], topologySpreadConstraints: constraints } };
            assert.deepEqual(validateManifest(pod), [], release);
        }
    });

    it("runs metrics-server highly available", () => {
        const v = metricsServerValues();
        assert.equal(v.replicas, 2);
        assert.deepEqual(v.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
        assert.ok(v.resources.requests.cpu && v.resources.requests.memory && v.resources.limits.memory);
    });

    it("configures cluster-autoscaler for this cluster, region and version", () => {
        const v = clusterAutoscalerValues({ clusterName: "flodrama-dev-eks", region: "eu-west-3", kubernetesVersion: "1.35", roleArn: "arn:aws:iam::1:role/ca" });
        assert.equal(v.cloudProvider, "aws");
        assert.deepEqual(v.autoDiscovery, { clusterName: "flodrama-dev-eks" });
        assert.equal(v.awsRegion, "eu-west-3");
        assert.equal(v.image.tag, CLUSTER_AUTOSCALER_IMAGE_TAGS["1.35"]);
        assert.equal(v.extraArgs["balance-similar-node-groups"], true);
        assert.equal(v.extraArgs.expander, AUTOSCALER_EXPANDER);
        assert.equal(v.extraArgs["skip-nodes-with-local-storage"], false);
        assert.deepEqual(v.podDisruptionBudget, { maxUnavailable: 1 });
        assert.ok(v.replicaCount >= 2);
        assert.ok(v.resources.requests.cpu && v.resources.requests.memory && v.resources.limits.memory);
        assert.deepEqual(v.rbac.serviceAccount, { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name, annotations: { [IRSA_ANNOTATION]: "arn:aws:iam::1:role/ca" } });
        assert.equal(v.containerSecurityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(v.containerSecurityContext.capabilities.drop, ["ALL"]);
    });

    it("configures the LB controller for this cluster, region and VPC, with two replicas", () => {
        const v = lbControllerValues({ clusterName: "c", region: "eu-west-3", vpcId: "vpc-1", roleArn: "arn:aws:iam::1:role/lb" });
        assert.equal(v.clusterName, "c");
        assert.equal(v.region, "eu-west-3");
        assert.equal(v.vpcId, "vpc-1");
        assert.equal(v.replicaCount, 2);
        assert.deepEqual(v.podDisruptionBudget, { maxUnavailable: 1 });
        assert.deepEqual(v.serviceAccount, { create: true, name: LB_CONTROLLER_SERVICE_ACCOUNT.name, annotations: { [IRSA_ANNOTATION]: "arn:aws:iam::1:role/lb" } });
        assert.equal(v.enableServiceMutatorWebhook, false);
    });
});

describe("cluster services: the component alone", () => {
    let resources: RecordedResource[];
    let services: ClusterServices;
    const args = (c: ClusterInfo): ClusterServicesArgs => {
        const net = fakeNetwork(2);
        return {
            stack: "test",
            region: "eu-west-3",
            kubernetesVersion: "1.35",
            cluster: c,
            vpcId: net.vpcId,
            vpcCidr: net.vpcCidr,
            quotas: { app: QUOTA, infra: { ...QUOTA, pods: 30 } },
            protect: false,
            volumeTags: { Project: "flodrama", Stack: "test" },
        };
    };

    before(async () => {
        ({ resources } = await simulate("dev", () => {
            services = new ClusterServices("svc", args(fakeCluster()), { provider: fakeAwsProvider() });
        }));
    });

    it("implements ClusterInfo: namespace and storage outputs, the cluster's facts and the three add-on releases", async () => {
        assert.equal(await valueOf(services.appNamespace), APP_NAMESPACE);
        assert.equal(await valueOf(services.infraNamespace), INFRA_NAMESPACE);
        assert.equal(await valueOf(services.monitoringNamespace), MONITORING_NAMESPACE);
        assert.equal(await valueOf(services.storageClassName), STORAGE_CLASS);
        assert.equal(await valueOf(services.name), "flodrama-test-cluster");
        assert.equal(await valueOf(services.oidc.issuer), FAKE_ISSUER);
        const releaseName = (a: pulumi.Resource) => valueOf((a as k8s.helm.v3.Release).name);
        assert.deepEqual(await Promise.all(services.lbController.map(releaseName)), ["aws-load-balancer-controller"]);
        assert.deepEqual(await Promise.all(services.metricsServer.map(releaseName)), ["metrics-server"]);
    });

    it("puts every Kubernetes object and release on the given provider and every AWS resource on the given AWS provider", () => {
        const mine = resources.filter((r) => r.name.startsWith("svc"));
        const kube = mine.filter((r) => r.type.startsWith("kubernetes:"));
        assert.equal(kube.length, 3 + 2 + 2 + 6 + 2 + 1 + 3);
        for (const r of kube) {
            assert.match(r.provider ?? "", /::fixture-k8s$/, r.name);
        }
        for (const r of mine.filter((x) => x.type.startsWith("aws:"))) {
            assert.match(r.provider ?? "", /::fixture-aws$/, r.name);
        }
    });

    it("takes the quotas it is given", () => {
        const infra = resources.find((r) => r.name === "svc-infra-quota")!;
        assert.equal(infra.inputs.spec.hard.pods, "30");
        assert.equal(infra.inputs.metadata.namespace, INFRA_NAMESPACE);
    });

    it("refuses to run without an explicit AWS provider", async () => {
        await assert.rejects(
            simulate("dev", () => {
                return new ClusterServices("svc", args(fakeCluster()));
            }),
            /needs the stack's AWS provider/,
        );
    });
});

for (const stack of stackNames()) {
    describe(`cluster services on stack ${stack}`, () => {
        let run: ProgramRun;
        let cfg: ClusterConfig;
        let protect: boolean;
        let region: string;
        let clusterName: string;
        let k8sProviderUrn: string;
        const mine = () => run.resources.filter((r) => r.name.startsWith("cluster-services"));
        const release = (pin: { releaseName: string }) => run.one(RELEASE, `cluster-services-${pin.releaseName}`);

        before(async () => {
            run = await runProgram(stack);
            cfg = JSON.parse(run.config["flodrama:cluster"]);
            protect = JSON.parse(run.config["flodrama:protectStatefulResources"]);
            region = run.config["aws:region"];
            clusterName = run.one("eks:index:Cluster").inputs.name;
            k8sProviderUrn = run.one("pulumi:providers:kubernetes", "cluster-k8s").urn;
        });

        it("registers one ClusterServices component", () => {
            assert.equal(run.ofType("flodrama:k8s:ClusterServices").length, 1);
        });

        it("validates every Kubernetes object it creates against the Kubernetes schema", () => {
            const objects = mine().filter((r) => r.type.startsWith("kubernetes:") && r.type !== RELEASE);
            assert.equal(objects.length, 3 + 2 + 2 + 6 + 2 + 1);
            for (const r of objects) {
                assert.deepEqual(validateManifest(manifestOf(r)), [], `${r.type} ${r.name}`);
            }
        });

        it("creates every Kubernetes object and release on the cluster's provider", () => {
            const kube = mine().filter((r) => r.type.startsWith("kubernetes:"));
            assert.ok(kube.length > 0);
            for (const r of kube) {
                assert.equal(r.provider, k8sProviderUrn, `${r.type} ${r.name}`);
            }
        });

        it("labels the namespaces for Pod Security at the cluster's version", () => {
            const version = `v${cfg.version}`;
            const labelsOf = (name: string) => run.ofType(NAMESPACE).find((n) => n.inputs.metadata.name === name)!.inputs.metadata.labels;
            for (const [name, level] of [
                [APP_NAMESPACE, "restricted"],
                [INFRA_NAMESPACE, "restricted"],
                [MONITORING_NAMESPACE, "privileged"],
            ]) {
                const labels = labelsOf(name);
                assert.equal(labels["pod-security.kubernetes.io/enforce"], level, name);
                for (const mode of ["enforce", "audit", "warn"]) {
                    assert.equal(labels[`pod-security.kubernetes.io/${mode}-version`], version, `${name} ${mode}`);
                }
            }
            assert.equal(labelsOf(MONITORING_NAMESPACE)["pod-security.kubernetes.io/audit"], "baseline");
            assert.equal(labelsOf(APP_NAMESPACE)["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
            assert.equal(run.ofType(NAMESPACE).length, 3);
        });

        it("sets each tenant namespace's ResourceQuota from the stack file", () => {
            for (const [key, ns] of [
                ["app", APP_NAMESPACE],
                ["infra", INFRA_NAMESPACE],
            ] as const) {
                const q = run.one("kubernetes:core/v1:ResourceQuota", `cluster-services-${key}-quota`);
                const want = cfg.quotas[key];
                assert.equal(q.inputs.metadata.namespace, ns);
                assert.deepEqual(q.inputs.spec.hard, {
                    "requests.cpu": want.requestsCpu,
                    "requests.memory": want.requestsMemory,
                    "limits.cpu": want.limitsCpu,
                    "limits.memory": want.limitsMemory,
                    pods: String(want.pods),
                });
                const lr = run.one("kubernetes:core/v1:LimitRange", `cluster-services-${key}-limits`);
                assert.equal(lr.inputs.metadata.namespace, ns);
                assert.deepEqual(lr.inputs.spec, limitRangeSpec(CONTAINER_DEFAULTS[key]));
            }
        });

        it("denies by default and allows DNS in every namespace; monitoring can scrape and alert", () => {
            const pols = run.ofType(NETPOL);
            for (const ns of [APP_NAMESPACE, INFRA_NAMESPACE, MONITORING_NAMESPACE]) {
                const inNs = pols.filter((p) => p.inputs.metadata.namespace === ns);
                const same = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);
                assert.ok(inNs.some((p) => same(p.inputs.spec, defaultDenySpec())), `${ns} default deny`);
                assert.ok(inNs.some((p) => same(p.inputs.spec, allowDnsEgressSpec())), `${ns} DNS`);
            }
            // The app and infra namespaces allow nothing else: the data tier and workloads add their own.
            assert.equal(pols.filter((p) => p.name.startsWith("cluster-services") && p.inputs.metadata.namespace === APP_NAMESPACE).length, 2);
            const vpcCidr = JSON.parse(run.config["flodrama:network"]).cidr;
            const ingress = run.one(NETPOL, "cluster-services-monitoring-allow-ingress");
            assert.deepEqual(ingress.inputs.spec, monitoringIngressSpec(vpcCidr));
        });

        it("makes gp3-encrypted the default class, reclaim Retain when protectStatefulResources (prod), else Delete", () => {
            const sc = run.one("kubernetes:storage.k8s.io/v1:StorageClass");
            assert.equal(sc.inputs.metadata.name, STORAGE_CLASS);
            assert.equal(sc.inputs.metadata.annotations[DEFAULT_CLASS_ANNOTATION], "true");
            assert.equal(sc.inputs.provisioner, "ebs.csi.aws.com");
            const stackTags = JSON.parse(run.one("pulumi:providers:aws", "aws").inputs.defaultTags).tags;
            assert.deepEqual(sc.inputs.parameters, { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4", ...volumeTagParameters(stackTags) });
            assert.ok(Object.values(sc.inputs.parameters).includes(`Stack=${stack}`), "volumes carry the stack's tags");
            assert.equal(sc.inputs.volumeBindingMode, "WaitForFirstConsumer");
            assert.equal(sc.inputs.allowVolumeExpansion, true);
            assert.equal(sc.inputs.reclaimPolicy, protect ? "Retain" : "Delete");
        });

        it("installs the three pinned charts in kube-system, atomically", () => {
            assert.equal(mine().filter((r) => r.type === RELEASE).length, 3);
            for (const pin of Object.values(CHART_VERSIONS)) {
                const r = release(pin);
                assert.equal(r.inputs.chart, pin.chart);
                assert.equal(r.inputs.version, pin.version);
                assert.deepEqual(r.inputs.repositoryOpts, { repo: pin.repo });
                assert.equal(r.inputs.namespace, ADDON_NAMESPACE);
                assert.equal(r.inputs.name, pin.releaseName);
                assert.equal(r.inputs.atomic, true);
                assert.equal(r.provider, k8sProviderUrn);
            }
            assert.deepEqual(release(CHART_VERSIONS.metricsServer).inputs.values, metricsServerValues());
        });

        it("gives cluster-autoscaler this cluster, region and image, and its IRSA role", () => {
            const r = release(CHART_VERSIONS.clusterAutoscaler);
            const role = run.one("aws:iam/role:Role", "cluster-services-cluster-autoscaler-irsa-role");
            assert.deepEqual(
                r.inputs.values,
                clusterAutoscalerValues({ clusterName, region, kubernetesVersion: cfg.version, roleArn: role.state.arn }),
            );
            assert.equal(r.inputs.values.autoDiscovery.clusterName, `flodrama-${stack}-eks`);
            const policy = run.one("aws:iam/rolePolicy:RolePolicy", "cluster-services-cluster-autoscaler-policy");
            assert.ok(r.dependencies.includes(policy.urn), "the release waits for the role's policy");
        });

        it("scopes the autoscaler's write actions to the node groups' ownership tag", () => {
            const policy = run.one("aws:iam/rolePolicy:RolePolicy", "cluster-services-cluster-autoscaler-policy");
            const role = run.one("aws:iam/role:Role", "cluster-services-cluster-autoscaler-irsa-role");
            assert.equal(policy.inputs.role, role.inputs.name);
            const doc = JSON.parse(policy.inputs.policy) as PolicyDocument;
            assert.deepEqual(doc, clusterAutoscalerPolicy(clusterName, `arn:aws:eks:${region}:123456789012:nodegroup`));
            const write = statements(doc).find((s) => s.Action.includes("autoscaling:SetDesiredCapacity"))!;
            const [[conditionKey, value]] = Object.entries(write.Condition!.StringEquals);
            // Every node group carries exactly that tag with that value.
            for (const ng of run.ofType("aws:eks/nodeGroup:NodeGroup")) {
                assert.equal(ng.inputs.tags[conditionKey.replace("aws:ResourceTag/", "")], value, ng.name);
            }
        });

        it("gives the LB controller this cluster, region and VPC, two replicas and its IRSA role with the official policy", () => {
            const r = release(CHART_VERSIONS.lbController);
            const role = run.one("aws:iam/role:Role", "cluster-services-lb-controller-irsa-role");
            assert.deepEqual(r.inputs.values, lbControllerValues({ clusterName, region, vpcId: "vpc-network-vpc", roleArn: role.state.arn }));
            const policy = run.one("aws:iam/rolePolicy:RolePolicy", "cluster-services-lb-controller-irsa-policy");
            assert.deepEqual(JSON.parse(policy.inputs.policy), LB_CONTROLLER_IAM_POLICY);
            assert.ok(r.dependencies.includes(policy.urn), "the release waits for the role's policy");
        });

        it("trusts exactly each add-on's ServiceAccount on this cluster's issuer, audience sts", () => {
            const issuer = "oidc.eks.eu-west-3.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
            for (const [key, sa] of [
                ["cluster-autoscaler", CLUSTER_AUTOSCALER_SERVICE_ACCOUNT],
                ["lb-controller", LB_CONTROLLER_SERVICE_ACCOUNT],
            ] as const) {
                const trust = JSON.parse(run.one("aws:iam/role:Role", `cluster-services-${key}-irsa-role`).inputs.assumeRolePolicy);
                assert.equal(trust.Statement.length, 1);
                const s = trust.Statement[0];
                assert.equal(s.Action, "sts:AssumeRoleWithWebIdentity");
                assert.equal(s.Principal.Federated, `arn:aws:iam::123456789012:oidc-provider/${issuer}`);
                assert.deepEqual(s.Condition, {
                    StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${sa.namespace}:${sa.name}`, [`${issuer}:aud`]: "sts.amazonaws.com" },
                });
            }
        });

        it("exports the namespace and storage class names", () => {
            assert.equal(run.outputs.appNamespace, APP_NAMESPACE);
            assert.equal(run.outputs.infraNamespace, INFRA_NAMESPACE);
            assert.equal(run.outputs.monitoringNamespace, MONITORING_NAMESPACE);
            assert.equal(run.outputs.storageClassName, STORAGE_CLASS);
        });
    });
}
