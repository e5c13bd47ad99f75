namespace MetricsCluster.Ingester;

/// <summary>Ingester settings (G5). Flags: <c>--data.dir</c> (TSDB under &lt;data.dir&gt;/tsdb), <c>--ingester.*</c>.</summary>
public sealed class IngesterOptions
{
    /// <summary>Root of the per-tenant TSDB directories: &lt;TsdbDir&gt;/&lt;tenant&gt;/wal.</summary>
    public string TsdbDir { get; set; } = Path.Combine("data", "tsdb");

    /// <summary>WAL segment size in bytes (128 MiB as Prometheus; a multiple of 32 KiB).</summary>
    public int WalSegmentSize { get; set; } = 128 * 1024 * 1024;

    /// <summary>fsync the WAL on every push, not only at segment end and shutdown (closes the power-loss window at a cost).</summary>
    public bool WalFsyncEveryPush { get; set; }

    /// <summary>How often every tenant's WAL is fsynced in the background; bounds the power-loss window. Zero disables.</summary>
    public TimeSpan WalSyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a WAL write error (a full disk), how often a push or the sync loop may try to recover the tenant's WAL;
    /// pushes in between fail fast with a retryable error. Each attempt re-reads the current segment.
    /// </summary>
    public TimeSpan WalRecoveryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Block range in ms (2h).</summary>
    public long BlockRangeMs { get; set; } = 2 * 60 * 60 * 1000;

    /// <summary>How often every tenant's head is checked for a block to cut; zero disables the background loop.</summary>
    public TimeSpan HeadCompactionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a shipped block stays on local disk after its upload (Mimir <c>-blocks-storage.tsdb.retention-period</c>,
    /// 13h, counted from the upload as Mimir does): long enough for store-gateways and queriers to discover it in the
    /// bucket, however old its samples (a backfill). Unshipped blocks are never deleted.
    /// </summary>
    public TimeSpan LocalRetentionPeriod { get; set; } = TimeSpan.FromHours(13);

    /// <summary>Flag of <see cref="MaxInflightPushRequests"/>.</summary>
    public const string MaxInflightPushRequestsFlag = "ingester.instance-limits.max-inflight-push-requests";

    /// <summary>Flag of <see cref="MaxTenants"/>.</summary>
    public const string MaxTenantsFlag = "ingester.instance-limits.max-tenants";

    /// <summary>
    /// Most pushes this ingester handles at once; more are refused with a retryable 5xx (Mimir's
    /// <c>-ingester.instance-limits.max-inflight-push-requests</c>, same default 30000). 0 = unlimited.
    /// </summary>
    public int MaxInflightPushRequests { get; set; } = 30_000;

    /// <summary>
    /// Most tenants this ingester opens a TSDB for (Mimir's <c>-ingester.instance-limits.max-tenants</c>); a push
    /// for a new tenant beyond it is refused with a retryable 5xx while existing tenants keep working, and tenants
    /// already on disk are opened at start whatever the limit. 0 = unlimited. Mimir defaults to unlimited; we
    /// default to 1000 because any client that can reach the push endpoint names its own tenant, and each
    /// tenant costs memory (about 220 KB empty: WAL page buffer, head) and metric series.
    /// </summary>
    public int MaxTenants { get; set; } = 1000;

    /// <summary>Throws naming the key when a value is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(TsdbDir))
        {
            throw new ArgumentException("data.dir must not be empty");
        }

        if (WalSyncInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("ingester.wal-sync-interval must be >= 0");
        }

        if (WalRecoveryInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("ingester.wal-recovery-interval must be >= 0");
        }

        if (LocalRetentionPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("blocks-storage.tsdb.retention-period must be positive");
        }

        if (BlockRangeMs <= 0)
        {
            throw new ArgumentException("blocks-storage.tsdb.block-ranges-period must be positive");
        }

        if (HeadCompactionInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("blocks-storage.tsdb.head-compaction-interval must be >= 0");
        }

        if (MaxInflightPushRequests < 0)
        {
            throw new ArgumentException($"{MaxInflightPushRequestsFlag} must be 0 (unlimited) or positive");
        }

        if (MaxTenants < 0)
        {
            throw new ArgumentException($"{MaxTenantsFlag} must be 0 (unlimited) or positive");
        }

        if (WalSegmentSize <= 0 || WalSegmentSize % (32 * 1024) != 0)
        {
            throw new ArgumentException("ingester.wal-segment-size must be a positive multiple of 32768");
        }
    }
}
