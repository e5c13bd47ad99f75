namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// A persisted block directory opened for reading: its <c>index</c> and <c>chunks/</c> segments, both
/// memory-mapped (Prometheus <c>tsdb.Block</c> without meta.json and tombstones). Thread-safe for reading;
/// queriers and series must not be used after <see cref="Dispose"/>.
/// </summary>
public sealed class BlockReader : IDisposable
{
    private BlockReader(string directory, IndexReader index, ChunkSegmentReader chunks)
    {
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

    /// <summary>Opens <paramref name="directory"/>, which must hold <c>index</c> and <c>chunks/</c>.</summary>
    /// <exception cref="BlockCorruptionException">The index or a segment header is invalid.</exception>
    /// <exception cref="FileNotFoundException">The index is missing.</exception>
    public static BlockReader Open(string directory)
    {
        var index = IndexReader.Open(Path.Combine(directory, "index"));
        try
        {
            return new BlockReader(directory, index, ChunkSegmentReader.Open(Path.Combine(directory, "chunks")));
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
