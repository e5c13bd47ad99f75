using MetricsCluster.Compactor;
using MetricsCluster.Core.Limits;
using MetricsCluster.Distributor;
using MetricsCluster.Ingester;
using MetricsCluster.ObjectStore;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier;
using MetricsCluster.Querier.Blocks;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.StoreGateway;

namespace MetricsCluster.Config;

/// <summary>The whole effective configuration: defaults, then the YAML file, then flags (flags win).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>Comma-separated targets (<c>--target</c>).</summary>
    public string Target { get; set; } = "all";

    /// <summary>Address to listen on; empty = all interfaces.</summary>
    public string HttpListenAddress { get; set; } = string.Empty;

    /// <summary>HTTP port.</summary>
    public int HttpListenPort { get; set; } = 9009;

    /// <summary>How long shutdown waits for in-flight requests.</summary>
    public TimeSpan GracefulShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Root of every embedded default (<c>--data.dir</c>).</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>False: every request is tenant <c>anonymous</c>.</summary>
    public bool MultitenancyEnabled { get; set; } = true;

    /// <summary>Without <c>X-Scope-OrgID</c>, take the tenant from the basic auth user name (<c>--auth.tenant-from-basic-auth</c>).</summary>
    public bool TenantFromBasicAuth { get; set; }

    /// <summary>Largest accepted push body, compressed or not.</summary>
    public int MaxRecvMsgSize { get; set; } = 100 << 20;

    /// <summary>Most push requests in flight in a distributor (<c>--distributor.instance-limits.max-inflight-push-requests</c>).</summary>
    public int DistributorMaxInflightPushRequests { get; set; } = 2000;

    /// <summary>Most bytes held by a distributor's pushes in flight (<c>--distributor.instance-limits.max-inflight-push-requests-bytes</c>).</summary>
    public long DistributorMaxInflightPushRequestsBytes { get; set; } = 1L << 30;

    /// <summary>Most pushes in flight in an ingester (<c>--ingester.instance-limits.max-inflight-push-requests</c>).</summary>
    public int IngesterMaxInflightPushRequests { get; set; } = 30_000;

    /// <summary>Most tenants an ingester opens (<c>--ingester.instance-limits.max-tenants</c>).</summary>
    public int IngesterMaxTenants { get; set; } = 1000;

    /// <summary>Default per-tenant limits.</summary>
    public Limits Limits { get; set; } = new();

    /// <summary>WAL fsync on every push.</summary>
    public bool WalFsyncEveryPush { get; set; }

    /// <summary>Background WAL fsync interval; zero disables.</summary>
    public TimeSpan WalSyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a WAL write error, how often a tenant's WAL is tried again (<c>--ingester.wal-recovery-interval</c>).</summary>
    public TimeSpan WalRecoveryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>WAL segment size.</summary>
    public int WalSegmentSize { get; set; } = 128 * 1024 * 1024;

    /// <summary>Blocks bucket backend, <c>filesystem</c> or <c>s3</c> (<c>--blocks-storage.backend</c>).</summary>
    public string BlocksStorageBackend { get; set; } = ObjectStore.BucketConfig.Filesystem;

    /// <summary>Filesystem bucket root; empty = <c>&lt;data.dir&gt;/bucket</c> (<c>--blocks-storage.filesystem.dir</c>).</summary>
    public string BlocksStorageFilesystemDir { get; set; } = string.Empty;

    /// <summary>S3 endpoint, <c>host:port</c> or URL; empty = AWS (<c>--blocks-storage.s3.endpoint</c>).</summary>
    public string S3Endpoint { get; set; } = string.Empty;

    /// <summary>S3 bucket name (<c>--blocks-storage.s3.bucket-name</c>).</summary>
    public string S3BucketName { get; set; } = string.Empty;

    /// <summary>S3 region (<c>--blocks-storage.s3.region</c>).</summary>
    public string S3Region { get; set; } = "us-east-1";

    /// <summary>S3 access key id; empty = SDK default chain (<c>--blocks-storage.s3.access-key-id</c>).</summary>
    public string S3AccessKeyId { get; set; } = string.Empty;

    /// <summary>S3 secret access key (<c>--blocks-storage.s3.secret-access-key</c>); masked in the config dump.</summary>
    public string S3SecretAccessKey { get; set; } = string.Empty;

    /// <summary>Plain http to the S3 endpoint (<c>--blocks-storage.s3.insecure</c>).</summary>
    public bool S3Insecure { get; set; }

    /// <summary>Path-style S3 addressing, needed by most self-hosted servers (<c>--blocks-storage.s3.force-path-style</c>).</summary>
    public bool S3ForcePathStyle { get; set; }

    /// <summary>How often local blocks are shipped (<c>--blocks-storage.tsdb.ship-interval</c>).</summary>
    public TimeSpan TsdbShipInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long shipped blocks stay on local disk after their maxTime (<c>--blocks-storage.tsdb.retention-period</c>).</summary>
    public TimeSpan TsdbRetentionPeriod { get; set; } = TimeSpan.FromHours(13);

    /// <summary>TSDB block range (<c>--blocks-storage.tsdb.block-ranges-period</c>).</summary>
    public TimeSpan BlockRangesPeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Head compaction check interval (<c>--blocks-storage.tsdb.head-compaction-interval</c>).</summary>
    public TimeSpan HeadCompactionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the store-gateway re-reads every tenant's block list (<c>--blocks-storage.bucket-store.sync-interval</c>).</summary>
    public TimeSpan BucketStoreSyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Store-gateway index cache limit (<c>--blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes</c>).</summary>
    public long BucketStoreIndexCacheMaxSizeBytes { get; set; } = 1L << 30;

    /// <summary>Age of a deletion mark after which the store-gateway drops the block (<c>--blocks-storage.bucket-store.ignore-deletion-marks-delay</c>).</summary>
    public TimeSpan BucketStoreIgnoreDeletionMarksDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A bucket index older than this fails queries (<c>--blocks-storage.bucket-store.bucket-index.max-stale-period</c>).</summary>
    public TimeSpan BucketIndexMaxStalePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Ingesters are queried only for the last this-long; 0 = always (<c>--querier.query-ingesters-within</c>).</summary>
    public TimeSpan QuerierQueryIngestersWithin { get; set; } = TimeSpan.FromHours(13);

    /// <summary>The store-gateway is queried only for data older than this; 0 = always (<c>--querier.query-store-after</c>).</summary>
    public TimeSpan QuerierQueryStoreAfter { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Per-query time limit (<c>--querier.timeout</c>).</summary>
    public TimeSpan QuerierTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most samples one query may hold in memory (<c>--querier.max-samples</c>).</summary>
    public int QuerierMaxSamples { get; set; } = 50_000_000;

    /// <summary>Most queries evaluated at once; more wait (<c>--querier.max-concurrent</c>).</summary>
    public int QuerierMaxConcurrent { get; set; } = 20;

    /// <summary>How far back an instant selector looks for a sample (<c>--querier.lookback-delta</c>).</summary>
    public TimeSpan QuerierLookbackDelta { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the compactor cleans up every tenant (<c>--compactor.cleanup-interval</c>).</summary>
    public TimeSpan CompactorCleanupInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a marked block stays before the compactor deletes it (<c>--compactor.deletion-delay</c>).</summary>
    public TimeSpan CompactorDeletionDelay { get; set; } = TimeSpan.FromHours(12);
    /// <summary>The agent's Prometheus-format scrape config; set = run the agent in <c>all</c> (<c>--agent.config.file</c>).</summary>
    public string AgentConfigFile { get; set; } = string.Empty;

    /// <summary>The tenant the agent writes as through the in-process distributor (<c>--agent.tenant</c>).</summary>
    public string AgentTenant { get; set; } = "anonymous";

    /// <summary>Minimum log level: debug, info, warn, error.</summary>
    public string LogLevel { get; set; } = "info";

    /// <summary>Log format: logfmt or json.</summary>
    public string LogFormat { get; set; } = "logfmt";

    /// <summary>The distributor options derived from this config.</summary>
    public DistributorOptions DistributorOptions() => new()
    {
        MaxRecvMsgSize = MaxRecvMsgSize,
        MaxInflightPushRequests = DistributorMaxInflightPushRequests,
        MaxInflightPushRequestsBytes = DistributorMaxInflightPushRequestsBytes,
    };

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

    /// <summary>The blocks bucket settings derived from this config.</summary>
    public BucketConfig BucketConfig()
    {
        var c = new BucketConfig { Backend = BlocksStorageBackend };
        c.FilesystemConfig.Dir = BlocksStorageFilesystemDir.Length > 0 ? BlocksStorageFilesystemDir : Path.Combine(DataDir, "bucket");
        c.S3Config.Endpoint = S3Endpoint;
        c.S3Config.BucketName = S3BucketName;
        c.S3Config.Region = S3Region;
        c.S3Config.AccessKeyId = S3AccessKeyId;
        c.S3Config.SecretAccessKey = S3SecretAccessKey;
        c.S3Config.Insecure = S3Insecure;
        c.S3Config.ForcePathStyle = S3ForcePathStyle;
        return c;
    }

    /// <summary>The shipper options derived from this config.</summary>
    public ShipperOptions ShipperOptions() => new()
    {
        TsdbDir = Path.Combine(DataDir, "tsdb"),
        ShipInterval = TsdbShipInterval,
    };

    /// <summary>The PromQL engine options derived from this config.</summary>
    public EngineOptions EngineOptions() => new()
    {
        Timeout = QuerierTimeout,
        MaxSamples = QuerierMaxSamples,
        MaxConcurrent = QuerierMaxConcurrent,
        LookbackDelta = QuerierLookbackDelta,
    };

    /// <summary>The store-gateway's bucket-store options derived from this config.</summary>
    public BucketStoreOptions BucketStoreOptions() => new()
    {
        SyncDir = Path.Combine(DataDir, "store-gateway"),
        SyncInterval = BucketStoreSyncInterval,
        IndexCacheMaxSizeBytes = BucketStoreIndexCacheMaxSizeBytes,
        IgnoreDeletionMarksDelay = BucketStoreIgnoreDeletionMarksDelay,
    };

    /// <summary>The querier's block finding and consistency check settings derived from this config.</summary>
    public BlocksStoreOptions BlocksStoreOptions() => new()
    {
        SyncInterval = BucketStoreSyncInterval,
        IgnoreDeletionMarksDelay = BucketStoreIgnoreDeletionMarksDelay,
        MaxStalePeriod = BucketIndexMaxStalePeriod,
    };

    /// <summary>The querier's ingester/store split derived from this config.</summary>
    public MergeQueryableOptions MergeQueryableOptions() => new()
    {
        QueryIngestersWithin = QuerierQueryIngestersWithin,
        QueryStoreAfter = QuerierQueryStoreAfter,
    };

    /// <summary>The compactor's cleanup options derived from this config.</summary>
    public CompactorOptions CompactorOptions() => new()
    {
        CleanupInterval = CompactorCleanupInterval,
        DeletionDelay = CompactorDeletionDelay,
    };

    /// <summary>Cross-field checks; each failure names its key.</summary>
    public void Validate()
    {
        if (HttpListenPort is < 0 or > 65535)
        {
            throw new ConfigException("server.http-listen-port must be between 0 and 65535");
        }

        if (MaxRecvMsgSize <= 0)
        {
            throw new ConfigException("distributor.max-recv-msg-size must be positive");
        }

        if (QuerierTimeout <= TimeSpan.Zero)
        {
            throw new ConfigException("querier.timeout must be positive");
        }

        if (QuerierMaxSamples <= 0)
        {
            throw new ConfigException("querier.max-samples must be positive");
        }

        if (QuerierMaxConcurrent <= 0)
        {
            throw new ConfigException("querier.max-concurrent must be positive");
        }

        if (QuerierLookbackDelta <= TimeSpan.Zero)
        {
            throw new ConfigException("querier.lookback-delta must be positive");
        }

        if (LogLevel is not ("debug" or "info" or "warn" or "error"))
        {
            throw new ConfigException($"log.level must be one of debug, info, warn, error (got \"{LogLevel}\")");
        }

        if (LogFormat is not ("logfmt" or "json"))
        {
            throw new ConfigException($"log.format must be logfmt or json (got \"{LogFormat}\")");
        }

        ValidateCluster();
        try
        {
            Limits.Validate();
            DistributorOptions().Validate();
            IngesterOptions().Validate();
            BucketConfig().Validate();
            ShipperOptions().Validate();
            BucketStoreOptions().Validate();
            BlocksStoreOptions().Validate();
            MergeQueryableOptions().Validate();
            CompactorOptions().Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message);
        }
    }
}

/// <summary>A configuration error; the message names the key.</summary>
public sealed class ConfigException(string message) : Exception(message);
