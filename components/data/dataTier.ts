/**
 * The data tier behind one contract (docs/decisions.md#data-two-modes). `managed`: a DocumentDB cluster (instances spread over the
 * AZs, TLS 1.2+ enforced, KMS, audit and profiler logs, backups, deletion protection and a final
 * snapshot when protected) and an ElastiCache Redis OSS replication group (encrypted at rest with the
 * same customer-managed key and in transit, AUTH token, automatic failover and Multi-AZ from config,
 * snapshots, slow and engine logs). `in-cluster`: MongoDB and Redis StatefulSets (components/data/inClusterData.ts).
 *
 * Either way namespace `flodrama` gets the same Secret, `flodrama-data`, with `MONGODB_URI`,
 * `REDIS_URL` and `mongodb-ca.pem`: no workload knows which mode runs. Passwords come from
 * @pulumi/random and stay Pulumi secrets (not Secrets Manager: see docs/data.md).
 */
import * as fs from "fs";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DataConfig, DocumentDbConfig, RedisConfig } from "./config";
import { ClusterInfo, DataInfo, DATA_SECRET_KEYS, NetworkInfo } from "../../lib/contracts";
import { customerManagedKey } from "../../lib/kms";
import { physicalName } from "../../lib/naming";
import { requireAwsProvider } from "../../lib/providers";
import { MONGO_PORT, MONGO_USERNAME, REDIS_PORT } from "../../k8s/inClusterStores";
import { InClusterData } from "./inClusterData";
import {
    DATA_SECRET_NAME,
    dataKeyPolicy,
    DOCDB_CA_CERT_IDENTIFIER,
    DOCDB_LOG_EXPORTS,
    docdbLogGroupName,
    docdbParameterFamily,
    docdbParameters,
    instanceSubnetIndex,
    mongoUri,
    RDS_CA_BUNDLE_PATH,
    REDIS_AUTH_TOKEN_SPECIALS,
    redisLogGroupName,
    redisParameterFamily,
    redisUrl,
} from "./dataSpecs";
import { stateful } from "../../lib/stateful";

export interface DataTierArgs {
    /** Stack name, for physical names. */
    stack: string;
    /** `flodrama:data`: the mode and the selected mode's settings. */
    data: DataConfig;
    network: NetworkInfo;
    cluster: ClusterInfo;
    /** Protect the stores: `protect`, deletion protection, final snapshots, volumes kept. */
    protect: boolean;
    /** Retention of the DocumentDB and ElastiCache log groups, in days. */
    logRetentionDays: number;
    /** The program's random provider (lib/providers.ts `providers.random`): generates the passwords and the AUTH token. */
    randomProvider: random.Provider;
}

/** What a mode hands to the contract Secret. */
interface Connection {
    mongoUri: pulumi.Output<string>;
    redisUrl: pulumi.Output<string>;
    mongoCa: string;
    /** The stores themselves: workloads that wait for the Secret then find them running. */
    stores: pulumi.Resource[];
}

export class DataTier extends pulumi.ComponentResource implements DataInfo {
    static readonly __pulumiType = "flodrama:data:DataTier";

    readonly mode: DataInfo["mode"];
    readonly secretName: pulumi.Output<string>;
    readonly mongoPort = MONGO_PORT;
    readonly redisPort = REDIS_PORT;
    readonly documentDbClusterId?: pulumi.Output<string>;
    readonly documentDbInstanceIds?: pulumi.Output<string>[];
    readonly redisReplicationGroupId?: pulumi.Output<string>;
    readonly documentDbInstanceClass?: string;
    readonly redisReplicas?: number;
    /** Writer and reader endpoints (managed mode). */
    readonly documentDbEndpoint?: pulumi.Output<string>;
    readonly documentDbReaderEndpoint?: pulumi.Output<string>;
    readonly redisPrimaryEndpoint?: pulumi.Output<string>;
    readonly redisReaderEndpoint?: pulumi.Output<string>;
    /** ARN of the customer-managed key of both stores (managed mode). */
    readonly kmsKeyArn?: pulumi.Output<string>;

    private readonly randomProvider: random.Provider;

