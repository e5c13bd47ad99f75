namespace MetricsCluster.Config;

/// <summary>
/// How this process is deployed, decided once from <c>--ring.store</c>: the one place the host asks "one process or a
/// cluster?" (G2, G3).
/// </summary>
public enum DeploymentMode
{
    /// <summary>
    /// <c>--ring.store=memory</c>: the process is the whole cluster. The rings live in memory, replication is 1, no
    /// silo runs, and the distributor and querier call the ingester and store-gateway of this process directly.
    /// </summary>
    SingleProcess,

    /// <summary>
    /// <c>--ring.store=postgres</c> or <c>azure</c>: the process is a silo of an Orleans cluster; the rings are read
    /// from the ring grains and the other components are reached through grain calls.
    /// </summary>
    Cluster,
}
