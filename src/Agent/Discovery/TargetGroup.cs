using MetricsCluster.Core;

namespace MetricsCluster.Agent.Discovery;

/// <summary>
/// A set of targets with common labels (Prometheus' targetgroup.Group). Each target is a label set holding at
/// least <c>__address__</c>; <see cref="Labels"/> apply to every target that does not set the same name.
/// </summary>
/// <param name="Source">Identifies the group within its provider (static: its index; file_sd: <c>path:index</c>).</param>
/// <param name="Targets">The targets' own labels.</param>
/// <param name="Labels">The group's common labels.</param>
public sealed record TargetGroup(string Source, IReadOnlyList<Labels> Targets, Labels Labels)
{
    /// <summary>The label holding a target's host:port.</summary>
    public const string AddressLabel = "__address__";

    /// <summary>A target's labels merged with the group's, the target's winning (as TargetsFromGroup).</summary>
    public Labels Merged(Labels target)
    {
        var b = new LabelsBuilder(Labels);
        foreach (var (k, v) in target.Pairs())
        {
            b.Set(k, v);
        }

        return b.Build();
    }

    /// <inheritdoc/>
    public override string ToString() => Source;
}
