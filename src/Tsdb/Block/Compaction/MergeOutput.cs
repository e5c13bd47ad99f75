namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>One block a merge writes: its temporary directory, chunk and index writers, and counts.</summary>
internal sealed class MergeOutput : IDisposable
{
    private readonly ChunkSegmentWriter _chunks;
    private bool _closed;

    public MergeOutput(string dir, Ulid ulid, BlockMergeOptions options)
    {
        Dir = dir;
        Ulid = ulid;
        _chunks = new ChunkSegmentWriter(Path.Combine(dir, BlockWriter.ChunksDirName), options.ChunkSegmentSize);
        try
        {
            Index = new IndexWriter(Path.Combine(dir, BlockWriter.IndexFileName));
        }
        catch
        {
            _chunks.Dispose();
            throw;
        }

        Cutter = new ChunkCutter(_chunks, options.SamplesPerChunk);
    }

    public string Dir { get; }

    public Ulid Ulid { get; }

    public IndexWriter Index { get; }

    public ChunkCutter Cutter { get; }

    public ulong Series { get; set; }

    /// <summary>Lowest sample timestamp written.</summary>
    public long MinTime => Cutter.MinTime;

    /// <summary>Highest sample timestamp written.</summary>
    public long MaxTime => Cutter.MaxTime;

    public BlockStats Stats => new() { NumSeries = Series, NumSamples = Cutter.TotalSamples, NumChunks = (ulong)_chunks.ChunkCount };

    /// <summary>Finishes the chunk segments and the index; returns the segment files.</summary>
    public IReadOnlyList<BlockFile> Close()
    {
        _chunks.Close();
        Index.Close();
        _closed = true;
        return _chunks.Files;
    }

    public void Dispose()
    {
        if (!_closed)
        {
            Index.Dispose();
            _chunks.Dispose();
        }
    }
}
