using MetricsCluster.Core;

namespace MetricsCluster.Agent;

/// <summary>One sample produced by a scrape (after relabeling), on its way to remote write.</summary>
/// <param name="Labels">The final label set, sorted, with <c>__name__</c>.</param>
/// <param name="TimestampMs">Milliseconds since the Unix epoch.</param>
/// <param name="Value">The value; <see cref="StaleMarker.Value"/> marks the series stale.</param>
public readonly record struct ScrapedSample(Labels Labels, long TimestampMs, double Value);
