using System.Globalization;
using System.Text.RegularExpressions;

namespace MetricsCluster.Tools.LoadGen;

/// <summary>Everything one run needs; bound from the command line in <see cref="Program"/>.</summary>
internal sealed partial record LoadGenOptions
{
    /// <summary>The remote write URL, or null with <see cref="DryRun"/>.</summary>
    public Uri? Url { get; init; }

    public int Series { get; init; } = 100_000;

    public int SamplesPerRequest { get; init; } = 2000;

    public int Rounds { get; init; } = 10;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(15);

    public int Concurrency { get; init; } = 4;

    public string? Tenant { get; init; }

    public int MetricNames { get; init; } = 100;

    public TimeSpan? Duration { get; init; }

    public bool Retry { get; init; }

    public int MaxRetries { get; init; } = 10;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public bool DryRun { get; init; }

    /// <summary>How far back the first round may start (<c>--max-history</c>); the interval shrinks to fit.</summary>
    public TimeSpan MaxHistory { get; init; } = TimeSpan.FromHours(2) - TimeSpan.FromMinutes(10);

    public int ShowErrors { get; init; } = 5;

    /// <summary>Returns the first problem with these options, or null.</summary>
    public string? Validate()
    {
        if (Url is null && !DryRun)
        {
            return "--url is required (or use --dry-run to only measure the generator)";
        }

        if (MaxHistory <= TimeSpan.Zero)
        {
            return $"--max-history must be positive, got {MaxHistory}";
        }

        if (Url is not null && Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps)
        {
            return $"--url must be http:// or https://, got '{Url}'";
        }

        return Series < 1 ? "--series must be at least 1"
            : SamplesPerRequest < 1 ? "--samples-per-request must be at least 1"
            : Rounds < 1 ? "--rounds must be at least 1"
            : Interval < TimeSpan.FromMilliseconds(1) ? "--interval must be at least 1ms"
            : Concurrency < 1 ? "--concurrency must be at least 1"
            : Concurrency > Series ? "--concurrency must not exceed --series (each writer owns some series)"
            : MetricNames < 1 ? "--metric-names must be at least 1"
            : MetricNames > Series ? "--metric-names must not exceed --series"
            : (long)Series / MetricNames > 27L * 27 * 27 * 27 * 27 ? "--series / --metric-names is too large for unique pod names"
            : Duration is { } d && d <= TimeSpan.Zero ? "--duration must be positive"
            : MaxRetries < 0 ? "--max-retries must be >= 0"
            : Timeout <= TimeSpan.Zero ? "--timeout must be positive"
            : Tenant is { Length: 0 } ? "--tenant must not be empty"
            : null;
    }

    /// <summary>
    /// Parses a Prometheus-style duration: <c>15s</c>, <c>250ms</c>, <c>1m30s</c>, <c>2h</c>, <c>1d</c>,
    /// or a bare number of seconds.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            if (!double.IsFinite(seconds) || seconds < 0)
            {
                return false;
            }

            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        Match match = DurationPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        double ms = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            Match piece = DurationPart().Match(part.Value);
            double n = double.Parse(piece.Groups["n"].Value, CultureInfo.InvariantCulture);
            ms += n * piece.Groups["unit"].Value switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => 86_400_000,
            };
        }

        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|s|m|h|d))+$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)(?<unit>ms|s|m|h|d)$")]
    private static partial Regex DurationPart();
}
