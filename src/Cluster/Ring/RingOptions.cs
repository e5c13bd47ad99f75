namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// How a ring client reads one ring (G5; Mimir's ring.Config). Flags are prefixed by the ring's component, e.g.
/// <c>--ingester.ring.replication-factor</c>, <c>--store-gateway.ring.heartbeat-timeout</c>.
/// </summary>
public sealed class RingOptions
{
    /// <summary>The ring's key in the membership store: "ingester", "store-gateway", "compactor" or "ruler".</summary>
    public string Key { get; set; } = "ingester";

    /// <summary>How many instances hold each key (3 in cluster mode: a quorum of 2 survives one loss).</summary>
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>An instance whose last heartbeat is older than this is unhealthy (Mimir: 1m). Zero disables the check.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Replicate to distinct zones (one replica per zone) when instances declare zones.</summary>
    public bool ZoneAwarenessEnabled { get; set; }

    /// <summary>
    /// How long after the last successful refresh from the store the ring still counts as current. Beyond it the
    /// store is reported unreachable and the health reference time stops advancing (docs/ring.md, "Store outages"),
    /// so a store outage does not turn every instance unhealthy. Keep it above the store's poll interval.
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

        if (HeartbeatTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"{Key}.ring.heartbeat-timeout must be >= 0 (0 disables it)");
        }

        if (RefreshSlack <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Key}.ring.refresh-slack must be positive");
        }
    }
}
