using MetricsCluster.Agent.Scrape;
using MetricsCluster.Agent.Targets;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.Manager;

/// <summary>An active target as the targets API shows it.</summary>
/// <param name="ScrapePool">The job name.</param>
/// <param name="Target">The target as discovery and relabeling produced it.</param>
/// <param name="Status">The last scrape's outcome.</param>
public sealed record ActiveTargetInfo(string ScrapePool, DiscoveredTarget Target, ScrapeStatus Status);

/// <summary>A target dropped by relabel_configs, with its labels before relabeling.</summary>
/// <param name="ScrapePool">The job name.</param>
/// <param name="DiscoveredLabels">The labels discovery produced.</param>
public sealed record DroppedTargetInfo(string ScrapePool, Labels DiscoveredLabels);

/// <summary>One consistent view of every job's targets.</summary>
/// <param name="Active">Targets being scraped, by job then URL.</param>
/// <param name="Dropped">Targets relabeling dropped.</param>
public sealed record TargetsSnapshot(IReadOnlyList<ActiveTargetInfo> Active, IReadOnlyList<DroppedTargetInfo> Dropped);
