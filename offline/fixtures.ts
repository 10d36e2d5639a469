/**
 * Stand-ins for upstream components, so a component can be tested alone under `simulate()` before
 * (or without) the whole program: a fake network and a cluster whose Kubernetes provider is a real
 * `pulumi:providers:kubernetes` on a fake kubeconfig. Call these inside the `simulate` body.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterInfo, NetworkInfo, APP_NAMESPACE, INFRA_NAMESPACE, MONITORING_NAMESPACE, STORAGE_CLASS } from "../lib/contracts";
import { createKubernetesProvider } from "../lib/providers";
import { ACCOUNT_ID } from "./mocks";

export const FAKE_ISSUER = "oidc.eks.eu-west-3.amazonaws.com/id/FIXTURE";

export function fakeAwsProvider(name = "fixture-aws", region = "eu-west-3"): aws.Provider {
    return new aws.Provider(name, { region });
}

export function fakeNetwork(azCount = 2): NetworkInfo {
    const azs = Array.from({ length: azCount }, (_, i) => i);
    return {
        vpcId: pulumi.output("vpc-fixture"),
        vpcCidr: "10.20.0.0/16",
        privateSubnetIds: pulumi.output(azs.map((i) => `subnet-private-${i}`)),
        publicSubnetIds: pulumi.output(azs.map((i) => `subnet-public-${i}`)),
        privateSubnetCidrs: azs.map((i) => `10.20.${64 * (i + 1)}.0/18`),
        publicSubnetCidrs: azs.map((i) => `10.20.${i * 16}.0/20`),
    };
}

export function fakeCluster(): ClusterInfo {
    const kubeconfig = JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "fixture", cluster: { server: "https://fixture.eks.amazonaws.com" } }],
        contexts: [{ name: "fixture", context: { cluster: "fixture", user: "fixture" } }],
        "current-context": "fixture",
        users: [{ name: "fixture", user: { token: "offline" } }],
    });
    return {
        name: pulumi.output("flodrama-test-cluster"),
        provider: createKubernetesProvider("fixture-k8s", kubeconfig),
        nodeSecurityGroupId: pulumi.output("sg-node-fixture"),
        clusterSecurityGroupId: pulumi.output("sg-cluster-fixture"),
        oidc: { providerArn: pulumi.output(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${FAKE_ISSUER}`), issuer: pulumi.output(FAKE_ISSUER) },
        appNamespace: pulumi.output(APP_NAMESPACE),
        infraNamespace: pulumi.output(INFRA_NAMESPACE),
        monitoringNamespace: pulumi.output(MONITORING_NAMESPACE),
        storageClassName: pulumi.output(STORAGE_CLASS),
        lbController: [],
        metricsServer: [],
    };
}
