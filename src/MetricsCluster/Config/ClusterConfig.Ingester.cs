using MetricsCluster.Ingester;
using MetricsCluster.Storage.Shipping;

namespace MetricsCluster.Config;

/// <summary>The ingester's settings: instance limits, WAL, head compaction, and its shipper (G5).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>Most pushes in flight in an ingester (<c>--ingester.instance-limits.max-inflight-push-requests</c>).</summary>
    public int IngesterMaxInflightPushRequests { get; set; } = 30_000;

    /// <summary>Most tenants an ingester opens (<c>--ingester.instance-limits.max-tenants</c>).</summary>
    public int IngesterMaxTenants { get; set; } = 1000;

    /// <summary>WAL fsync on every push.</summary>
    public bool WalFsyncEveryPush { get; set; }

    /// <summary>Background WAL fsync interval; zero disables.</summary>
    public TimeSpan WalSyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a WAL write error, how often a tenant's WAL is tried again (<c>--ingester.wal-recovery-interval</c>).</summary>
    public TimeSpan WalRecoveryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>WAL segment size.</summary>
    public int WalSegmentSize { get; set; } = 128 * 1024 * 1024;

    /// <summary>TSDB block range (<c>--blocks-storage.tsdb.block-ranges-period</c>).</summary>
    public TimeSpan BlockRangesPeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Head compaction check interval (<c>--blocks-storage.tsdb.head-compaction-interval</c>).</summary>
    public TimeSpan HeadCompactionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often local blocks are shipped (<c>--blocks-storage.tsdb.ship-interval</c>).</summary>
    public TimeSpan TsdbShipInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long shipped blocks stay on local disk after their upload (<c>--blocks-storage.tsdb.retention-period</c>).</summary>
    public TimeSpan TsdbRetentionPeriod { get; set; } = TimeSpan.FromHours(13);

    /// <summary>The ingester options derived from this config.</summary>
    public IngesterOptions IngesterOptions() => new()
    {
        TsdbDir = Path.Combine(DataDir, "tsdb"),
        WalFsyncEveryPush = WalFsyncEveryPush,
        WalSegmentSize = WalSegmentSize,
        WalSyncInterval = WalSyncInterval,
        WalRecoveryInterval = WalRecoveryInterval,
        BlockRangeMs = (long)BlockRangesPeriod.TotalMilliseconds,
        HeadCompactionInterval = HeadCompactionInterval,
        LocalRetentionPeriod = TsdbRetentionPeriod,
        MaxInflightPushRequests = IngesterMaxInflightPushRequests,
        MaxTenants = IngesterMaxTenants,
    };

    /// <summary>The shipper options derived from this config.</summary>
    public ShipperOptions ShipperOptions() => new()
    {
        TsdbDir = Path.Combine(DataDir, "tsdb"),
        ShipInterval = TsdbShipInterval,
    };

    /// <summary>The ingester's flags, in help order.</summary>
    internal static readonly ConfigOption[] IngesterFlags =
    [
        ConfigOption.Int("ingester.instance-limits.max-inflight-push-requests", "Most pushes an ingester handles at once; more are refused with a retryable 5xx; 0 = unlimited.", c => c.IngesterMaxInflightPushRequests, (c, v) => c.IngesterMaxInflightPushRequests = v),
        ConfigOption.Int("ingester.instance-limits.max-tenants", "Most tenants an ingester opens a TSDB for; a push for a new tenant beyond it is refused with a retryable 5xx (tenants on disk are opened at start anyway); 0 = unlimited.", c => c.IngesterMaxTenants, (c, v) => c.IngesterMaxTenants = v),
        ConfigOption.Bool("ingester.wal-fsync-every-push", "fsync the WAL before acknowledging every push (default: at segment end and shutdown).", c => c.WalFsyncEveryPush, (c, v) => c.WalFsyncEveryPush = v),
        ConfigOption.Dur("ingester.wal-recovery-interval", "After a WAL write error (a full disk), how often a tenant's WAL is tried again; pushes in between fail fast with a retryable error.", c => c.WalRecoveryInterval, (c, v) => c.WalRecoveryInterval = v),
        ConfigOption.Dur("ingester.wal-sync-interval", "How often every WAL is fsynced in the background; bounds the power-loss window; 0 disables.", c => c.WalSyncInterval, (c, v) => c.WalSyncInterval = v),
        ConfigOption.Int("ingester.wal-segment-size", "WAL segment size in bytes; a multiple of 32768.", c => c.WalSegmentSize, (c, v) => c.WalSegmentSize = v),
        ConfigOption.Dur("blocks-storage.tsdb.block-ranges-period", "TSDB block range: the head is cut into blocks aligned to this period.", c => c.BlockRangesPeriod, (c, v) => c.BlockRangesPeriod = v),
        ConfigOption.Dur("blocks-storage.tsdb.head-compaction-interval", "How often the ingester checks every tenant's head for a block to cut.", c => c.HeadCompactionInterval, (c, v) => c.HeadCompactionInterval = v),
    ];

    /// <summary>The shipper's flags, in help order.</summary>
    internal static readonly ConfigOption[] ShipperFlags =
    [
        ConfigOption.Dur("blocks-storage.tsdb.ship-interval", "How often new local blocks are uploaded to the bucket.", c => c.TsdbShipInterval, (c, v) => c.TsdbShipInterval = v),
        ConfigOption.Dur("blocks-storage.tsdb.retention-period", "How long shipped blocks stay on local disk after their upload.", c => c.TsdbRetentionPeriod, (c, v) => c.TsdbRetentionPeriod = v),
    ];
}
