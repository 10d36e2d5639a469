/** Pulumi type tokens that more than one policy file judges. */
export const DOCDB_CLUSTER = "aws:docdb/cluster:Cluster";
export const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
export const LAMBDA_FUNCTION = "aws:lambda/function:Function";
