namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// What a replication set is for (Mimir's ring.Operation): which instance states count as healthy for it, and whether
/// an instance in a given state makes the set extend to one more instance clockwise.
/// </summary>
/// <param name="Name">For messages and metrics.</param>
/// <param name="HealthyStates">States an instance (whose process is alive) may be in to be used.</param>
/// <param name="ExtendReplicaSet">True for states that do not count towards the replication factor.</param>
/// <param name="IgnoreUnhealthy">
/// One healthy replica is enough (Mimir's IgnoreUnhealthyInstancesReplicationStrategy, which its store-gateway ring
/// uses): a block read needs any one replica that has it, not a quorum. Otherwise a quorum (RF/2+1) must be healthy.
/// </param>
public sealed record RingOperation(string Name, IReadOnlySet<InstanceState> HealthyStates, Func<InstanceState, bool> ExtendReplicaSet, bool IgnoreUnhealthy = false)
{
    /// <summary>Pushes: only ACTIVE instances take writes; a non-ACTIVE one extends the set (Mimir's Write).</summary>
    public static readonly RingOperation Write = new(
        "write", new HashSet<InstanceState> { InstanceState.Active }, s => s != InstanceState.Active);

    /// <summary>Queries: ACTIVE, PENDING and LEAVING instances still hold data (Mimir's Read).</summary>
    public static readonly RingOperation Read = new(
        "read", new HashSet<InstanceState> { InstanceState.Active, InstanceState.Pending, InstanceState.Leaving }, s => s != InstanceState.Active && s != InstanceState.Leaving);

    /// <summary>Status pages and stats: every state (Mimir's Reporting).</summary>
    public static readonly RingOperation Reporting = new(
        "reporting", new HashSet<InstanceState> { InstanceState.Active, InstanceState.Pending, InstanceState.Joining, InstanceState.Leaving }, _ => false);

    /// <summary>Store-gateway block ownership while syncing: JOINING and LEAVING instances keep loading (Mimir's BlocksOwnerSync).</summary>
    public static readonly RingOperation BlocksSync = new(
        "blocks-sync", new HashSet<InstanceState> { InstanceState.Joining, InstanceState.Active, InstanceState.Leaving }, s => s == InstanceState.Joining, IgnoreUnhealthy: true);

    /// <summary>Store-gateway reads: only ACTIVE instances serve; others extend the set (Mimir's BlocksRead).</summary>
    public static readonly RingOperation BlocksRead = new(
        "blocks-read", new HashSet<InstanceState> { InstanceState.Active }, s => s != InstanceState.Active, IgnoreUnhealthy: true);
}
