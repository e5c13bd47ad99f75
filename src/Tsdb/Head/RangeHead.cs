using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// The head limited to [<see cref="MinTime"/>, <see cref="MaxTime"/>] as an <see cref="IBlockReader"/> (Prometheus
/// <c>RangeHead</c>): queries read it like a block, and head compaction writes a block from it through
/// <see cref="Block.Compaction.BlockMerger"/>. Holds no state beyond the range, so it is cheap to create per use and
/// thread-safe. Chunks are copied under their series' lock; a chunk may hold samples outside the range (a head chunk
/// straddling it, or the open chunk grown since its meta was read), which readers trim.
/// </summary>
public sealed class RangeHead : IBlockReader, IIndexReader, IChunkReader
{
    private readonly Head _head;

    internal RangeHead(Head head, long mint, long maxt)
    {
        _head = head;
        MinTime = mint;
        MaxTime = maxt;
    }

    /// <inheritdoc/>
    public long MinTime { get; }

    /// <inheritdoc/>
    public long MaxTime { get; }

    /// <inheritdoc/>
    public IIndexReader Index() => this;

    /// <inheritdoc/>
    public IChunkReader Chunks() => this;

    /// <inheritdoc/>
    /// <remarks>
    /// The names and values of the series with chunks in the range, as the block written from it holds them (not the
    /// whole head's, which Prometheus returns: a block index then carries symbols no series uses).
    /// </remarks>
    public IEnumerable<ReadOnlyMemory<byte>> Symbols()
    {
        var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
        var lookup = seen.GetAlternateLookup<ReadOnlySpan<byte>>();
        var symbols = new List<byte[]>();
        var scratch = new List<ChunkMeta>();
        foreach (ulong r in SortedSeriesRefs([], CancellationToken.None))
        {
            scratch.Clear();
            if (!_head.SeriesChunks(r, MinTime, MaxTime, out var labels, scratch))
            {
                continue;
            }

            foreach (var l in labels)
            {
                Add(seen, lookup, symbols, l.Name);
                Add(seen, lookup, symbols, l.Value);
            }
        }

        symbols.Sort(ByteArrayComparer.Instance);
        foreach (byte[] s in symbols)
        {
            yield return s;
        }
    }

    /// <inheritdoc/>
    public ulong[] SortedSeriesRefs(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        _head.SortedRefs(MinTime, MaxTime, matchers, cancellationToken);

    /// <inheritdoc/>
    public bool Series(ulong seriesRef, out Labels labels, List<ChunkMeta> chunks) =>
        _head.SeriesChunks(seriesRef, MinTime, MaxTime, out labels, chunks);

    /// <inheritdoc/>
    /// <remarks>Without matchers every name in the head when it overlaps the range (Prometheus' head does not filter names by time).</remarks>
    public IReadOnlyList<string> LabelNames(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        _head.LabelNamesIn(MinTime, MaxTime, matchers, cancellationToken);

    /// <inheritdoc/>
    public IReadOnlyList<string> LabelValues(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        _head.LabelValuesIn(name, MinTime, MaxTime, matchers, cancellationToken);

    /// <inheritdoc/>
    public ChunkBytes Chunk(in ChunkMeta meta) => _head.ReadChunk(meta.Ref);

    private static void Add(HashSet<byte[]> seen, HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> lookup, List<byte[]> symbols, ReadOnlySpan<byte> symbol)
    {
        if (!lookup.Contains(symbol))
        {
            byte[] copy = symbol.ToArray();
            seen.Add(copy);
            symbols.Add(copy);
        }
    }
}