    constructor(name: string, args: DataTierArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super(DataTier.__pulumiType, name, {}, opts);
        // Fail early rather than let the stores, keys and log groups fall back to a default provider.
        requireAwsProvider(this, "DataTier");
        this.mode = args.data.mode;
        this.randomProvider = args.randomProvider;
        let connection: Connection;
        if (args.data.mode === "managed") {
            const { documentDb, redis } = args.data;
            if (!documentDb || !redis) {
                throw new pulumi.ResourceError("data.mode is managed but data.documentDb or data.redis is missing (config validation should have rejected this)", this);
            }
            const key = this.createKey(name, args);
            this.kmsKeyArn = key.arn;
            const docdb = this.createDocumentDb(name, args, documentDb, key);
            const cache = this.createRedis(name, args, redis, key);
            this.documentDbClusterId = docdb.cluster.clusterIdentifier;
            this.documentDbInstanceIds = docdb.instances.map((i) => i.identifier);
            this.documentDbEndpoint = docdb.cluster.endpoint;
            this.documentDbReaderEndpoint = docdb.cluster.readerEndpoint;
            this.redisReplicationGroupId = cache.group.replicationGroupId;
            this.documentDbInstanceClass = documentDb.instanceClass;
            this.redisReplicas = redis.replicas;
            this.redisPrimaryEndpoint = cache.group.primaryEndpointAddress;
            this.redisReaderEndpoint = cache.group.readerEndpointAddress;
            connection = {
                mongoUri: pulumi
                    .all([docdb.cluster.endpoint, docdb.cluster.port, docdb.password.result])
                    .apply(([host, port, password]) => mongoUri({ username: MONGO_USERNAME, password, host, port: port ?? MONGO_PORT, tls: true, replicaSet: "rs0" })),
                redisUrl: pulumi
                    .all([cache.group.primaryEndpointAddress, cache.group.port, cache.token.result])
                    .apply(([host, port, password]) => redisUrl({ password, host, port: port ?? REDIS_PORT, tls: true })),
                mongoCa: fs.readFileSync(RDS_CA_BUNDLE_PATH, "utf8"),
                stores: [...docdb.instances, cache.group],
            };
        } else {
            const inCluster = args.data.inCluster;
            if (!inCluster) {
                throw new pulumi.ResourceError("data.mode is in-cluster but data.inCluster is missing (config validation should have rejected this)", this);
            }
            const stores = new InClusterData(
                `${name}-in-cluster`,
                {
                    provider: args.cluster.provider,
                    namespace: args.cluster.infraNamespace,
                    appNamespace: args.cluster.appNamespace,
                    storageClassName: args.cluster.storageClassName,
                    ...inCluster,
                    protect: args.protect,
                    randomProvider: this.randomProvider,
                },
                { parent: this },
            );
            connection = {
                mongoUri: pulumi.all([stores.mongo.host, stores.mongo.password]).apply(([host, password]) => mongoUri({ username: MONGO_USERNAME, password, host, port: MONGO_PORT, tls: false })),
                redisUrl: pulumi.all([stores.redis.host, stores.redis.password]).apply(([host, password]) => redisUrl({ password, host, port: REDIS_PORT, tls: false })),
                // Plain connections in the cluster: nothing to trust. The key exists so the mount is identical.
                mongoCa: "",
                stores: [stores],
            };
        }
        this.secretName = this.createContractSecret(name, args, connection);

        this.registerOutputs({
            mode: this.mode,
            secretName: this.secretName,
            documentDbClusterId: this.documentDbClusterId,
            documentDbEndpoint: this.documentDbEndpoint,
            documentDbReaderEndpoint: this.documentDbReaderEndpoint,
            redisReplicationGroupId: this.redisReplicationGroupId,
            redisPrimaryEndpoint: this.redisPrimaryEndpoint,
            redisReaderEndpoint: this.redisReaderEndpoint,
            kmsKeyArn: this.kmsKeyArn,
        });
    }

