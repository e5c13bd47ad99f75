using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Store;

/// <summary>
/// The membership store (ARCHITECTURE "Cluster mode"): one <see cref="RingDesc"/> per ring key, read, watched and
/// updated with compare-and-swap. Implementations: <c>memory</c> (one process) and <c>postgres</c>.
/// Every member may throw <see cref="RingStoreUnavailableException"/> when the store cannot be reached; callers keep
/// their last known ring then.
/// </summary>
public interface IRingStore
{
    /// <summary>The current descriptor of <paramref name="key"/> and its version; null when none was ever written.</summary>
    Task<VersionedRingDesc?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the descriptor, calls <paramref name="update"/> with a copy (null when none exists) and writes what it
    /// returns only if nobody wrote in between (version check); on a conflict it re-reads and calls
    /// <paramref name="update"/> again, up to a bounded number of attempts. Returning null from
    /// <paramref name="update"/> means "no change" and writes nothing.
    /// </summary>
    /// <returns>The descriptor now stored (after the update, or unchanged).</returns>
    Task<VersionedRingDesc?> CasAsync(string key, Func<RingDesc?, RingDesc?> update, CancellationToken cancellationToken);

    /// <summary>
    /// Yields the current descriptor, then every later version (at least every poll interval of the store). Never
    /// ends before <paramref name="cancellationToken"/> is cancelled; store outages are retried inside, not thrown.
    /// </summary>
    IAsyncEnumerable<VersionedRingDesc> WatchAsync(string key, CancellationToken cancellationToken);
}

/// <summary>A descriptor and the store's version of it (increments by one per successful write).</summary>
/// <param name="Desc">The descriptor.</param>
/// <param name="Version">The version.</param>
public sealed record VersionedRingDesc(RingDesc Desc, long Version);

/// <summary>The membership store could not be reached or answered with an error.</summary>
public sealed class RingStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RingStoreUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
