using System.Globalization;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Limits;

namespace MetricsCluster.Distributor;

/// <summary>
/// Mimir's user-facing validation messages (G17): what was wrong, the series in Prometheus form,
/// the stable id and, for limits, the flag to change. Built only for the first rejection of a
/// request, so these methods may allocate freely.
/// </summary>
internal static class ValidationMessages
{
    // Mimir prints names, values and series with %.200s so one huge label cannot blow up the reply.
    private const int MaxShown = 200;

    /// <summary>The message for a failed series check.</summary>
    public static string ForSeries(SeriesCheck check, ReadOnlySpan<byte> data, ReadOnlySpan<LabelSlot> labels, int index, Limits limits, long timestampMs)
    {
        string series = FormatSeries(data, labels);
        string name = index >= 0 ? Shown(labels[index].Name(data)) : string.Empty;
        string value = index >= 0 ? Shown(labels[index].Value(data)) : string.Empty;
        string id = check.Id();
        return check switch
        {
            SeriesCheck.MissingMetricName => $"received series has no metric name, series: '{series}' {ErrorId.Tag(id)}",
            SeriesCheck.MetricNameInvalid => $"received a series with invalid metric name: '{value}' {ErrorId.Tag(id)}",
            SeriesCheck.TooManyLabels =>
                $"received a series whose number of labels exceeds the limit (actual: {labels.Length.ToString(CultureInfo.InvariantCulture)}, limit: {limits.MaxLabelNamesPerSeries.ToString(CultureInfo.InvariantCulture)}) series: '{series}' {ErrorId.Tag(id)}{ErrorId.AdjustLimit(LimitFlags.MaxLabelNamesPerSeries)}",
            SeriesCheck.LabelInvalid => $"received a series with an invalid label: '{name}' series: '{series}' {ErrorId.Tag(id)}",
            SeriesCheck.LabelNameTooLong =>
                $"received a series whose label name length exceeds the limit, label: '{name}' series: '{series}' {ErrorId.Tag(id)}{ErrorId.AdjustLimit(LimitFlags.MaxLabelNameLength)}",
            SeriesCheck.LabelValueInvalid => $"received a series with invalid value in label '{name}': '{value}' series: '{series}' {ErrorId.Tag(id)}",
            SeriesCheck.LabelValueTooLong =>
                $"received a series whose label value length exceeds the limit, label: '{name}', value: '{value}' (truncated) series: '{series}' {ErrorId.Tag(id)}{ErrorId.AdjustLimit(LimitFlags.MaxLabelValueLength)}",
            SeriesCheck.DuplicateLabelNames => $"received a series with duplicate label name, label: '{name}' series: '{series}' {ErrorId.Tag(id)}",
            SeriesCheck.LabelsNotSorted => $"received a series where the label names are not sorted, label: '{name}' series: '{series}' {ErrorId.Tag(id)}",
            SeriesCheck.TooFarInFuture =>
                $"received a sample whose timestamp is too far in the future, timestamp: {timestampMs.ToString(CultureInfo.InvariantCulture)} series: '{series}' {ErrorId.Tag(id)}{ErrorId.AdjustLimit(LimitFlags.CreationGracePeriod)}",
            SeriesCheck.TooFarInPast =>
                $"received a sample whose timestamp is too far in the past, timestamp: {timestampMs.ToString(CultureInfo.InvariantCulture)} series: '{series}' {ErrorId.Tag(id)}{ErrorId.AdjustLimit(LimitFlags.PastGracePeriod)}",
            _ => throw new ArgumentOutOfRangeException(nameof(check), check, null),
        };
    }

    /// <summary>Metadata without a metric family name.</summary>
    public static string MetadataMissingName() =>
        $"received a metric metadata with no metric name {ErrorId.Tag(ErrorId.MetadataMissingMetricName)}";

    /// <summary>Metadata whose family name is longer than allowed.</summary>
    public static string MetadataNameTooLong(ReadOnlySpan<byte> name) =>
        $"received a metric metadata whose metric name length exceeds the limit, metric name: '{Shown(name)}' {ErrorId.Tag(ErrorId.MetricNameTooLong)}{ErrorId.AdjustLimit(LimitFlags.MaxMetadataLength)}";

    /// <summary>Metadata whose unit is longer than allowed.</summary>
    public static string MetadataUnitTooLong(ReadOnlySpan<byte> unit, ReadOnlySpan<byte> name) =>
        $"received a metric metadata whose unit name length exceeds the limit, unit: '{Shown(unit)}' metric name: '{Shown(name)}' {ErrorId.Tag(ErrorId.UnitTooLong)}{ErrorId.AdjustLimit(LimitFlags.MaxMetadataLength)}";

    /// <summary>The received pairs in Prometheus form, <c>{__name__="up", job="a"}</c>, cut at 200 characters.</summary>
    public static string FormatSeries(ReadOnlySpan<byte> data, ReadOnlySpan<LabelSlot> labels)
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < labels.Length && sb.Length <= MaxShown; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(Encoding.UTF8.GetString(labels[i].Name(data))).Append("=\"");
            foreach (char c in Encoding.UTF8.GetString(labels[i].Value(data)))
            {
                _ = c switch
                {
                    '\\' => sb.Append("\\\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append("\\n"),
                    _ => sb.Append(c),
                };
            }

            sb.Append('"');
        }

        sb.Append('}');
        return sb.Length > MaxShown ? sb.ToString(0, MaxShown) : sb.ToString();
    }

    private static string Shown(ReadOnlySpan<byte> utf8)
    {
        // Cutting the bytes first bounds the work for a huge value; a split character decodes as U+FFFD.
        var cut = utf8.Length > MaxShown * 4 ? utf8[..(MaxShown * 4)] : utf8;
        string s = Encoding.UTF8.GetString(cut);
        return s.Length > MaxShown ? s[..MaxShown] : s;
    }
}
