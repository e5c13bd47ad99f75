namespace MetricsCluster.StoreGateway;

/// <summary>Settings of the store-gateway's bucket stores (G5; Mimir <c>tsdb.BucketStoreConfig</c>).</summary>
public sealed class BucketStoreOptions
{
    /// <summary>Local cache of downloaded blocks, <c>&lt;data.dir&gt;/store-gateway</c>; blocks live under <c>&lt;dir&gt;/&lt;tenant&gt;/&lt;ULID&gt;/</c>.</summary>
    public string SyncDir { get; set; } = "./data/store-gateway";

    /// <summary>How often the block list of every tenant is re-read (<c>--blocks-storage.bucket-store.sync-interval</c>).</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Throws when a setting is out of range, naming its flag.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(SyncDir))
        {
            throw new ArgumentException("the store-gateway sync dir must not be empty (--data.dir)");
        }

        if (SyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("blocks-storage.bucket-store.sync-interval must be positive (--blocks-storage.bucket-store.sync-interval)");
        }
    }
}
