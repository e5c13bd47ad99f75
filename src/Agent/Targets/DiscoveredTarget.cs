using MetricsCluster.Core;

namespace MetricsCluster.Agent.Targets;

/// <summary>A target ready to scrape: what the scrape loop needs, built by <see cref="TargetBuilder"/>.</summary>
/// <param name="Labels">The target labels attached to every scraped series: no <c>__</c>-prefixed names; includes job and instance.</param>
/// <param name="InternalLabels">The labels after relabeling minus <c>__meta_*</c> (Prometheus' Target.labels), with __address__, __scheme__ and the like.</param>
/// <param name="DiscoveredLabels">The labels before relabeling, including <c>__meta_*</c> (for a targets page).</param>
/// <param name="Url">The scrape URL: scheme, address, metrics path and query parameters.</param>
/// <param name="Interval">The scrape interval (from <c>__scrape_interval__</c>).</param>
/// <param name="Timeout">The scrape timeout (from <c>__scrape_timeout__</c>).</param>
public sealed record DiscoveredTarget(Labels Labels, Labels InternalLabels, Labels DiscoveredLabels, Uri Url, TimeSpan Interval, TimeSpan Timeout);
