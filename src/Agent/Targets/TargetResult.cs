using MetricsCluster.Core;

namespace MetricsCluster.Agent.Targets;

/// <summary>What became of one discovered target: active, dropped by relabeling, or rejected.</summary>
public readonly record struct TargetResult
{
    /// <summary>The target to scrape, when active.</summary>
    public DiscoveredTarget? Target { get; init; }

    /// <summary>The discovered labels (before relabeling) of a target that relabeling dropped.</summary>
    public Labels? Dropped { get; init; }

    /// <summary>Why the target is invalid (Prometheus' wording), when it is.</summary>
    public string? Error { get; init; }

    /// <summary>An active target.</summary>
    public static TargetResult Active(DiscoveredTarget t) => new() { Target = t };

    /// <summary>A target dropped by relabeling.</summary>
    public static TargetResult DroppedBy(Labels discovered) => new() { Dropped = discovered };

    /// <summary>An invalid target.</summary>
    public static TargetResult Failed(string error) => new() { Error = error };
}
