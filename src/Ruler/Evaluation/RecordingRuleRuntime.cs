using MetricsCluster.Core;
using MetricsCluster.Ruler.RuleFiles;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>A recording rule (Prometheus' <c>RecordingRule.Eval</c>): the query's result renamed and relabelled.</summary>
public sealed class RecordingRuleRuntime(Rule rule) : RuleRuntime(rule)
{
    /// <summary>
    /// The samples to record at <paramref name="timestampMs"/>: each result series with <c>__name__</c> set to the
    /// rule's record and the rule's labels set (an empty value removes the label).
    /// </summary>
    /// <exception cref="RuleEvaluationException">Two outputs share a label set, or the group's limit is exceeded.</exception>
    public static IReadOnlyList<RuleSample> Output(Rule rule, IReadOnlyList<RuleQuerySample> result, long timestampMs, int limit)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(result);
        var samples = new List<RuleSample>(result.Count);
        var seen = new HashSet<Labels>();
        foreach (var s in result)
        {
            var b = new LabelsBuilder(s.Labels).Set("__name__", rule.Record!);
            foreach (var (name, value) in rule.Labels)
            {
                b.Set(name, value);
            }

            var labels = b.Build();
            if (!seen.Add(labels))
            {
                throw new RuleEvaluationException("vector contains metrics with the same labelset after applying rule labels");
            }

            samples.Add(new RuleSample(labels, timestampMs, s.Value));
        }

        if (limit > 0 && samples.Count > limit)
        {
            throw new RuleEvaluationException($"exceeded limit of {limit} with {samples.Count} series");
        }

        return samples;
    }
}
