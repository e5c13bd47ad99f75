using System.Buffers;
using System.Text.Unicode;
using MetricsCluster.Core.Limits;

namespace MetricsCluster.Distributor;

/// <summary>
/// Mimir's series and sample validation (<c>validateLabels</c>, <c>validateSample</c>) over label
/// slices of the request. Returns status values and allocates nothing (G17); messages are built by
/// <see cref="ValidationMessages"/> only for the first failure.
/// </summary>
internal static class SeriesValidator
{
    private static readonly SearchValues<byte> s_labelNameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"u8);

    private static readonly SearchValues<byte> s_metricNameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:"u8);

    /// <summary>The metric-name label, "__name__".</summary>
    public static ReadOnlySpan<byte> MetricNameLabel => "__name__"u8;

    /// <summary>
    /// Checks a label set in Mimir's order: metric name present and valid, label count, then per
    /// label: name valid, name length, value UTF-8, value length, duplicate, sorted.
    /// </summary>
    /// <param name="data">The decoded request.</param>
    /// <param name="labels">The pairs as received, empty values already dropped.</param>
    /// <param name="limits">The tenant's limits.</param>
    /// <param name="index">The offending label (or the metric-name label) on failure, else -1.</param>
    public static SeriesCheck CheckLabels(ReadOnlySpan<byte> data, ReadOnlySpan<LabelSlot> labels, Limits limits, out int index)
    {
        index = FindMetricName(data, labels);
        if (index < 0)
        {
            return SeriesCheck.MissingMetricName;
        }

        if (!IsValidMetricName(labels[index].Value(data)))
        {
            return SeriesCheck.MetricNameInvalid;
        }

        index = -1;
        if (labels.Length > limits.MaxLabelNamesPerSeries)
        {
            return SeriesCheck.TooManyLabels;
        }

        ReadOnlySpan<byte> previous = default;
        for (int i = 0; i < labels.Length; i++)
        {
            var name = labels[i].Name(data);
            var value = labels[i].Value(data);
            var check = CheckLabel(name, value, previous, i == 0, limits);
            if (check != SeriesCheck.Ok)
            {
                index = i;
                return check;
            }

            previous = name;
        }

        return SeriesCheck.Ok;
    }

    /// <summary>Checks one sample timestamp against the precomputed bounds (inclusive).</summary>
    public static SeriesCheck CheckTimestamp(long timestampMs, long maxTimestampMs, long minTimestampMs) =>
        timestampMs > maxTimestampMs ? SeriesCheck.TooFarInFuture
        : timestampMs < minTimestampMs ? SeriesCheck.TooFarInPast
        : SeriesCheck.Ok;

    /// <summary>True for <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsValidMetricName(ReadOnlySpan<byte> name) =>
        name.Length > 0 && !char.IsAsciiDigit((char)name[0]) && !name.ContainsAnyExcept(s_metricNameChars);

    /// <summary>True for <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsValidLabelName(ReadOnlySpan<byte> name) =>
        name.Length > 0 && !char.IsAsciiDigit((char)name[0]) && !name.ContainsAnyExcept(s_labelNameChars);

    private static SeriesCheck CheckLabel(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ReadOnlySpan<byte> previous, bool first, Limits limits)
    {
        if (!IsValidLabelName(name))
        {
            return SeriesCheck.LabelInvalid;
        }

        if (name.Length > limits.MaxLabelNameLength)
        {
            return SeriesCheck.LabelNameTooLong;
        }

        if (!Utf8.IsValid(value))
        {
            return SeriesCheck.LabelValueInvalid;
        }

        if (value.Length > limits.MaxLabelValueLength)
        {
            return SeriesCheck.LabelValueTooLong;
        }

        if (first)
        {
            return SeriesCheck.Ok;
        }

        int c = name.SequenceCompareTo(previous);
        return c == 0 ? SeriesCheck.DuplicateLabelNames : c < 0 ? SeriesCheck.LabelsNotSorted : SeriesCheck.Ok;
    }

    private static int FindMetricName(ReadOnlySpan<byte> data, ReadOnlySpan<LabelSlot> labels)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i].Name(data).SequenceEqual(MetricNameLabel))
            {
                return i;
            }
        }

        return -1;
    }
}
