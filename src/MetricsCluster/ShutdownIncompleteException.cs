using MetricsCluster.Tsdb.Block;

namespace MetricsCluster;

/// <summary>
/// A shutdown could not put every sample into the bucket: it names the tenants whose heads could not be cut into
/// blocks and the blocks not shipped. Nothing local was deleted; the WAL and the blocks are there for a retry or the
/// next start.
/// </summary>
internal sealed class ShutdownIncompleteException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="unflushed">Tenants whose head still holds samples not in any block.</param>
    /// <param name="pending">Per tenant, the local blocks not in the bucket.</param>
    /// <param name="cause">The first flush or ship error, if one was caught.</param>
    public ShutdownIncompleteException(IReadOnlyList<string> unflushed, IReadOnlyList<(string Tenant, IReadOnlyList<Ulid> Blocks)> pending, Exception? cause)
        : base(Describe(unflushed, pending, cause), cause)
    {
        Unflushed = unflushed;
        Pending = pending;
    }

    /// <summary>Tenants whose head still holds samples not in any block.</summary>
    public IReadOnlyList<string> Unflushed { get; }

    /// <summary>Per tenant, the local blocks not in the bucket.</summary>
    public IReadOnlyList<(string Tenant, IReadOnlyList<Ulid> Blocks)> Pending { get; }

    private static string Describe(IReadOnlyList<string> unflushed, IReadOnlyList<(string Tenant, IReadOnlyList<Ulid> Blocks)> pending, Exception? cause)
    {
        var parts = new List<string>();
        if (unflushed.Count > 0)
        {
            parts.Add($"heads not cut into blocks: tenants {string.Join(", ", unflushed)}");
        }

        if (pending.Count > 0)
        {
            parts.Add("blocks not shipped: " + string.Join("; ", pending.Select(p => $"tenant {p.Tenant}: {string.Join(", ", p.Blocks)}")));
        }

        string why = cause is null ? string.Empty : $" (first error: {cause.Message})";
        return $"not everything is in the bucket: {string.Join("; ", parts)}{why}. Local data (WAL and blocks) was kept; " +
            "retry once the bucket is reachable, or restart on this data dir to replay and ship it";
    }
}
