/**
 * The data tier's pure parts: the contract Secret's name and CA bundle, DocumentDB and ElastiCache
 * parameters and log names, the connection strings, the key policy, and the inputs whose change
 * replaces a store. DataTier (dataTier.ts) builds on them; tests read them without mocks.
 */
import * as path from "path";
import { DATA_SECRET_KEYS, DATA_SECRET_MOUNT_PATH } from "../../lib/contracts";
import { accountRootPrincipal, grantsForAwsResourcesStatement, KEY_ADMINISTRATION_ACTIONS, KEY_USE_ACTIONS } from "../../lib/kms";
import { MONGO_DATABASE } from "../../k8s/inClusterStores";

/** Name of the contract Secret in `flodrama`. */
export const DATA_SECRET_NAME = "flodrama-data";

/**
 * The Amazon RDS CA bundle (all regions' RSA2048, RSA4096 and ECC384 G1 roots), shipped with the
 * program: nodes sit in private subnets, so fetching it at pod start would depend on egress to
 * truststore.pki.rds.amazonaws.com. Source and refresh procedure: docs/data.md.
 */
export const RDS_CA_BUNDLE_PATH = path.join(__dirname, "certs", "rds-global-bundle.pem");

/** The CA DocumentDB instances present; the bundle holds its root for every region. */
export const DOCDB_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1";

/** DocumentDB log types exported to CloudWatch: audit is FSBP DocumentDB.4, profiler finds slow operations. */
export const DOCDB_LOG_EXPORTS = ["audit", "profiler"] as const;

/** Slow operations above this many milliseconds go to the profiler log. */
export const DOCDB_PROFILER_THRESHOLD_MS = 100;

/**
 * Cluster parameters: TLS 1.2 or newer required (FSBP DocumentDB.6 fails on `enabled`), auditing
 * (`enabled`: connections, authentication, user management and DDL) and the profiler.
 */
export function docdbParameters(): Array<{ name: string; value: string; applyMethod: string }> {
    return [
        { name: "tls", value: "tls1.2+", applyMethod: "pending-reboot" },
        { name: "audit_logs", value: "enabled", applyMethod: "immediate" },
        { name: "profiler", value: "enabled", applyMethod: "immediate" },
        { name: "profiler_threshold_ms", value: String(DOCDB_PROFILER_THRESHOLD_MS), applyMethod: "immediate" },
    ];
}

/** Parameter group family of an engine version: `5.0.0` → `docdb5.0`. */
export function docdbParameterFamily(engineVersion: string): string {
    const m = /^(\d+)\.(\d+)\./.exec(engineVersion);
    if (!m) {
        throw new Error(`DocumentDB engine version ${JSON.stringify(engineVersion)} is not major.minor.patch`);
    }
    return `docdb${m[1]}.${m[2]}`;
}

/** Parameter group family of a Redis OSS engine version: `7.1` → `redis7`. */
export function redisParameterFamily(engineVersion: string): string {
    return `redis${engineVersion.split(".")[0]}`;
}

/**
 * Characters ElastiCache accepts in an AUTH token besides letters and digits (16-128 printable
 * characters, none of space, `/`, `"` or `@`).
 */
export const REDIS_AUTH_TOKEN_SPECIALS = "!&#$^<>-";

/** Where instance `index` goes: AZs round-robin over the private subnets, so N instances span min(N, AZs) zones. */
export function instanceSubnetIndex(index: number, subnetCount: number): number {
    return index % subnetCount;
}

/** Log group names DocumentDB writes to; created first so their retention applies. */
export function docdbLogGroupName(clusterIdentifier: string, logType: string): string {
    return `/aws/docdb/${clusterIdentifier}/${logType}`;
}

export function redisLogGroupName(replicationGroupId: string, logType: string): string {
    return `/aws/elasticache/${replicationGroupId}/${logType}`;
}

export interface MongoUriParts {
    username: string;
    password: string;
    host: string;
    port: number;
    /** TLS with the CA file of the contract Secret (DocumentDB). */
    tls: boolean;
    /** Replica set name, when the server runs one (DocumentDB: always `rs0`). */
    replicaSet?: string;
}

/**
 * A MongoDB connection string. Users live in `admin` (DocumentDB's only auth database); the path
 * names the app's database. `retryWrites=false` in both modes: DocumentDB does not support retryable
 * writes, and the dev standalone server neither, so the app sees the same behaviour everywhere.
 */
