using MetricsCluster.Agent.Parsing;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.Scrape;

/// <summary>
/// Builds a scraped series' final labels from its page text and the target, as Prometheus'
/// <c>mutateSampleLabels</c> and <c>verifyLabelLimits</c> do. Runs only on a series-cache miss, so it may allocate.
/// </summary>
internal static class SampleLabels
{
    /// <summary>Prefix for exposed labels that collide with target labels (<c>model.ExportedLabelPrefix</c>).</summary>
    public const string ExportedPrefix = "exported_";

    /// <summary>
    /// The labels to store for <paramref name="series"/>, or null when metric relabeling drops it.
    /// </summary>
    /// <exception cref="ScrapeFailedException">Duplicate label names or a label limit exceeded.</exception>
    public static Labels? Build(ReadOnlySpan<byte> series, ScrapeTarget target, List<KeyValuePair<string, string>> scratch)
    {
        ExpositionText.ReadLabels(series, scratch);
        var exposed = new Dictionary<string, string>(scratch.Count + 4, StringComparer.Ordinal);
        foreach (var (name, value) in scratch)
        {
            if (!exposed.TryAdd(name, value))
            {
                throw new ScrapeFailedException($"label name \"{name}\" is not unique in series {System.Text.Encoding.UTF8.GetString(series)}");
            }
        }

        MergeTargetLabels(exposed, target.Labels, target.HonorLabels);
        var b = new LabelsBuilder();
        foreach (var (name, value) in exposed)
        {
            b.Set(name, value);
        }

        Labels labels = b.Build();
        if (target.MetricRelabel is { } relabel)
        {
            var relabeled = relabel(labels);
            if (relabeled is not { IsEmpty: false } kept)
            {
                return null;
            }

            labels = kept;
        }

        VerifyLimits(labels, target);
        return labels;
    }

    /// <summary>
    /// honor_labels true: target labels only fill in names the page does not set. False: target labels win and
    /// each conflicting exposed value moves to <c>exported_&lt;name&gt;</c> (prefixed again while that name is taken),
    /// shortest names first, as in Prometheus' <c>resolveConflictingExposedLabels</c>.
    /// </summary>
    internal static void MergeTargetLabels(Dictionary<string, string> exposed, Labels target, bool honorLabels)
    {
        List<KeyValuePair<string, string>>? conflicts = null;
        foreach (var (name, value) in target.Pairs())
        {
            bool has = exposed.TryGetValue(name, out var existing) && existing.Length > 0;
            if (honorLabels)
            {
                if (!has)
                {
                    exposed[name] = value;
                }

                continue;
            }

            if (has)
            {
                (conflicts ??= []).Add(new(name, existing!));
            }

            exposed[name] = value;
        }

        if (conflicts is null)
        {
            return;
        }

        // A stable sort by name length: List.Sort is not stable, so order by (length, original index).
        var ordered = conflicts.Select((c, i) => (c, i)).OrderBy(x => x.c.Key.Length).ThenBy(x => x.i).Select(x => x.c);
        foreach (var (name, value) in ordered)
        {
            string newName = name;
            while (true)
            {
                newName = ExportedPrefix + newName;
                if (!exposed.TryGetValue(newName, out var taken) || taken.Length == 0)
                {
                    exposed[newName] = value;
                    break;
                }
            }
        }
    }

    /// <summary>Prometheus' <c>verifyLabelLimits</c>; the message names the limit to change (G17).</summary>
    internal static void VerifyLimits(Labels labels, ScrapeTarget target)
    {
        string Metric() => Truncate(labels.MetricName);
        if (target.LabelLimit > 0)
        {
            int count = labels.Count;
            if (count > target.LabelLimit)
            {
                throw new ScrapeFailedException($"label_limit exceeded (metric: {Metric()}, number of labels: {count}, limit: {target.LabelLimit})");
            }
        }

        if (target.LabelNameLengthLimit <= 0 && target.LabelValueLengthLimit <= 0)
        {
            return;
        }

        foreach (var (name, value) in labels.Pairs())
        {
            int nameLength = System.Text.Encoding.UTF8.GetByteCount(name);
            if (target.LabelNameLengthLimit > 0 && nameLength > target.LabelNameLengthLimit)
            {
                throw new ScrapeFailedException($"label_name_length_limit exceeded (metric: {Metric()}, label name: {Truncate(name)}, length: {nameLength}, limit: {target.LabelNameLengthLimit})");
            }

            int valueLength = System.Text.Encoding.UTF8.GetByteCount(value);
            if (target.LabelValueLengthLimit > 0 && valueLength > target.LabelValueLengthLimit)
            {
                throw new ScrapeFailedException($"label_value_length_limit exceeded (metric: {Metric()}, label name: {Truncate(name)}, value: {Truncate(value)}, length: {valueLength}, limit: {target.LabelValueLengthLimit})");
            }
        }
    }

    /// <summary>The labels of a report series (<c>up</c>, <c>scrape_*</c>): the target labels plus the name.</summary>
    public static Labels Report(Labels target, string name)
    {
        var b = new LabelsBuilder(target);
        b.Set("__name__", name);
        return b.Build();
    }

    private static string Truncate(string s) => s.Length <= 50 ? s : s[..50];
}
