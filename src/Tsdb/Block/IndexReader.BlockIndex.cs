using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>The block's side of <see cref="IIndexReader"/>, the read interface it shares with the head (G7).</summary>
public sealed partial class IndexReader : IIndexReader
{
    /// <inheritdoc/>
    /// <remarks>Index refs ascend with labels, so <see cref="SelectSeriesRefs"/> is already in label order.</remarks>
    public ulong[] SortedSeriesRefs(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        SelectSeriesRefs(matchers, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Every chunk of a block lies in its range. Never false: a bad ref is a <see cref="BlockCorruptionException"/>.</remarks>
    public bool Series(ulong seriesRef, out Labels labels, List<ChunkMeta> chunks)
    {
        labels = ReadSeries(seriesRef, chunks);
        return true;
    }

    /// <inheritdoc/>
    /// <remarks>Like Prometheus' block index, names are not filtered by time.</remarks>
    public IReadOnlyList<string> LabelNames(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        if (matchers.Count == 0)
        {
            return [.. _postingsTable.Value.Names];
        }

        var names = new SortedSet<string>(Utf8Comparer.Instance);
        foreach (ulong r in SelectSeriesRefs(matchers, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var p in SeriesLabels(r).Pairs())
            {
                names.Add(p.Key);
            }
        }

        return [.. names];
    }

    /// <inheritdoc/>
    /// <remarks>Like Prometheus' block index, values are not filtered by time.</remarks>
    public IReadOnlyList<string> LabelValues(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        if (matchers.Count == 0)
        {
            return LabelValues(name);
        }

        var values = new SortedSet<string>(Utf8Comparer.Instance);
        foreach (ulong r in SelectSeriesRefs(matchers, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string v = SeriesLabels(r).Get(name);
            if (v.Length > 0)
            {
                values.Add(v);
            }
        }

        return [.. values];
    }

    /// <summary>Orders strings by their UTF-8 bytes, the order of the index (wire-formats §0).</summary>
    private sealed class Utf8Comparer : IComparer<string>
    {
        public static readonly Utf8Comparer Instance = new();

        public int Compare(string? x, string? y) =>
            System.Text.Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(y ?? string.Empty));
    }
}
