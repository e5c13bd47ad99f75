using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>A series record entry: the writer-chosen reference and its label set.</summary>
/// <param name="Ref">Series reference used by later records.</param>
/// <param name="Labels">The series' labels.</param>
public readonly record struct RefSeries(ulong Ref, Labels Labels);

/// <summary>A float sample of the series <paramref name="Ref"/>; NaN payload bits are kept exactly.</summary>
/// <param name="Ref">Series reference.</param>
/// <param name="T">Timestamp in milliseconds.</param>
/// <param name="V">Value.</param>
public readonly record struct RefSample(ulong Ref, long T, double V);

/// <summary>A deleted closed interval [<paramref name="MinT"/>, <paramref name="MaxT"/>] of series <paramref name="Ref"/>.</summary>
/// <param name="Ref">Series reference.</param>
/// <param name="MinT">First deleted timestamp.</param>
/// <param name="MaxT">Last deleted timestamp.</param>
public readonly record struct Tombstone(ulong Ref, long MinT, long MaxT);

/// <summary>Metric metadata of series <paramref name="Ref"/>.</summary>
/// <param name="Ref">Series reference.</param>
/// <param name="Type">Prometheus metric type: 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gaugehistogram, 5 summary, 6 info, 7 stateset.</param>
/// <param name="Unit">Unit, may be empty.</param>
/// <param name="Help">Help text, may be empty.</param>
public readonly record struct RefMetadata(ulong Ref, byte Type, string Unit, string Help);

/// <summary>
/// Delta base of one samples record being encoded. Use a fresh (default) state, or call
/// <see cref="Reset"/>, for each record started with <see cref="WalRecords.BeginSamples"/>.
/// </summary>
public struct SamplesEncoderState
{
    /// <summary>Series reference of the record's first sample.</summary>
    public ulong FirstRef { get; internal set; }

    /// <summary>Timestamp of the record's first sample.</summary>
    public long FirstT { get; internal set; }

    /// <summary>True once the first sample (and with it the delta base) has been written.</summary>
    public bool HasFirst { get; internal set; }

    /// <summary>Prepares the state for a new record.</summary>
    public void Reset() => this = default;
}
