using System.Globalization;
using System.Text;
using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Relabel;

namespace MetricsCluster.Agent.Manager;

/// <summary>
/// Text fingerprints of the settings a running loop or queue was built from. Configuration types hold lists,
/// whose record equality is by reference, so a reload compares these strings instead.
/// </summary>
internal static class ManagerFingerprints
{
    /// <summary>Everything of a scrape job that shapes its loops beyond the target itself (URL, labels, interval).</summary>
    public static string Of(ScrapeConfig c) => string.Create(
        CultureInfo.InvariantCulture,
        $"{c.HonorLabels}|{c.HonorTimestamps}|{c.SampleLimit}|{c.LabelLimit}|{c.LabelNameLengthLimit}|{c.LabelValueLengthLimit}|{c.BodySizeLimit}|{c.Auth}|{Of(c.MetricRelabelConfigs)}");

    /// <summary>A rule list, field by field.</summary>
    public static string Of(IReadOnlyList<RelabelConfig> rules)
    {
        var sb = new StringBuilder();
        foreach (var r in rules)
        {
            sb.Append('[').Append(string.Join(",", r.SourceLabels ?? [])).Append('|').Append(r.Separator).Append('|').Append(r.Regex)
                .Append('|').Append(r.Modulus).Append('|').Append(r.TargetLabel).Append('|').Append(r.Replacement).Append('|').Append(r.Action).Append(']');
        }

        return sb.ToString();
    }
}
