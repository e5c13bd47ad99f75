namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// Why the head rejected a sample or a series: Tsdb's storage sentinels (Prometheus' <c>storage.ErrOutOfOrderSample</c>,
/// <c>ErrOutOfBounds</c>/<c>ErrTooOldSample</c>, <c>ErrDuplicateSampleForTimestamp</c>, and a series limit). The head
/// reports them through <see cref="IAppendSink"/>; the owner turns them into its users' messages (G17).
/// </summary>
public enum AppendError : byte
{
    /// <summary>Older than the series' newest sample (Prometheus <c>ErrOutOfOrderSample</c>).</summary>
    OutOfOrderSample = 1,

    /// <summary>
    /// Before the appendable window: more than half a block range before the head's newest sample, or before the end
    /// of the last range cut into a block (Prometheus <c>ErrOutOfBounds</c>/<c>ErrTooOldSample</c>).
    /// </summary>
    TooOldSample = 2,

    /// <summary>Same timestamp as the series' newest sample with a different value (Prometheus <c>ErrDuplicateSampleForTimestamp</c>).</summary>
    DuplicateSampleForTimestamp = 3,

    /// <summary>A new series would pass the head's series limit; the series' samples are all rejected.</summary>
    SeriesLimit = 4,
}
