/**
 * One FloDrama backend service in namespace `flodrama`, whatever its role (REST API, scraper, Watch
 * Party): ServiceAccount with its own IRSA role, Deployment, Service (when something calls it), HPA,
 * PodDisruptionBudget and NetworkPolicies. Every object comes from a pure builder below, so the three
 * services share one spec and tests check the specs without mocks.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IrsaRole, PolicyDocument } from "../../lib/irsaRole";
import { ServiceConfig } from "../../lib/contracts";
import {
    APP_NAMESPACE,
    ClusterInfo,
    DataInfo,
    NetworkInfo,
} from "../../lib/contracts";
import { requireAwsProvider } from "../../lib/providers";
import {
    deploymentManifest,
    egressPolicyManifest,
    hpaManifest,
    ingressPolicyManifest,
    pdbManifest,
    serviceAccountManifest,
    serviceManifest,
} from "../../k8s/serviceSpecs";
import { configSecretNames, secretEnvVars, serviceSecretManifest } from "../../k8s/serviceSecrets";
import { configSecretValues, withSecretStatements } from "./serviceSecrets";

export interface FlodramaServiceArgs {
    /** Stack name, for the IAM role's physical name. */
    stack: string;
    /** The service's entry of `flodrama:services`. */
    service: ServiceConfig;
    /** Image reference to deploy (pinned, or the digest pushed by `ServiceImage`). */
    image: pulumi.Input<string>;
    /** The cluster: Kubernetes provider, OIDC provider for IRSA, namespaces, add-ons to wait for. */
    cluster: ClusterInfo;
    /** Subnet CIDRs for the NetworkPolicies. */
    network: Pick<NetworkInfo, "vpcCidr" | "privateSubnetCidrs">;
    /** The data tier: Secret name, mode and ports. */
    data: DataInfo;
    /** Inline policy of the service's IRSA role: only what this service needs. Default: none. */
    policy?: PolicyDocument;
    /** Extra environment variables the program sets (e.g. the scraper's bucket). */
    extraEnv?: Record<string, pulumi.Input<string>>;
}

export class FlodramaService extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:k8s:FlodramaService";

    readonly roleArn: pulumi.Output<string>;
    readonly roleName: pulumi.Output<string>;
    readonly deployment: k8s.apps.v1.Deployment;
    /** The Kubernetes Service name; undefined when the service has no Service (`expose: none`). */
    readonly serviceName?: pulumi.Output<string>;
    readonly image: pulumi.Output<string>;

    constructor(name: string, args: FlodramaServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(FlodramaService.__pulumiType, name, {}, opts);
        // The IRSA role must not fall back to a default AWS provider.
        requireAwsProvider(this, "FlodramaService");
        const { service, cluster } = args;
        const namespace = cluster.appNamespace;
        // No object here waits for a Helm chart (critical path of a first `up`, docs/decisions.md): an HPA is
        // created without metrics-server and acts once it serves; the LB controller's Service webhook is
        // off, and its pod webhook only adds readiness gates (pods that start before it get them at the
        // next rollout; while it is registered but not yet serving, the ReplicaSet retries pod creation).
        const k8sOpts: pulumi.CustomResourceOptions = { parent: this, provider: cluster.provider };

        const role = new IrsaRole(
            `${name}-irsa`,
            {
                oidc: cluster.oidc,
                namespace: APP_NAMESPACE,
                serviceAccount: service.name,
                policy: withSecretStatements(service, args.policy),
                stack: args.stack,
            },
            { parent: this },
        );
        this.roleArn = role.roleArn;
        this.roleName = role.roleName;

        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, serviceAccountManifest(service, namespace, role.roleArn), k8sOpts);
        new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, ingressPolicyManifest(service, args.network, namespace), k8sOpts);
        new k8s.networking.v1.NetworkPolicy(`${name}-egress`, egressPolicyManifest(service, args.network, args.data, namespace), k8sOpts);
        // The service's own Secret, only when it has secrets from Pulumi config (the provider keeps its data secret in state).
        const secret =
            configSecretNames(service).length > 0
                ? new k8s.core.v1.Secret(`${name}-secrets`, serviceSecretManifest(service, namespace, configSecretValues(service)), { ...k8sOpts, additionalSecretOutputs: ["data", "stringData"] })
                : undefined;
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            deploymentManifest({ service, image: args.image, namespace, dataSecretName: args.data.secretName, extraEnv: args.extraEnv, secretEnv: secretEnvVars(service, secret?.metadata.name) }),
            { ...k8sOpts, dependsOn: [serviceAccount] },
        );
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, hpaManifest(service, namespace), k8sOpts);
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, pdbManifest(service, namespace), k8sOpts);
        const svcSpec = serviceManifest(service, namespace);
        if (svcSpec) {
            this.serviceName = new k8s.core.v1.Service(`${name}-service`, svcSpec, k8sOpts).metadata.name;
        }
        this.image = pulumi.output(args.image);

        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName, serviceName: this.serviceName, image: this.image });
    }
}
