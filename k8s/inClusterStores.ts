/**
 * Pure builders of the in-cluster data stores (dev): MongoDB and Redis single-replica StatefulSet
 * specs with authentication on, probes that authenticate, Pod Security `restricted` security contexts,
 * headless Services and one NetworkPolicy per store. `InClusterData`
 * (components/data/inClusterData.ts) creates them with their random passwords.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** uid and gid of the `mongodb` and `redis` users in the official images. */
export const STORE_UID = 999;

export const MONGO_PORT = 27017;
export const REDIS_PORT = 6379;
/** The MongoDB user the workloads connect as (DocumentDB master user names allow letters and digits only). */
export const MONGO_USERNAME = "flodrama";
/** The application database; users authenticate against `admin` in both modes. */
export const MONGO_DATABASE = "flodrama";

/** Names of the Kubernetes objects (fixed: the connection strings use them as DNS names). */
export const MONGO_NAME = "mongo";
export const REDIS_NAME = "redis";
export const MONGO_AUTH_SECRET = "mongo-auth";
export const REDIS_AUTH_SECRET = "redis-auth";

export interface Resources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

/**
 * MongoDB: WiredTiger's cache is pinned to 0.5 GiB so that it, the connections and the mongosh
 * probes stay well inside the 2 GiB limit (mongod sizes its cache from the host's memory otherwise).
 */
export const MONGO_RESOURCES: Resources = { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } };
export const MONGO_WIREDTIGER_CACHE_GB = "0.5";
/** Redis: `maxmemory` stays below the limit so Redis evicts (volatile keys first) before the kernel kills it. */
export const REDIS_RESOURCES: Resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
export const REDIS_MAXMEMORY = "384mb";
/** ElastiCache's default policy, so dev behaves as prod does when memory runs out. */
export const REDIS_MAXMEMORY_POLICY = "volatile-lru";

/** Standard labels of a store's objects; the selector uses the first two. */
export function storeLabels(store: string, component: "database" | "cache"): Record<string, string> {
    return {
        "app.kubernetes.io/name": store,
        "app.kubernetes.io/part-of": "flodrama",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

export function storeSelector(store: string): Record<string, string> {
    return { "app.kubernetes.io/name": store, "app.kubernetes.io/part-of": "flodrama" };
}

/** Pod-level security context meeting Pod Security `restricted`; fsGroup makes the volume writable by the store's user. */
export function storePodSecurityContext() {
    return {
        runAsNonRoot: true,
        runAsUser: STORE_UID,
        runAsGroup: STORE_UID,
        fsGroup: STORE_UID,
        // Only walk the volume to fix ownership when its root does not already match (large volumes start faster).
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export function storeContainerSecurityContext() {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: STORE_UID,
        runAsGroup: STORE_UID,
        capabilities: { drop: ["ALL"] },
    };
}

export interface StoreSpecArgs {
    /** Pinned image reference. */
    image: string;
    /** Size of the data volume in GiB. */
    storageGi: number;
    /** StorageClass of the data volume (the encrypted gp3 class). */
    storageClassName: pulumi.Input<string>;
    /** Keep the data volume when the StatefulSet is deleted (protected stacks). */
    retainVolume: boolean;
}

function volumeClaim(args: StoreSpecArgs) {
    return {
        metadata: { name: "data" },
        spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: args.storageClassName,
            resources: { requests: { storage: `${args.storageGi}Gi` } },
        },
    };
}

type PodSpec = k8s.types.input.core.v1.PodSpec;
export type StatefulSetSpec = k8s.types.input.apps.v1.StatefulSetSpec;

/** The StatefulSet shell of a store: one replica, its data claim, a hardened pod with an in-memory /tmp of `tmpSizeLimit`. */
function statefulSetBase(store: string, component: "database" | "cache", args: StoreSpecArgs, tmpSizeLimit: string, pod: Omit<PodSpec, "securityContext" | "volumes">): StatefulSetSpec {
    return {
        serviceName: store,
        replicas: 1,
        selector: { matchLabels: storeSelector(store) },
        updateStrategy: { type: "RollingUpdate" },
        podManagementPolicy: "OrderedReady",
        persistentVolumeClaimRetentionPolicy: { whenDeleted: args.retainVolume ? "Retain" : "Delete", whenScaled: "Retain" },
        volumeClaimTemplates: [volumeClaim(args)],
        template: {
            metadata: { labels: storeLabels(store, component) },
            spec: {
                // The stores never call the Kubernetes API.
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: storePodSecurityContext(),
                volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: tmpSizeLimit } }],
                ...pod,
            },
        },
    };
}

/** `sh -c` wrapper: the secret stays in the container's environment, never in the pod spec. */
const sh = (script: string) => ["sh", "-c", script];

/** Period and failure threshold of one probe. */
type ProbeTiming = [periodSeconds: number, failureThreshold: number];

interface StoreContainer {
    store: string;
    port: number;
    dataPath: string;
    /** Shell script that exits 0 when the store answers. */
    ping: string;
    timeoutSeconds: number;
    timing: { startup: ProbeTiming; readiness: ProbeTiming; liveness: ProbeTiming };
}

/**
 * What both store containers share: name, image and port, the hardened security context, the data
 * volume at `dataPath` plus the in-memory /tmp, and startup, readiness and liveness probes that all run
 * the store's `ping` script.
 */
