using MetricsCluster.Core;

namespace MetricsCluster.Distributor;

/// <summary>Outcome of validating one series; a status value for the hot loop, turned into a message only on failure (G17).</summary>
internal enum SeriesCheck : byte
{
    /// <summary>Valid.</summary>
    Ok,

    /// <summary>No <c>__name__</c> (after dropping empty values).</summary>
    MissingMetricName,

    /// <summary>Metric name does not match <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    MetricNameInvalid,

    /// <summary>More label pairs than allowed.</summary>
    TooManyLabels,

    /// <summary>Label name does not match <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    LabelInvalid,

    /// <summary>Label name too long.</summary>
    LabelNameTooLong,

    /// <summary>Label value is not valid UTF-8.</summary>
    LabelValueInvalid,

    /// <summary>Label value too long.</summary>
    LabelValueTooLong,

    /// <summary>Same name twice in a row.</summary>
    DuplicateLabelNames,

    /// <summary>Names not in ascending byte order.</summary>
    LabelsNotSorted,

    /// <summary>A sample is newer than now + creation grace period.</summary>
    TooFarInFuture,

    /// <summary>A sample is older than now − past grace period.</summary>
    TooFarInPast,
}

/// <summary>Maps <see cref="SeriesCheck"/> to the stable ids.</summary>
internal static class SeriesCheckIds
{
    /// <summary>The <see cref="ErrorId"/> of a failed check.</summary>
    public static string Id(this SeriesCheck check) => check switch
    {
        SeriesCheck.MissingMetricName => ErrorId.MissingMetricName,
        SeriesCheck.MetricNameInvalid => ErrorId.MetricNameInvalid,
        SeriesCheck.TooManyLabels => ErrorId.MaxLabelNamesPerSeries,
        SeriesCheck.LabelInvalid => ErrorId.LabelInvalid,
        SeriesCheck.LabelNameTooLong => ErrorId.LabelNameTooLong,
        SeriesCheck.LabelValueInvalid => ErrorId.LabelValueInvalid,
        SeriesCheck.LabelValueTooLong => ErrorId.LabelValueTooLong,
        SeriesCheck.DuplicateLabelNames => ErrorId.DuplicateLabelNames,
        SeriesCheck.LabelsNotSorted => ErrorId.LabelsNotSorted,
        SeriesCheck.TooFarInFuture => ErrorId.TooFarInFuture,
        SeriesCheck.TooFarInPast => ErrorId.TooFarInPast,
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, null),
    };
}
