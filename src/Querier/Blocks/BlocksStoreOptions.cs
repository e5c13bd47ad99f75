namespace MetricsCluster.Querier.Blocks;

/// <summary>How the querier finds the blocks of a range and checks it read them all (G5; Mimir querier/bucket-store config).</summary>
public sealed class BlocksStoreOptions
{
    /// <summary>
    /// How often a tenant's bucket index is re-read; the store-gateways sync on the same interval
    /// (<c>--blocks-storage.bucket-store.sync-interval</c>, 15m).
    /// </summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Blocks marked for deletion longer ago than this are no longer queried
    /// (<c>--blocks-storage.bucket-store.ignore-deletion-marks-delay</c>, 1h).
    /// </summary>
    public TimeSpan IgnoreDeletionMarksDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A bucket index not updated for this long fails queries with <c>bucket-index-too-old</c> rather than answering
    /// from a stale block list (<c>--blocks-storage.bucket-store.bucket-index.max-stale-period</c>, 1h).
    /// </summary>
    public TimeSpan MaxStalePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Blocks uploaded this recently may not be loaded by a store-gateway yet: 3 sync intervals (Mimir).</summary>
    public TimeSpan UploadGracePeriod => SyncInterval * 3;

    /// <summary>Blocks marked for deletion longer ago than this may already be unloaded: half the ignore delay (Mimir).</summary>
    public TimeSpan DeletionGracePeriod => IgnoreDeletionMarksDelay / 2;

    /// <summary>Throws naming the flag when a setting is invalid.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        if (SyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("blocks-storage.bucket-store.sync-interval must be positive (--blocks-storage.bucket-store.sync-interval)");
        }

        if (IgnoreDeletionMarksDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("--blocks-storage.bucket-store.ignore-deletion-marks-delay must not be negative");
        }

        if (MaxStalePeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("--blocks-storage.bucket-store.bucket-index.max-stale-period must be positive");
        }
    }
}
