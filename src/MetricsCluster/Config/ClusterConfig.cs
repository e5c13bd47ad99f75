namespace MetricsCluster.Config;

/// <summary>
/// The whole effective configuration: defaults, then the YAML file, then flags (flags win). Each component's settings,
/// the options built from them and their flags are declared together in one partial file (ClusterConfig.&lt;Component&gt;.cs).
/// </summary>
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

    /// <summary>Minimum log level: debug, info, warn, error.</summary>
    public string LogLevel { get; set; } = "info";

    /// <summary>Log format: logfmt or json.</summary>
    public string LogFormat { get; set; } = "logfmt";

    /// <summary>The process's own flags (target, server, data dir, auth), in help order.</summary>
    internal static readonly ConfigOption[] ServerFlags =
    [
        ConfigOption.Str("target", "Comma-separated components to run: all, write (distributor,ingester), read (querier), distributor, ingester, querier, store-gateway, compactor, agent (the scraping agent alone, Prometheus Agent mode).", c => c.Target, (c, v) => c.Target = v),
        ConfigOption.Str("server.http-listen-address", "HTTP listen address; empty = all interfaces.", c => c.HttpListenAddress, (c, v) => c.HttpListenAddress = v),
        ConfigOption.Int("server.http-listen-port", "HTTP listen port.", c => c.HttpListenPort, (c, v) => c.HttpListenPort = v),
        ConfigOption.Dur("server.graceful-shutdown-timeout", "How long shutdown waits for in-flight requests.", c => c.GracefulShutdownTimeout, (c, v) => c.GracefulShutdownTimeout = v),
        ConfigOption.Str("data.dir", "Root directory of the embedded defaults: TSDB under <dir>/tsdb/<tenant>/.", c => c.DataDir, (c, v) => c.DataDir = v),
        ConfigOption.Bool("auth.multitenancy-enabled", "Require X-Scope-OrgID; when false every request is tenant 'anonymous'.", c => c.MultitenancyEnabled, (c, v) => c.MultitenancyEnabled = v),
        ConfigOption.Bool("auth.tenant-from-basic-auth", "Without X-Scope-OrgID, the tenant is the user name of HTTP basic auth (senders that cannot set headers, e.g. Prometheus 2.42); the password is not checked.", c => c.TenantFromBasicAuth, (c, v) => c.TenantFromBasicAuth = v),
    ];

    /// <summary>The logging flags, in help order.</summary>
    internal static readonly ConfigOption[] LogFlags =
    [
        ConfigOption.Str("log.level", "Log level: debug, info, warn, error.", c => c.LogLevel, (c, v) => c.LogLevel = v),
        ConfigOption.Str("log.format", "Log format: logfmt or json.", c => c.LogFormat, (c, v) => c.LogFormat = v),
    ];

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
            QueryFrontendOptions().Validate();
            _ = RulerOptions();
            if (RulerStorageLocalDirectory.Length == 0)
            {
                RulerBucketConfig().Validate();
            }
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message);
        }

        _ = QueryFrontendDownstream();
    }
}

/// <summary>A configuration error; the message names the key.</summary>
public sealed class ConfigException(string message) : Exception(message);