function storeContainerParts(args: StoreSpecArgs, c: StoreContainer) {
    const probe = ([periodSeconds, failureThreshold]: ProbeTiming) => ({ exec: { command: sh(c.ping) }, periodSeconds, timeoutSeconds: c.timeoutSeconds, failureThreshold });
    return {
        name: c.store,
        image: args.image,
        ports: [{ name: c.store, containerPort: c.port, protocol: "TCP" }],
        securityContext: storeContainerSecurityContext(),
        volumeMounts: [
            { name: "data", mountPath: c.dataPath },
            { name: "tmp", mountPath: "/tmp" },
        ],
        startupProbe: probe(c.timing.startup),
        readinessProbe: probe(c.timing.readiness),
        livenessProbe: probe(c.timing.liveness),
    };
}

/** mongosh authenticated as the root user; exits non-zero unless `ping` answers ok. HOME=/tmp keeps mongosh's files off the data volume. */
export const MONGO_PING =
    'mongosh --quiet --norc --host 127.0.0.1 --port 27017 --username "$MONGO_INITDB_ROOT_USERNAME" --password "$MONGO_INITDB_ROOT_PASSWORD" ' +
    "--authenticationDatabase admin --eval 'quit(db.adminCommand({ ping: 1 }).ok === 1 ? 0 : 1)'";

/**
 * The MongoDB StatefulSet spec. The official image's entrypoint creates the root user from
 * `MONGO_INITDB_ROOT_*` on first start (through a temporary, localhost-only mongod), then runs mongod
 * with `--auth`; it writes its temporary files to /tmp, an emptyDir, so the root filesystem stays
 * read-only. The probes authenticate, so the pod is not Ready during that first initialisation.
 */
export function mongoStatefulSetSpec(args: StoreSpecArgs): StatefulSetSpec {
    const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: MONGO_AUTH_SECRET, key } } });
    // First start initialises the data files and the root user: startup allows it five minutes.
    const timing = { startup: [10, 30], readiness: [10, 3], liveness: [30, 5] } satisfies StoreContainer["timing"];
    return statefulSetBase(MONGO_NAME, "database", args, "64Mi", {
        terminationGracePeriodSeconds: 60,
        containers: [
            {
                ...storeContainerParts(args, { store: MONGO_NAME, port: MONGO_PORT, dataPath: "/data/db", ping: MONGO_PING, timeoutSeconds: 10, timing }),
                args: ["mongod", "--bind_ip_all", "--wiredTigerCacheSizeGB", MONGO_WIREDTIGER_CACHE_GB],
                env: [secretEnv("MONGO_INITDB_ROOT_USERNAME", "username"), secretEnv("MONGO_INITDB_ROOT_PASSWORD", "password"), { name: "HOME", value: "/tmp" }],
                resources: MONGO_RESOURCES,
            },
        ],
    });
}

/**
 * Redis starts from a config file written to the in-memory /tmp at start, so `requirepass` never
 * appears in the pod spec or in the process arguments. AOF persistence (fsync every second) on the
 * data volume, plus RDB snapshots, like a small ElastiCache node with backups.
 */
export const REDIS_START =
    "set -eu; umask 077; " +
    "printf 'requirepass \"%s\"\\n' \"$REDIS_PASSWORD\" > /tmp/redis.conf; " +
    `exec redis-server /tmp/redis.conf --port ${REDIS_PORT} --dir /data --appendonly yes --appendfsync everysec --save '900 1 300 10' ` +
    `--maxmemory ${REDIS_MAXMEMORY} --maxmemory-policy ${REDIS_MAXMEMORY_POLICY}`;

/** redis-cli takes the password from REDISCLI_AUTH; `ping` must answer PONG (an auth error also exits 0). */
export const REDIS_PING = `redis-cli -h 127.0.0.1 -p ${REDIS_PORT} ping | grep -q PONG`;

export function redisStatefulSetSpec(args: StoreSpecArgs): StatefulSetSpec {
    const password = { valueFrom: { secretKeyRef: { name: REDIS_AUTH_SECRET, key: "password" } } };
    const timing = { startup: [5, 24], readiness: [10, 3], liveness: [20, 5] } satisfies StoreContainer["timing"];
    return statefulSetBase(REDIS_NAME, "cache", args, "16Mi", {
        terminationGracePeriodSeconds: 30,
        containers: [
            {
                ...storeContainerParts(args, { store: REDIS_NAME, port: REDIS_PORT, dataPath: "/data", ping: REDIS_PING, timeoutSeconds: 5, timing }),
                command: sh(REDIS_START),
                env: [
                    { name: "REDIS_PASSWORD", ...password },
                    { name: "REDISCLI_AUTH", ...password },
                ],
                resources: REDIS_RESOURCES,
            },
        ],
    });
}

/** Headless Service: stable DNS for the StatefulSet's pod; clients resolve the ready pod directly. */
export function headlessServiceSpec(store: string, port: number) {
    return {
        clusterIP: "None",
        selector: storeSelector(store),
        ports: [{ name: store, port, targetPort: store, protocol: "TCP" }],
    };
}

/** Ingress to the store's pods only from namespace `appNamespace`, only on the store's port. */
export function storeNetworkPolicySpec(store: string, port: number, appNamespace: pulumi.Input<string>) {
    return {
        podSelector: { matchLabels: storeSelector(store) },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": appNamespace } } }],
                ports: [{ protocol: "TCP", port }],
            },
        ],
    };
}

/** In-cluster DNS name of a store's headless Service. */
export function storeHost(store: string, namespace: string): string {
    return `${store}.${namespace}.svc.cluster.local`;
}
