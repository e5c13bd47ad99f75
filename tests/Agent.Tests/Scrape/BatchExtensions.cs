using MetricsCluster.Core;

namespace MetricsCluster.Agent.Tests.Scrape;

/// <summary>Lookups on a batch by printed label set, so assertions read like PromQL selectors.</summary>
public static class BatchExtensions
{
    /// <summary>The one sample whose labels print as <paramref name="labels"/>.</summary>
    public static ScrapedSample Single(this List<ScrapedSample> batch, string labels) => batch.Single(s => s.Labels.ToString() == labels);

    /// <summary>The value of the report series <paramref name="name"/> for job "test", instance "t:1".</summary>
    public static double Report(this List<ScrapedSample> batch, string name) =>
        batch.Single(s => s.Labels.MetricName == name).Value;

    /// <summary>Printed label sets of the samples that are stale markers.</summary>
    public static string[] Stale(this List<ScrapedSample> batch) =>
        batch.Where(s => StaleMarker.Is(s.Value)).Select(s => s.Labels.ToString()).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Printed label sets of the non-report samples that are not stale markers.</summary>
    public static string[] Live(this List<ScrapedSample> batch) =>
        batch.Where(s => !StaleMarker.Is(s.Value) && !IsReport(s.Labels)).Select(s => s.Labels.ToString()).Order(StringComparer.Ordinal).ToArray();

    private static bool IsReport(Labels l) => l.MetricName is "up" or "scrape_duration_seconds" or "scrape_samples_scraped"
        or "scrape_samples_post_metric_relabeling" or "scrape_series_added";
}
