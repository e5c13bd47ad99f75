namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// Maps what is sharded onto the 32-bit token space of a ring. A series' key mixes the tenant into the series' label
/// hash (Mimir's ShardByAllLabels: tenant + every label name and value), so two tenants' identical series land on
/// different instances; a block's key is a hash of its ULID (Mimir's store-gateway sharding).
/// </summary>
public static class ShardKey
{
    /// <summary>A per-tenant seed, computed once per request.</summary>
    public static ulong TenantSeed(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);

        // FNV-1a over the UTF-16 code units: cheap, stable across processes and versions (it is a wire contract:
        // every distributor must place a series on the same instances).
        ulong h = 14695981039346656037UL;
        foreach (char c in tenant)
        {
            h ^= c;
            h *= 1099511628211UL;
        }

        return h;
    }

    /// <summary>The ring key of a series whose canonical label encoding hashes to <paramref name="seriesHash"/>.</summary>
    public static uint ForSeries(ulong tenantSeed, ulong seriesHash) => Fold(Mix(tenantSeed ^ seriesHash));

    /// <summary>The ring key of a block.</summary>
    public static uint ForBlock(ReadOnlySpan<byte> ulidBytes)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in ulidBytes)
        {
            h ^= b;
            h *= 1099511628211UL;
        }

        return Fold(Mix(h));
    }

    // SplitMix64's finalizer: spreads nearby inputs over the whole space, so the xxHash of the labels and the tenant
    // seed combine without structure showing in the token.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static uint Fold(ulong z) => (uint)(z ^ (z >> 32));
}
