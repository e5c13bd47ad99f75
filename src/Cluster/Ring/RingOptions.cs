namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// How a ring client reads one ring (G5; Mimir's ring.Config). Flags are prefixed by the ring's component, e.g.
/// <c>--ingester.ring.replication-factor</c>, <c>--store-gateway.replication-factor</c>.
/// </summary>
public sealed class RingOptions
{
    /// <summary>The ring's key in the membership store: "ingester", "store-gateway", "compactor" or "ruler".</summary>
    public string Key { get; set; } = "ingester";

    /// <summary>How many instances hold each key (3 in cluster mode: a quorum of 2 survives one loss).</summary>
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>Replicate to distinct zones (one replica per zone) when instances declare zones.</summary>
    public bool ZoneAwarenessEnabled { get; set; }

    /// <summary>
    /// How long after the last successful read of the descriptor the ring page still calls the store reachable
    /// (reads keep serving the last known ring either way). Keep it above the store's poll interval.
    /// </summary>
    public TimeSpan RefreshSlack { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Throws naming the key when a value is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Key))
        {
            throw new ArgumentException("ring key must not be empty");
        }

        if (ReplicationFactor < 1)
        {
            throw new ArgumentException($"{Key}.ring.replication-factor must be >= 1 (got {ReplicationFactor})");
        }

        if (RefreshSlack <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Key}.ring.refresh-slack must be positive");
        }
    }
}
