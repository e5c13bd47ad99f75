using MetricsCluster.Agent.Relabel;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.Config;

/// <summary>The <c>global</c> section: defaults for every scrape config, and labels added to every sample sent.</summary>
public sealed record GlobalConfig
{
    /// <summary>Prometheus' default scrape interval.</summary>
    public static readonly TimeSpan DefaultScrapeInterval = TimeSpan.FromMinutes(1);

    /// <summary>Prometheus' default scrape timeout.</summary>
    public static readonly TimeSpan DefaultScrapeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often targets are scraped unless a job says otherwise.</summary>
    public TimeSpan ScrapeInterval { get; init; } = DefaultScrapeInterval;

    /// <summary>How long a scrape may take unless a job says otherwise.</summary>
    public TimeSpan ScrapeTimeout { get; init; } = DefaultScrapeTimeout;

    /// <summary>Accepted for compatibility with Prometheus files; the agent evaluates no rules.</summary>
    public TimeSpan EvaluationInterval { get; init; } = DefaultScrapeInterval;

    /// <summary>Labels added to every series sent by remote write (unless the series has the label).</summary>
    public Labels ExternalLabels { get; init; } = Labels.Empty;

    internal static GlobalConfig Read(YamlMap? map)
    {
        if (map is null)
        {
            return new GlobalConfig();
        }

        var interval = map.Duration("scrape_interval") is { } i && i > TimeSpan.Zero ? i : DefaultScrapeInterval;
        var timeout = map.Duration("scrape_timeout") ?? TimeSpan.Zero;
        var eval = map.Duration("evaluation_interval") is { } e && e > TimeSpan.Zero ? e : DefaultScrapeInterval;
        var external = new LabelsBuilder();
        foreach (var (name, value) in map.StrMap("external_labels") ?? [])
        {
            if (!LabelNames.IsValid(name))
            {
                map.Fail("external_labels", $"\"{name}\" is not a valid label name");
            }

            external.Set(name, value);
        }

        map.Done();
        if (timeout > interval)
        {
            map.Fail("scrape_timeout", "global scrape timeout greater than scrape interval");
        }

        // Prometheus: an unset timeout is the default timeout, capped at the interval.
        if (timeout == TimeSpan.Zero)
        {
            timeout = DefaultScrapeTimeout > interval ? interval : DefaultScrapeTimeout;
        }

        return new GlobalConfig { ScrapeInterval = interval, ScrapeTimeout = timeout, EvaluationInterval = eval, ExternalLabels = external.Build() };
    }
}
