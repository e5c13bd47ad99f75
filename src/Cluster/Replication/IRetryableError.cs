namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// An error that knows whether trying again may succeed. The RPC layer's exception implements it, so
/// <see cref="QuorumException.Retryable"/> can tell a quorum lost to timeouts (retry: 5xx) from one lost to
/// rejections every replica would repeat (do not retry).
/// </summary>
public interface IRetryableError
{
    /// <summary>Gets a value indicating whether the same call may succeed later or on another instance.</summary>
    bool Retryable { get; }
}
