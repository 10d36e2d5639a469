/** The EksCluster arguments index.ts passes for a stack's config, on a given network (shared by the cluster tests). */
import { EksClusterArgs } from "../../components/cluster/clusterSpecs";
import { FlodramaConfig } from "../../config";
import { NetworkInfo } from "../../lib/contracts";

export function clusterArgs(cfg: FlodramaConfig, net: NetworkInfo, extra: Partial<EksClusterArgs> = {}): EksClusterArgs {
    return {
        stack: cfg.stack,
        version: cfg.cluster.version,
        addonVersions: cfg.cluster.addonVersions,
        vpcId: net.vpcId,
        privateSubnetIds: net.privateSubnetIds,
        publicAccessCidrs: cfg.cluster.publicAccessCidrs,
        access: cfg.cluster.access,
        nodeGroups: cfg.cluster.nodeGroups,
        logRetentionDays: cfg.logRetentionDays,
        protect: cfg.protect,
        tags: cfg.tags,
        ...extra,
    };
}
