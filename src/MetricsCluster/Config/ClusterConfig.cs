using MetricsCluster.Core.Limits;
using MetricsCluster.Ingester;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.Config;

/// <summary>The whole effective configuration: defaults, then the YAML file, then flags (flags win).</summary>
public sealed class ClusterConfig
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

    /// <summary>Largest accepted push body, compressed or not.</summary>
    public int MaxRecvMsgSize { get; set; } = 100 << 20;

    /// <summary>Default per-tenant limits.</summary>
    public Limits Limits { get; set; } = new();

    /// <summary>WAL fsync on every push.</summary>
    public bool WalFsyncEveryPush { get; set; }

    /// <summary>Background WAL fsync interval; zero disables.</summary>
    public TimeSpan WalSyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>WAL segment size.</summary>
    public int WalSegmentSize { get; set; } = 128 * 1024 * 1024;

    /// <summary>TSDB block range (<c>--blocks-storage.tsdb.block-ranges-period</c>).</summary>
    public TimeSpan BlockRangesPeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Head compaction check interval (<c>--blocks-storage.tsdb.head-compaction-interval</c>).</summary>
    public TimeSpan HeadCompactionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Per-query time limit (<c>--querier.timeout</c>).</summary>
    public TimeSpan QuerierTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most samples one query may hold in memory (<c>--querier.max-samples</c>).</summary>
    public int QuerierMaxSamples { get; set; } = 50_000_000;

    /// <summary>Most queries evaluated at once; more wait (<c>--querier.max-concurrent</c>).</summary>
    public int QuerierMaxConcurrent { get; set; } = 20;

    /// <summary>How far back an instant selector looks for a sample (<c>--querier.lookback-delta</c>).</summary>
    public TimeSpan QuerierLookbackDelta { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Minimum log level: debug, info, warn, error.</summary>
    public string LogLevel { get; set; } = "info";

    /// <summary>Log format: logfmt or json.</summary>
    public string LogFormat { get; set; } = "logfmt";

    /// <summary>The ingester options derived from this config.</summary>
    public IngesterOptions IngesterOptions() => new()
    {
        TsdbDir = Path.Combine(DataDir, "tsdb"),
        WalFsyncEveryPush = WalFsyncEveryPush,
        WalSegmentSize = WalSegmentSize,
        WalSyncInterval = WalSyncInterval,
        BlockRangeMs = (long)BlockRangesPeriod.TotalMilliseconds,
        HeadCompactionInterval = HeadCompactionInterval,
    };

    /// <summary>The PromQL engine options derived from this config.</summary>
    public EngineOptions EngineOptions() => new()
    {
        Timeout = QuerierTimeout,
        MaxSamples = QuerierMaxSamples,
        MaxConcurrent = QuerierMaxConcurrent,
        LookbackDelta = QuerierLookbackDelta,
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

        try
        {
            Limits.Validate();
            IngesterOptions().Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message);
        }
    }
}

/// <summary>A configuration error; the message names the key.</summary>
public sealed class ConfigException(string message) : Exception(message);