export function mongoUri(p: MongoUriParts): string {
    const params = new URLSearchParams();
    if (p.tls) {
        params.set("tls", "true");
        params.set("tlsCAFile", `${DATA_SECRET_MOUNT_PATH}/${DATA_SECRET_KEYS.mongoCa}`);
    }
    if (p.replicaSet) {
        params.set("replicaSet", p.replicaSet);
        params.set("readPreference", "secondaryPreferred");
    }
    params.set("retryWrites", "false");
    params.set("authSource", "admin");
    // URLSearchParams would escape the path's slashes; drivers read tlsCAFile as given.
    const query = [...params].map(([k, v]) => `${k}=${k === "tlsCAFile" ? v : encodeURIComponent(v)}`).join("&");
    return `mongodb://${encodeURIComponent(p.username)}:${encodeURIComponent(p.password)}@${p.host}:${p.port}/${MONGO_DATABASE}?${query}`;
}

/** A Redis URL: `rediss://` when the server requires TLS (ElastiCache in transit), the password URL-encoded. */
export function redisUrl(p: { password: string; host: string; port: number; tls: boolean }): string {
    return `${p.tls ? "rediss" : "redis"}://:${encodeURIComponent(p.password)}@${p.host}:${p.port}`;
}

/**
 * Key policy of the data key: the account administers it through IAM; cryptographic use is allowed
 * only to principals of this account calling through DocumentDB (RDS) or ElastiCache in this region.
 */
export function dataKeyPolicy(partition: string, accountId: string, region: string): string {
    const root = accountRootPrincipal(partition, accountId);
    const viaServices = [`rds.${region}.amazonaws.com`, `elasticache.${region}.amazonaws.com`];
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersThroughIam",
                Effect: "Allow",
                Principal: root,
                Action: [...KEY_ADMINISTRATION_ACTIONS],
                // In a key policy, "*" means this key.
                Resource: "*",
            },
            {
                Sid: "DataStoresUseThroughTheirServices",
                Effect: "Allow",
                Principal: root,
                Action: [...KEY_USE_ACTIONS, "kms:DescribeKey"],
                Resource: "*",
                Condition: { StringEquals: { "kms:CallerAccount": accountId, "kms:ViaService": viaServices } },
            },
            // The stores create their grants through their services; nobody creates one directly.
            grantsForAwsResourcesStatement(partition, accountId, viaServices),
        ],
    });
}

/**
 * Inputs whose change makes the provider replace the resource (terraform-provider-aws `ForceNew`),
 * per stateful type. Replacing a DocumentDB cluster, an instance or a replication group loses data,
 * replacing a password changes the stores' credentials under running clients (or, protected, either
 * fails `pulumi up`); tests compare these inputs with a reviewed baseline for prod.
 */
export const REPLACEMENT_INPUTS: Record<string, string[]> = {
    "aws:docdb/cluster:Cluster": ["clusterIdentifier", "engine", "kmsKeyId", "storageEncrypted", "masterUsername", "dbSubnetGroupName", "port", "snapshotIdentifier", "availabilityZones"],
    "aws:docdb/clusterInstance:ClusterInstance": ["identifier", "clusterIdentifier", "engine", "availabilityZone"],
    "aws:elasticache/replicationGroup:ReplicationGroup": ["replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName", "port", "snapshotName", "snapshotArns", "dataTieringEnabled"],
    "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "multiRegion"],
    // Every argument of a random password forces a new value: a new master password or AUTH token in prod.
    "random:index/randomPassword:RandomPassword": ["length", "special", "overrideSpecial", "upper", "lower", "numeric", "minUpper", "minLower", "minNumeric", "minSpecial", "keepers"],
};

/** The replacement-relevant inputs of the stateful resources among `resources`, keyed by `type::name`. */
export function replacementIdentity(resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const r of resources) {
        const keys = REPLACEMENT_INPUTS[r.type];
        if (keys) {
            out[`${r.type}::${r.name}`] = Object.fromEntries(keys.filter((k) => r.inputs[k] !== undefined).map((k) => [k, r.inputs[k]]));
        }
    }
    return out;
}

/** Human-readable replacements between a baseline identity and the current one (empty: nothing is replaced or removed). */
export function replacementsBetween(baseline: Record<string, Record<string, unknown>>, current: Record<string, Record<string, unknown>>): string[] {
    const out: string[] = [];
    for (const [key, before] of Object.entries(baseline)) {
        const after = current[key];
        if (!after) {
            out.push(`${key} would be deleted (or renamed, which replaces it)`);
            continue;
        }
        for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
            if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
                out.push(`${key}: ${k} ${JSON.stringify(before[k])} → ${JSON.stringify(after[k])} replaces it`);
            }
        }
    }
    return out;
}
