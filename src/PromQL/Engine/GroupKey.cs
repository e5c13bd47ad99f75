using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary>The <c>by</c>/<c>without</c> clause of an aggregation: the grouping key and output labels of a series.</summary>
internal sealed class GroupKey(IReadOnlyList<string> grouping, bool without)
{
    private readonly LabelNameSet _names = new(grouping, withMetricName: without);

    /// <summary>Prometheus' <c>generateGroupingKey</c> (as a label set rather than a hash).</summary>
    public Labels Key(Labels metric)
    {
        if (!without && grouping.Count == 0)
        {
            return Labels.Empty;
        }

        return LabelOps.Filter(metric, _names, keep: !without);
    }

    /// <summary>
    /// Assigns each input series to its group, in first-seen order. The key doubles as the group's output labels
    /// (Prometheus' <c>generateGroupingLabels</c>: <c>without</c> also drops the name; no grouping gives <c>{}</c>).
    /// </summary>
    public int[] Assign(IReadOnlyList<Series> input, List<Labels> groupLabels)
    {
        var index = new Dictionary<Labels, int>();
        var groupOf = new int[input.Count];
        for (int i = 0; i < input.Count; i++)
        {
            var k = Key(input[i].Metric);
            if (!index.TryGetValue(k, out int g))
            {
                g = groupLabels.Count;
                index[k] = g;
                groupLabels.Add(k);
            }

            groupOf[i] = g;
        }

        return groupOf;
    }
}