    /** One rotating customer-managed key for DocumentDB storage, ElastiCache storage and snapshots. */
    private createKey(name: string, args: DataTierArgs): aws.kms.Key {
        const account = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this });
        return customerManagedKey(
            `${name}-key`,
            {
                description: `Encryption at rest of ${physicalName(args.stack, "docdb", "docdbCluster")} and ${physicalName(args.stack, "redis", "elasticacheReplicationGroup")}`,
                policy: pulumi.all([partition.partition, account.accountId, region.region]).apply(([p, a, r]) => dataKeyPolicy(p, a, r)),
                aliasName: physicalName(args.stack, "data", "kmsAlias"),
                deletionWindowInDays: stateful(args.protect).kmsDeletionWindowInDays,
            },
            // Losing the key loses every backup and snapshot with the data.
            { key: { ...stateful(args.protect).retainOptions, parent: this }, alias: { parent: this } },
        );
    }

    /** A security group admitting `port` only from the cluster's nodes (and so its pods); no egress (responses are stateful). */
    private createSecurityGroup(name: string, args: DataTierArgs, suffix: string, port: number, what: string): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            `${name}-${suffix}-sg`,
            {
                name: physicalName(args.stack, suffix, "securityGroup"),
                description: `${what}: ${port}/tcp from the EKS nodes only`,
                vpcId: args.network.vpcId,
                tags: { Name: physicalName(args.stack, suffix, "securityGroup") },
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-${suffix}-from-nodes`,
            {
                securityGroupId: sg.id,
                referencedSecurityGroupId: args.cluster.nodeSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: `${what} clients: EKS nodes and pods`,
            },
            { parent: this },
        );
        return sg;
    }

    private createDocumentDb(
        name: string,
        args: DataTierArgs,
        cfg: DocumentDbConfig,
        key: aws.kms.Key,
    ): { cluster: aws.docdb.Cluster; instances: aws.docdb.ClusterInstance[]; password: random.RandomPassword } {
        const clusterIdentifier = physicalName(args.stack, "docdb", "docdbCluster");
        const sg = this.createSecurityGroup(name, args, "docdb", MONGO_PORT, "DocumentDB");
        const subnetGroup = new aws.docdb.SubnetGroup(
            `${name}-docdb-subnets`,
            { name: physicalName(args.stack, "docdb"), description: "Private subnets of every AZ", subnetIds: args.network.privateSubnetIds },
            { parent: this },
        );
        const parameterGroup = new aws.docdb.ClusterParameterGroup(
            `${name}-docdb-params`,
            {
                name: physicalName(args.stack, `docdb-${docdbParameterFamily(cfg.engineVersion).replace(".", "-")}`),
                family: docdbParameterFamily(cfg.engineVersion),
                description: "TLS 1.2+ required, audit logs and profiler on",
                parameters: docdbParameters(),
            },
            { parent: this },
        );
        const logGroups = DOCDB_LOG_EXPORTS.map(
            (logType) =>
                new aws.cloudwatch.LogGroup(`${name}-docdb-${logType}-logs`, { name: docdbLogGroupName(clusterIdentifier, logType), retentionInDays: args.logRetentionDays }, { parent: this }),
        );
        // Letters and digits: DocumentDB refuses `/`, `"` and `@`, and the URI needs no escaping this way.
        const password = new random.RandomPassword(`${name}-docdb-password`, { length: 40, special: false, minUpper: 4, minLower: 4, minNumeric: 4 }, { ...stateful(args.protect).options, parent: this, provider: this.randomProvider });
        const cluster = new aws.docdb.Cluster(
            `${name}-docdb`,
            {
                clusterIdentifier,
                engine: "docdb",
                engineVersion: cfg.engineVersion,
                masterUsername: MONGO_USERNAME,
                masterPassword: password.result,
                port: MONGO_PORT,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [sg.id],
                dbClusterParameterGroupName: parameterGroup.name,
                storageEncrypted: true,
                kmsKeyId: key.arn,
                enabledCloudwatchLogsExports: [...DOCDB_LOG_EXPORTS],
                backupRetentionPeriod: cfg.backupRetentionDays,
                preferredBackupWindow: cfg.backupWindow,
                preferredMaintenanceWindow: cfg.maintenanceWindow,
                deletionProtection: stateful(args.protect).deletionProtection,
                skipFinalSnapshot: stateful(args.protect).skipFinalSnapshot,
                finalSnapshotIdentifier: stateful(args.protect).finalSnapshotIdentifier(clusterIdentifier),
                // Changes wait for the maintenance window instead of restarting instances mid-day.
                applyImmediately: false,
            },
            {
                ...stateful(args.protect).options,
                parent: this,
                dependsOn: logGroups,
                // AWS fills in the AZs of the instances; the provider would otherwise replace the cluster to "fix" them.
                ignoreChanges: ["availabilityZones"],
            },
        );
        const subnetIds = pulumi.output(args.network.privateSubnetIds);
        const instances = Array.from({ length: cfg.instanceCount }, (_, i) => {
            const availabilityZone = subnetIds.apply((ids) => aws.ec2.getSubnetOutput({ id: ids[instanceSubnetIndex(i, ids.length)] }, { parent: this }).availabilityZone);
            return new aws.docdb.ClusterInstance(
                `${name}-docdb-${i + 1}`,
                {
                    identifier: `${clusterIdentifier}-${i + 1}`,
                    clusterIdentifier: cluster.clusterIdentifier,
                    engine: "docdb",
                    instanceClass: cfg.instanceClass,
                    availabilityZone,
                    caCertIdentifier: DOCDB_CA_CERT_IDENTIFIER,
                    autoMinorVersionUpgrade: true,
                    preferredMaintenanceWindow: cfg.maintenanceWindow,
                    // The first instance is the preferred writer after a failover back.
                    promotionTier: i === 0 ? 0 : 1,
                    applyImmediately: false,
                },
                { ...stateful(args.protect).options, parent: this },
            );
        });
        return { cluster, instances, password };
    }

    private createRedis(name: string, args: DataTierArgs, cfg: RedisConfig, key: aws.kms.Key): { group: aws.elasticache.ReplicationGroup; token: random.RandomPassword } {
        const replicationGroupId = physicalName(args.stack, "redis", "elasticacheReplicationGroup");
        const sg = this.createSecurityGroup(name, args, "redis", REDIS_PORT, "ElastiCache Redis");
        const subnetGroup = new aws.elasticache.SubnetGroup(
            `${name}-redis-subnets`,
            { name: physicalName(args.stack, "redis", "elasticacheSubnetGroup"), description: "Private subnets of every AZ", subnetIds: args.network.privateSubnetIds },
            { parent: this },
        );
        const logs = (["slow-log", "engine-log"] as const).map((logType) => ({
            logType,
            group: new aws.cloudwatch.LogGroup(`${name}-redis-${logType}`, { name: redisLogGroupName(replicationGroupId, logType), retentionInDays: args.logRetentionDays }, { parent: this }),
        }));
        const token = new random.RandomPassword(
            `${name}-redis-auth-token`,
            { length: 64, special: true, overrideSpecial: REDIS_AUTH_TOKEN_SPECIALS, minUpper: 4, minLower: 4, minNumeric: 4 },
            { ...stateful(args.protect).options, parent: this, provider: this.randomProvider },
        );
        const group = new aws.elasticache.ReplicationGroup(
            `${name}-redis`,
            {
                replicationGroupId,
                description: "FloDrama cache, sessions and Watch Party state",
                engine: "redis",
                engineVersion: cfg.engineVersion,
                parameterGroupName: `default.${redisParameterFamily(cfg.engineVersion)}`,
                nodeType: cfg.nodeType,
                clusterMode: "disabled",
                numCacheClusters: cfg.replicas + 1,
                automaticFailoverEnabled: cfg.automaticFailover,
                multiAzEnabled: cfg.automaticFailover,
                port: REDIS_PORT,
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [sg.id],
                atRestEncryptionEnabled: true,
                kmsKeyId: key.arn,
                transitEncryptionEnabled: true,
                transitEncryptionMode: "required",
                authToken: token.result,
                autoMinorVersionUpgrade: true,
                snapshotRetentionLimit: cfg.snapshotRetentionDays,
                snapshotWindow: cfg.snapshotWindow,
                maintenanceWindow: cfg.maintenanceWindow,
                finalSnapshotIdentifier: stateful(args.protect).finalSnapshotIdentifier(replicationGroupId),
                logDeliveryConfigurations: logs.map(({ logType, group: g }) => ({ destination: g.name, destinationType: "cloudwatch-logs", logFormat: "json", logType })),
                applyImmediately: false,
            },
            { ...stateful(args.protect).options, parent: this },
        );
        return { group, token };
    }

    /** The contract: one Secret in `flodrama`, same keys in both modes; every value a Pulumi secret. */
    private createContractSecret(name: string, args: DataTierArgs, c: Connection): pulumi.Output<string> {
        const secret = new k8s.core.v1.Secret(
            `${name}-contract`,
            {
                metadata: {
                    name: DATA_SECRET_NAME,
                    namespace: args.cluster.appNamespace,
                    labels: { "app.kubernetes.io/name": "data-tier", "app.kubernetes.io/part-of": "flodrama", "app.kubernetes.io/managed-by": "pulumi" },
                },
                type: "Opaque",
                stringData: pulumi.secret(
                    pulumi.all([c.mongoUri, c.redisUrl]).apply(([mongo, redis]) => ({
                        [DATA_SECRET_KEYS.mongoUri]: mongo,
                        [DATA_SECRET_KEYS.redisUrl]: redis,
                        [DATA_SECRET_KEYS.mongoCa]: c.mongoCa,
                    })),
                ),
            },
            { parent: this, provider: args.cluster.provider, dependsOn: c.stores },
        );
        return secret.metadata.name;
    }
}
