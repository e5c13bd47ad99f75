namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// A read-only view of one ring (Mimir's ring.ReadRing), kept current from the membership store by the ring client.
/// Callers never touch the store: they ask for replication sets.
/// </summary>
public interface IReadRing
{
    /// <summary>The replication factor of this ring.</summary>
    int ReplicationFactor { get; }

    /// <summary>Every registered instance (a snapshot), by id.</summary>
    IReadOnlyDictionary<string, InstanceDesc> Instances { get; }

    /// <summary>
    /// The replication set of <paramref name="key"/>: the <see cref="ReplicationFactor"/> distinct instances (distinct
    /// zones when zone-aware) owning the first tokens clockwise from the key, extended per
    /// <see cref="RingOperation.ExtendReplicaSet"/>, unhealthy ones filtered out and counted against the quorum.
    /// </summary>
    /// <exception cref="RingUnavailableException">Too few healthy instances for a quorum, or the ring is empty.</exception>
    ReplicationSet Get(uint key, RingOperation operation);

    /// <summary>
    /// Every healthy instance for <paramref name="operation"/>, with the errors a read may tolerate and still see every
    /// sample written with a quorum (Mimir's GetReplicationSetForOperation).
    /// </summary>
    /// <exception cref="RingUnavailableException">Too many unhealthy instances.</exception>
    ReplicationSet GetReplicationSetForOperation(RingOperation operation);

    /// <summary>Whether <paramref name="instance"/> is in a healthy state for <paramref name="operation"/> and its process is alive (Orleans membership).</summary>
    bool IsHealthy(InstanceDesc instance, RingOperation operation);
}

/// <summary>The ring cannot serve an operation: too few healthy instances, or no ring yet.</summary>
public sealed class RingUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RingUnavailableException(string message)
        : base(message)
    {
    }
}
