using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// Name-dropped label sets by input-series index, so that a function or operator over a range query builds each
/// output label set once rather than once per step.
/// </summary>
internal sealed class DropNameCache
{
    private Labels?[] _byIndex = new Labels?[16];

    /// <summary>The labels of input series <paramref name="index"/> without <c>__name__</c>.</summary>
    public Labels Get(int index, Labels metric)
    {
        if (index >= _byIndex.Length)
        {
            Array.Resize(ref _byIndex, Math.Max(index + 1, _byIndex.Length * 2));
        }

        return _byIndex[index] ??= LabelOps.DropMetricName(metric);
    }
}
