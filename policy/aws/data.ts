/** DocumentDB and ElastiCache controls (FSBP DocumentDB.1-6, ElastiCache.1-7). */
import { asArray, resourcePolicy, stackPolicy } from "../framework";
import { DOCDB_CLUSTER as DOCDB, REPLICATION_GROUP as RG } from "../resourceTypes";

export const dataPolicies = [
    resourcePolicy(
        {
            name: "documentdb-1-encrypted-at-rest",
            control: "DocumentDB.1",
            description: "Amazon DocumentDB clusters should be encrypted at rest",
            severity: "medium",
            judge: "S",
            appliesTo: [DOCDB],
            remediation: "set storageEncrypted true with a customer-managed kmsKeyId.",
        },
        ({ props, name }) => (props.storageEncrypted === true ? undefined : `DocumentDB cluster ${name} is not encrypted at rest.`),
    ),
    resourcePolicy(
        {
            name: "documentdb-2-backup-retention",
            control: "DocumentDB.2",
            description: "Amazon DocumentDB clusters should have an adequate backup retention period",
            severity: "medium",
            judge: "S",
            appliesTo: [DOCDB],
            remediation: "set data.documentDb.backupRetentionDays to 7 or more.",
        },
        ({ props, name }) => (Number(props.backupRetentionPeriod ?? 1) >= 7 ? undefined : `DocumentDB cluster ${name} keeps backups ${props.backupRetentionPeriod ?? 1} day(s).`),
    ),
    resourcePolicy(
        {
            name: "documentdb-4-audit-logs",
            control: "DocumentDB.4",
            description: "Amazon DocumentDB clusters should publish audit logs to CloudWatch Logs",
            severity: "medium",
            judge: "S",
            appliesTo: [DOCDB],
            remediation: "include audit in enabledCloudwatchLogsExports.",
        },
        ({ props, name }) => (asArray(props.enabledCloudwatchLogsExports).includes("audit") ? undefined : `DocumentDB cluster ${name} does not export audit logs.`),
    ),
    resourcePolicy(
        {
            name: "documentdb-5-deletion-protection",
            control: "DocumentDB.5",
            description: "Amazon DocumentDB clusters should have deletion protection enabled",
            severity: "medium",
            judge: "S",
            appliesTo: [DOCDB],
            remediation: "set protectStatefulResources: true for the stack.",
        },
        ({ props, name }) => (props.deletionProtection === true ? undefined : `DocumentDB cluster ${name} has no deletion protection.`),
    ),
    stackPolicy(
        {
            name: "documentdb-6-tls",
            control: "DocumentDB.6",
            description: "Amazon DocumentDB clusters should be encrypted in transit",
            severity: "medium",
            judge: "S",
            appliesTo: [DOCDB],
            remediation: "attach a cluster parameter group whose tls parameter is tls1.2+, tls1.3+ or fips-140-3.",
        },
        (resources) => {
            const groups = resources.filter((r) => r.type === "aws:docdb/clusterParameterGroup:ClusterParameterGroup");
            return resources
                .filter((r) => r.type === DOCDB)
                .filter((c) => {
                    const group = groups.find((g) => g.props.name === c.props.dbClusterParameterGroupName || (c.dependencies ?? []).includes(g.urn));
                    const tls = asArray(group?.props.parameters).find((p: any) => p.name === "tls");
                    return !tls || !["tls1.2+", "tls1.3+", "fips-140-3"].includes(tls.value);
                })
                .map((c) => ({ message: `DocumentDB cluster ${c.name} does not require TLS 1.2+.`, urn: c.urn }));
        },
    ),
    resourcePolicy(
        {
            name: "elasticache-1-backups",
            control: "ElastiCache.1",
            description: "ElastiCache (Redis OSS) clusters should have automatic backups enabled",
            severity: "high",
            judge: "S",
            appliesTo: [RG],
            remediation: "set data.redis.snapshotRetentionDays to 1 or more.",
        },
        ({ props, name }) => (Number(props.snapshotRetentionLimit ?? 0) >= 1 ? undefined : `Replication group ${name} keeps no snapshots.`),
    ),
    resourcePolicy(
        {
            name: "elasticache-2-minor-upgrades",
            control: "ElastiCache.2",
            description: "ElastiCache clusters should have automatic minor version upgrades enabled",
            severity: "high",
            judge: "S",
            appliesTo: [RG],
            remediation: "set autoMinorVersionUpgrade true.",
        },
        ({ props, name }) => (props.autoMinorVersionUpgrade === false || props.autoMinorVersionUpgrade === "false" ? `Replication group ${name} skips minor upgrades.` : undefined),
    ),
    resourcePolicy(
        {
            name: "elasticache-3-automatic-failover",
            control: "ElastiCache.3",
            description: "ElastiCache replication groups should have automatic failover enabled",
            severity: "medium",
            judge: "S",
            appliesTo: [RG],
            remediation: "set data.redis.automaticFailover true with at least one replica.",
        },
        ({ props, name }) => (props.automaticFailoverEnabled === true ? undefined : `Replication group ${name} has no automatic failover.`),
    ),
    resourcePolicy(
        {
            name: "elasticache-4-encrypted-at-rest",
            control: "ElastiCache.4",
            description: "ElastiCache replication groups should be encrypted at rest",
            severity: "medium",
            judge: "S",
            appliesTo: [RG],
            remediation: "set atRestEncryptionEnabled true.",
        },
        ({ props, name }) => (props.atRestEncryptionEnabled === true || props.atRestEncryptionEnabled === "true" ? undefined : `Replication group ${name} is not encrypted at rest.`),
    ),
    resourcePolicy(
        {
            name: "elasticache-5-encrypted-in-transit",
            control: "ElastiCache.5",
            description: "ElastiCache replication groups should be encrypted in transit",
            severity: "medium",
            judge: "S",
            appliesTo: [RG],
            remediation: "set transitEncryptionEnabled true.",
        },
        ({ props, name }) => (props.transitEncryptionEnabled === true ? undefined : `Replication group ${name} is not encrypted in transit.`),
    ),
    resourcePolicy(
        {
            name: "elasticache-6-auth",
            control: "ElastiCache.6",
            description: "ElastiCache (Redis OSS) replication groups of earlier versions should have Redis OSS AUTH enabled",
            severity: "medium",
            judge: "S",
            appliesTo: [RG],
            remediation: "set an authToken (or RBAC user groups) on Redis OSS below 6.0.",
        },
        ({ props, name }) => {
            const major = Number(String(props.engineVersion ?? "7").split(".")[0]);
            return major < 6 && !props.authToken && asArray(props.userGroupIds).length === 0 ? `Replication group ${name} (Redis ${props.engineVersion}) has no AUTH.` : undefined;
        },
    ),
    resourcePolicy(
        {
            name: "elasticache-7-custom-subnet-group",
            control: "ElastiCache.7",
            description: "ElastiCache clusters should not use the default subnet group",
            severity: "high",
            judge: "S",
            appliesTo: [RG],
            remediation: "create an aws.elasticache.SubnetGroup on the private subnets and use it.",
        },
        ({ props, name }) => (props.subnetGroupName && props.subnetGroupName !== "default" ? undefined : `Replication group ${name} uses the default subnet group.`),
    ),
];
