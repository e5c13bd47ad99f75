namespace MetricsCluster.Agent.Parsing;

/// <summary>
/// A pull parser over one exposition page (Prometheus' <c>textparse.Parser</c>), implemented by the
/// <c>ref struct</c>s <see cref="PromTextParser"/> and <see cref="OpenMetricsParser"/> so callers can be
/// generic over the format without boxing (<c>allows ref struct</c>). Every span returned is a slice of
/// the page and is valid until the next call to <see cref="Next"/> (G10); nothing is allocated per entry.
/// </summary>
public interface IExpositionParser
{
    /// <summary>Advances to the next entry.</summary>
    /// <returns>The kind of entry, or <see cref="EntryKind.EndOfInput"/> at the end of the page.</returns>
    /// <exception cref="ExpositionParseException">The page is malformed at the current position.</exception>
    EntryKind Next();

    /// <summary>For <see cref="EntryKind.Series"/>: the raw series text (name and label block, escapes kept).</summary>
    ReadOnlySpan<byte> Series { get; }

    /// <summary>For <see cref="EntryKind.Series"/>: the value; any NaN is Prometheus' canonical NaN.</summary>
    double Value { get; }

    /// <summary>For <see cref="EntryKind.Series"/>: whether the line carried a timestamp.</summary>
    bool HasTimestamp { get; }

    /// <summary>For <see cref="EntryKind.Series"/>: the timestamp in Unix milliseconds when <see cref="HasTimestamp"/>.</summary>
    long TimestampMs { get; }

    /// <summary>For metadata entries: the metric (family) name, raw (a quoted name keeps its quotes' content escaped).</summary>
    ReadOnlySpan<byte> MetricName { get; }

    /// <summary>For <see cref="EntryKind.Type"/>: the type.</summary>
    MetricType Type { get; }

    /// <summary>For HELP, UNIT and comments: the raw text (HELP escapes kept; see <see cref="ExpositionText.UnescapeHelp"/>).</summary>
    ReadOnlySpan<byte> Text { get; }
}
