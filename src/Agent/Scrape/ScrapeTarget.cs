using MetricsCluster.Core;

namespace MetricsCluster.Agent.Scrape;

/// <summary>
/// Everything one scrape loop needs about its target, already resolved by the caller (configuration,
/// service discovery and target relabeling live elsewhere). Limits of 0 mean "no limit", as in Prometheus.
/// </summary>
public sealed class ScrapeTarget
{
    /// <summary>The final target labels (after relabeling, without <c>__</c> meta labels), including <c>job</c> and <c>instance</c>.</summary>
    public required Labels Labels { get; init; }

    /// <summary>The URL to GET.</summary>
    public required Uri Url { get; init; }

    /// <summary>Time between scrapes (<c>scrape_interval</c>).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Deadline of one scrape (<c>scrape_timeout</c>); must not exceed <see cref="Interval"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>honor_labels</c>: exposed labels win over target labels instead of being renamed <c>exported_*</c>.</summary>
    public bool HonorLabels { get; init; }

    /// <summary><c>honor_timestamps</c>: use timestamps from the page when present.</summary>
    public bool HonorTimestamps { get; init; } = true;

    /// <summary><c>sample_limit</c>: more samples after metric relabeling fail the whole scrape.</summary>
    public int SampleLimit { get; init; }

    /// <summary><c>label_limit</c>: more labels on a series fail the whole scrape.</summary>
    public int LabelLimit { get; init; }

    /// <summary><c>label_name_length_limit</c> in bytes.</summary>
    public int LabelNameLengthLimit { get; init; }

    /// <summary><c>label_value_length_limit</c> in bytes.</summary>
    public int LabelValueLengthLimit { get; init; }

    /// <summary><c>body_size_limit</c>: an uncompressed body larger than this many bytes fails the scrape.</summary>
    public long BodySizeLimit { get; init; }

    /// <summary>Metric relabeling (<c>metric_relabel_configs</c>); a null or empty result drops the series.</summary>
    public Func<Labels, Labels?>? MetricRelabel { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer ...</c> when set.</summary>
    public string? BearerToken { get; init; }

    /// <summary>Basic auth user name; with <see cref="BasicAuthPassword"/>, sent as <c>Authorization: Basic ...</c>.</summary>
    public string? BasicAuthUsername { get; init; }

    /// <summary>Basic auth password.</summary>
    public string? BasicAuthPassword { get; init; }

    /// <summary>Throws when the settings cannot work together (G5: the message names the setting).</summary>
    public void Validate()
    {
        if (Interval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"scrape_interval must be positive for {Url}");
        }

        if (Timeout <= TimeSpan.Zero || Timeout > Interval)
        {
            throw new ArgumentException($"scrape_timeout must be positive and at most scrape_interval for {Url}");
        }

        if (BearerToken is not null && BasicAuthUsername is not null)
        {
            throw new ArgumentException($"at most one of bearer_token and basic_auth may be set for {Url}");
        }
    }
}
