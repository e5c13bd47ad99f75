using MetricsCluster.Agent.Discovery;
using MetricsCluster.Agent.Relabel;

namespace MetricsCluster.Agent.Config;

/// <summary>One <c>scrape_configs</c> entry (Prometheus' config.ScrapeConfig), with defaults already applied.</summary>
public sealed record ScrapeConfig
{
    /// <summary>The job name; unique in the file, and the <c>job</c> label of its targets.</summary>
    public required string JobName { get; init; }

    /// <summary>How often each target is scraped (the global interval unless set).</summary>
    public TimeSpan ScrapeInterval { get; init; } = GlobalConfig.DefaultScrapeInterval;

    /// <summary>How long a scrape may take; never above <see cref="ScrapeInterval"/>.</summary>
    public TimeSpan ScrapeTimeout { get; init; } = GlobalConfig.DefaultScrapeTimeout;

    /// <summary>The HTTP path scraped.</summary>
    public string MetricsPath { get; init; } = "/metrics";

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>URL query parameters (each may repeat).</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Params { get; init; } = [];

    /// <summary>Whether labels in the scraped data win over target labels.</summary>
    public bool HonorLabels { get; init; }

    /// <summary>Whether timestamps in the scraped data are kept.</summary>
    public bool HonorTimestamps { get; init; } = true;

    /// <summary>Samples per scrape above which the scrape fails; 0 = no limit.</summary>
    public ulong SampleLimit { get; init; }

    /// <summary>Labels per sample above which the scrape fails; 0 = no limit.</summary>
    public ulong LabelLimit { get; init; }

    /// <summary>Label name length above which the scrape fails; 0 = no limit.</summary>
    public ulong LabelNameLengthLimit { get; init; }

    /// <summary>Label value length above which the scrape fails; 0 = no limit.</summary>
    public ulong LabelValueLengthLimit { get; init; }

    /// <summary>Uncompressed body bytes above which the scrape fails; 0 = no limit.</summary>
    public long BodySizeLimit { get; init; }

    /// <summary>How the agent authenticates to targets.</summary>
    public HttpAuth Auth { get; init; } = HttpAuth.None;

    /// <summary>The groups of <c>static_configs</c>.</summary>
    public IReadOnlyList<TargetGroup> StaticConfigs { get; init; } = [];

    /// <summary>The <c>file_sd_configs</c>.</summary>
    public IReadOnlyList<FileSdConfig> FileSdConfigs { get; init; } = [];

    /// <summary>Rules applied to discovered targets.</summary>
    public IReadOnlyList<RelabelConfig> RelabelConfigs { get; init; } = [];

    /// <summary>Rules applied to every scraped sample.</summary>
    public IReadOnlyList<RelabelConfig> MetricRelabelConfigs { get; init; } = [];

    internal static ScrapeConfig Read(YamlMap m, GlobalConfig global, string? baseDir)
    {
        string job = m.Str("job_name") ?? string.Empty;
        if (job.Length == 0)
        {
            m.Fail("job_name", "job_name is empty");
        }

        var interval = m.Duration("scrape_interval") is { } i && i > TimeSpan.Zero ? i : global.ScrapeInterval;
        var timeout = m.Duration("scrape_timeout") ?? TimeSpan.Zero;
        if (timeout > interval)
        {
            m.Fail("scrape_timeout", $"scrape timeout greater than scrape interval for scrape config with job name \"{job}\"");
        }

        if (timeout == TimeSpan.Zero)
        {
            timeout = global.ScrapeTimeout > interval ? interval : global.ScrapeTimeout;
        }

        string scheme = m.Str("scheme") ?? "http";
        if (scheme is not ("http" or "https"))
        {
            m.Fail("scheme", $"invalid scheme \"{scheme}\" (want http or https)");
        }

        var cfg = new ScrapeConfig
        {
            JobName = job,
            ScrapeInterval = interval,
            ScrapeTimeout = timeout,
            MetricsPath = m.Str("metrics_path") ?? "/metrics",
            Scheme = scheme,
            Params = ReadParams(m),
            HonorLabels = m.Bool("honor_labels") ?? false,
            HonorTimestamps = m.Bool("honor_timestamps") ?? true,
            SampleLimit = m.UInt("sample_limit") ?? 0,
            LabelLimit = m.UInt("label_limit") ?? 0,
            LabelNameLengthLimit = m.UInt("label_name_length_limit") ?? 0,
            LabelValueLengthLimit = m.UInt("label_value_length_limit") ?? 0,
            BodySizeLimit = m.Bytes("body_size_limit") ?? 0,
            Auth = HttpAuth.Read(m, baseDir),
            StaticConfigs = ReadStatic(m),
            FileSdConfigs = [.. m.List("file_sd_configs").Select((n, k) => FileSdConfig.Read(YamlMap.Of(n, $"{m.Path}.file_sd_configs[{k}]"), baseDir))],
            RelabelConfigs = RelabelConfigReader.ReadList(m, "relabel_configs"),
            MetricRelabelConfigs = RelabelConfigReader.ReadList(m, "metric_relabel_configs"),
        };
        RejectUnsupported(m);
        m.Done();

        // Prometheus checks for URLs in static targets only when no relabeling could rewrite them.
        if (cfg.RelabelConfigs.Count == 0)
        {
            foreach (var addr in cfg.StaticConfigs.SelectMany(g => g.Targets).Select(t => t.Get(TargetGroup.AddressLabel)))
            {
                if (addr.Contains('/'))
                {
                    m.Fail("static_configs", $"\"{addr}\" is not a valid hostname");
                }
            }
        }

        return cfg;
    }

    private static List<KeyValuePair<string, IReadOnlyList<string>>> ReadParams(YamlMap m)
    {
        var result = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        if (m.Map("params") is not { } p)
        {
            return result;
        }

        foreach (string key in p.Keys.ToList())
        {
            result.Add(new(key, p.StrList(key) ?? []));
        }

        p.Done();
        return result;
    }

    private static List<TargetGroup> ReadStatic(YamlMap m)
    {
        var items = m.List("static_configs");
        return [.. items.Select((n, k) => StaticConfigReader.ReadGroup(YamlMap.Of(n, $"{m.Path}.static_configs[{k}]"), k.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
    }

    private static void RejectUnsupported(YamlMap m)
    {
        foreach (string key in m.Keys)
        {
            bool otherSd = key.EndsWith("_sd_configs", StringComparison.Ordinal) && key != "file_sd_configs";
            bool otherHttp = key is "tls_config" or "oauth2" or "authorization" or "proxy_url" or "follow_redirects" or "enable_http2";
            if (otherSd || otherHttp)
            {
                m.Fail(key, "is valid in Prometheus but not supported by the agent yet (see docs/agent-config.md)");
            }
        }
    }
}
