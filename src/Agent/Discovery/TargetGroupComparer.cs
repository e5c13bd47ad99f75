namespace MetricsCluster.Agent.Discovery;

/// <summary>Value equality of target groups (source, targets, labels), to skip notifications when nothing changed.</summary>
public sealed class TargetGroupComparer : IEqualityComparer<TargetGroup>
{
    /// <summary>The shared instance.</summary>
    public static TargetGroupComparer Instance { get; } = new();

    /// <inheritdoc/>
    public bool Equals(TargetGroup? x, TargetGroup? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Source == y.Source && x.Labels == y.Labels && x.Targets.SequenceEqual(y.Targets));

    /// <inheritdoc/>
    public int GetHashCode(TargetGroup obj) => HashCode.Combine(obj.Source, obj.Labels, obj.Targets.Count);
}
