namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// A persisted block directory opened for reading: its <c>index</c> and <c>chunks/</c> segments, both
/// memory-mapped (Prometheus <c>tsdb.Block</c> without meta.json and tombstones). Thread-safe for reading;
/// queriers and series must not be used after <see cref="Dispose"/>.
/// </summary>
public sealed class BlockReader : IBlockReader, IDisposable
{
    private BlockReader(string directory, IndexReader index, ChunkSegmentReader chunks, BlockMeta? meta)
    {
        MinTime = meta?.MinTime ?? long.MinValue;
        MaxTime = meta is null ? long.MaxValue : meta.MaxTime - 1;
        Directory = directory;
        Index = index;
        Chunks = chunks;
    }

    /// <summary>The block directory.</summary>
    public string Directory { get; }

    /// <summary>The index.</summary>
    public IndexReader Index { get; }

    /// <summary>The chunk segments.</summary>
    public ChunkSegmentReader Chunks { get; }

    /// <inheritdoc/>
    /// <remarks>The meta's min time when opened with one, else unbounded.</remarks>
    public long MinTime { get; }

    /// <inheritdoc/>
    /// <remarks>The meta's max time − 1 (a block's max time is exclusive) when opened with one, else unbounded.</remarks>
    public long MaxTime { get; }

    /// <inheritdoc/>
    IIndexReader IBlockReader.Index() => Index;

    /// <inheritdoc/>
    IChunkReader IBlockReader.Chunks() => Chunks;

    /// <summary>Opens <paramref name="directory"/>, which must hold <c>index</c> and <c>chunks/</c>; <paramref name="meta"/>, when given, sets the time range.</summary>
    /// <exception cref="BlockCorruptionException">The index or a segment header is invalid.</exception>
    /// <exception cref="FileNotFoundException">The index is missing.</exception>
    public static BlockReader Open(string directory, BlockMeta? meta = null)
    {
        var index = IndexReader.Open(Path.Combine(directory, "index"));
        try
        {
            return new BlockReader(directory, index, ChunkSegmentReader.Open(Path.Combine(directory, "chunks")), meta);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>A querier over [<paramref name="mint"/>, <paramref name="maxt"/>] (ms, both inclusive).</summary>
    public BlockQuerier Querier(long mint, long maxt) => new(this, mint, maxt);

    /// <inheritdoc/>
    public void Dispose()
    {
        Chunks.Dispose();
        Index.Dispose();
    }
}
