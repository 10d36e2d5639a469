/**
 * The in-cluster data tier (dev): MongoDB and Redis as single-replica StatefulSets in
 * `flodrama-infra`, from pinned official images, with authentication on (random passwords kept in a
 * Secret of that namespace), persistent volumes on the encrypted gp3 class, requests and limits,
 * probes that authenticate, Pod Security `restricted` security contexts, headless Services, and one
 * NetworkPolicy per store that admits only the `flodrama` namespace on the store's port.
 *
 * No TLS between the app pods and these stores: the traffic never leaves the cluster network, the
 * NetworkPolicies admit only the app namespace, and a self-signed CA would add a certificate lifecycle
 * to a disposable dev store without protecting anything the policies do not. The connection strings
 * therefore carry no TLS option and the CA key of the contract Secret is empty (see docs/data.md).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    headlessServiceSpec,
    MONGO_AUTH_SECRET,
    MONGO_NAME,
    MONGO_PORT,
    MONGO_USERNAME,
    mongoStatefulSetSpec,
    REDIS_AUTH_SECRET,
    REDIS_NAME,
    REDIS_PORT,
    redisStatefulSetSpec,
    StatefulSetSpec,
    storeHost,
    storeLabels,
    storeNetworkPolicySpec,
} from "../../k8s/inClusterStores";
import { stateful } from "../../lib/stateful";

export interface InClusterDataArgs {
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** `flodrama-infra`, as the Namespace object's output (so the objects wait for it). */
    namespace: pulumi.Input<string>;
    /** `flodrama`: the only namespace admitted by the NetworkPolicies. */
    appNamespace: pulumi.Input<string>;
    /** The encrypted gp3 StorageClass. */
    storageClassName: pulumi.Input<string>;
    /** Pinned images, e.g. `docker.io/library/mongo:7.0.14`. */
    mongoImage: string;
    redisImage: string;
    mongoStorageGi: number;
    redisStorageGi: number;
    /** Protect the passwords and StatefulSets and keep the volumes on delete. */
    protect: boolean;
    /** Provider of the random passwords (explicit, like every provider of the program). */
    randomProvider: random.Provider;
}

/** What differs between the two stores. */
interface StoreDefinition {
    store: string;
    port: number;
    component: "database" | "cache";
    authSecretName: string;
    /** The auth Secret's keys, from the generated password. */
    authData: (password: string) => Record<string, string>;
    spec: StatefulSetSpec;
}

/** How workloads reach one store, for the contract Secret (the port is the store's constant). */
export interface StoreEndpoint {
    /** In-cluster DNS name of the store's headless Service. */
    host: pulumi.Output<string>;
    /** Secret output. */
    password: pulumi.Output<string>;
}

export class InClusterData extends pulumi.ComponentResource {
    static readonly __pulumiType = "flodrama:data:InClusterData";

    readonly mongo: StoreEndpoint;
    readonly redis: StoreEndpoint;

    constructor(name: string, args: InClusterDataArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(InClusterData.__pulumiType, name, {}, opts);
        const storage = { storageClassName: args.storageClassName, retainVolume: stateful(args.protect).retainVolumes };
        const mongoPassword = this.createStore(name, args, {
            store: MONGO_NAME,
            port: MONGO_PORT,
            component: "database",
            authSecretName: MONGO_AUTH_SECRET,
            authData: (password) => ({ username: MONGO_USERNAME, password }),
            spec: mongoStatefulSetSpec({ image: args.mongoImage, storageGi: args.mongoStorageGi, ...storage }),
        });
        const redisPassword = this.createStore(name, args, {
            store: REDIS_NAME,
            port: REDIS_PORT,
            component: "cache",
            authSecretName: REDIS_AUTH_SECRET,
            authData: (password) => ({ password }),
            spec: redisStatefulSetSpec({ image: args.redisImage, storageGi: args.redisStorageGi, ...storage }),
        });
        const namespace = pulumi.output(args.namespace);
        this.mongo = { host: namespace.apply((ns) => storeHost(MONGO_NAME, ns)), password: mongoPassword };
        this.redis = { host: namespace.apply((ns) => storeHost(REDIS_NAME, ns)), password: redisPassword };
        this.registerOutputs({ mongoHost: this.mongo.host, redisHost: this.redis.host });
    }

    /**
     * One store: its password and auth Secret, its NetworkPolicy (created before the pod, so it never
     * runs unprotected), its headless Service and its StatefulSet. Returns the password (secret).
     */
    private createStore(name: string, args: InClusterDataArgs, def: StoreDefinition): pulumi.Output<string> {
        const k8sOpts: pulumi.CustomResourceOptions = { parent: this, provider: args.provider };
        const labels = storeLabels(def.store, def.component);
        // Alphanumeric: it goes into a URI, shell probes and a config file without any escaping.
        const password = new random.RandomPassword(
            `${name}-${def.store}-password`,
            { length: 40, special: false, minUpper: 4, minLower: 4, minNumeric: 4 },
            { ...stateful(args.protect).options, parent: this, provider: args.randomProvider },
        );
        const auth = new k8s.core.v1.Secret(
            `${name}-${def.store}-auth`,
            { metadata: { name: def.authSecretName, namespace: args.namespace, labels }, type: "Opaque", stringData: pulumi.secret(password.result.apply(def.authData)) },
            k8sOpts,
        );
        const metadata = { name: def.store, namespace: args.namespace, labels };
        const policy = new k8s.networking.v1.NetworkPolicy(`${name}-${def.store}-netpol`, { metadata, spec: storeNetworkPolicySpec(def.store, def.port, args.appNamespace) }, k8sOpts);
        const service = new k8s.core.v1.Service(`${name}-${def.store}-svc`, { metadata, spec: headlessServiceSpec(def.store, def.port) }, k8sOpts);
        new k8s.apps.v1.StatefulSet(
            `${name}-${def.store}`,
            { metadata, spec: def.spec },
            { ...k8sOpts, ...stateful(args.protect).options, dependsOn: [policy, service, auth] },
        );
        // The engine marks `result` secret (additionalSecretOutputs); say so here too, whatever reads it.
        return pulumi.secret(password.result);
    }
}
