using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// Merges N blocks into one new block in the Prometheus format (Prometheus' <c>LeveledCompactor.Compact</c> with
/// vertical merging; format in <c>docs/format/block.md</c> §5): RF-3 replica blocks of one 2h window, or adjacent
/// blocks into a longer one. Streams: symbols are a k-way merge of the sources' symbol tables, series a k-way merge by
/// <see cref="Labels.Compare"/> over the sources' index order, samples of a series held by several sources a merge
/// by timestamp (each timestamp once, the first source wins), re-cut into XOR chunks of 120 samples and written at
/// once.
/// </summary>
/// <remarks>
/// Memory budget, independent of the sample count: the sources' index and chunk files are memory-mapped (page
/// cache, not heap); per source the all-postings list (8 bytes per series) and the current series' chunk metas;
/// the open output chunk (≤ 120 samples, a few hundred bytes) and the current series' output chunk metas; and the
/// <see cref="IndexWriter"/>'s state until it closes: every symbol once, plus 4 bytes per series per label
/// (postings) and 4 bytes per series (all-postings). No sample is held beyond the chunk being encoded.
/// </remarks>
public static class BlockMerger
{
    /// <summary>
    /// Merges <paramref name="sourceBlockDirs"/> into block <paramref name="ulid"/> under <paramref name="parentDir"/>,
    /// written under <c>&lt;ULID&gt;.tmp-for-creation</c>, fsynced and renamed like <see cref="BlockWriter.Write"/>;
    /// returns its meta. The temporary directory is removed on any failure, cancellation included.
    /// </summary>
    /// <param name="parentDir">Directory that receives the new block directory.</param>
    /// <param name="ulid">The new block's ID; the caller creates it so the clock stays injected (G6).</param>
    /// <param name="sourceBlockDirs">The source block directories; their order decides which value is kept when sources disagree at a timestamp (the first).</param>
    /// <param name="options">Thanos section, segment size and samples per chunk.</param>
    /// <param name="ct">Checked between series.</param>
    /// <exception cref="ArgumentException">No sources, an invalid option, or no series in any source.</exception>
    /// <exception cref="BlockMergeSourceException">A source block is damaged; names it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    /// <exception cref="IOException">The block directory already exists, or a write failed.</exception>
    public static BlockMeta Merge(string parentDir, Ulid ulid, IReadOnlyList<string> sourceBlockDirs, BlockMergeOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sourceBlockDirs);
        if (sourceBlockDirs.Count == 0)
        {
            throw new ArgumentException("a merge needs at least one source block", nameof(sourceBlockDirs));
        }

        options ??= new BlockMergeOptions();
        options.Validate();
        var sources = new List<MergeSource>(sourceBlockDirs.Count);
        try
        {
            foreach (string dir in sourceBlockDirs)
            {
                sources.Add(MergeSource.Open(dir));
            }

            if (sources.All(s => s.SeriesCount == 0))
            {
                throw new ArgumentException("the source blocks hold no series; a block needs at least one", nameof(sourceBlockDirs));
            }

            return BlockDirectory.CreateAtomically(parentDir, ulid, tmp => WriteContents(tmp, ulid, sources, options, ct));
        }
        finally
        {
            sources.ForEach(s => s.Dispose());
        }
    }

    private static BlockMeta WriteContents(string dir, Ulid ulid, List<MergeSource> sources, BlockMergeOptions options, CancellationToken ct)
    {
        var stats = new BlockStats();
        IReadOnlyList<BlockFile> chunkFiles;
        using (var chunks = new ChunkSegmentWriter(Path.Combine(dir, BlockWriter.ChunksDirName), options.ChunkSegmentSize))
        using (var index = new IndexWriter(Path.Combine(dir, BlockWriter.IndexFileName)))
        {
            foreach (var symbol in SymbolMerger.Merge(sources))
            {
                index.AddSymbol(symbol.Span);
            }

            stats.NumSeries = WriteSeries(sources, index, new ChunkCutter(chunks, options.SamplesPerChunk), out ulong samples, ct);
            if (stats.NumSeries == 0)
            {
                throw new ArgumentException("the source blocks hold no samples; a block needs at least one series");
            }

            chunks.Close();
            index.Close();
            stats.NumSamples = samples;
            stats.NumChunks = (ulong)chunks.ChunkCount;
            chunkFiles = chunks.Files;
        }

        var meta = MergedBlockMeta.Build(ulid, [.. sources.Select(s => s.Meta)], stats, options.Thanos);
        BlockDirectory.Finish(dir, meta, chunkFiles);
        return meta;
    }

    // The k-way merge of series: each round takes the smallest current label set over all sources, merges the
    // samples of every source standing on it, and advances those sources. Returns the number of series written.
    private static ulong WriteSeries(List<MergeSource> sources, IndexWriter index, ChunkCutter cutter, out ulong samples, CancellationToken ct)
    {
        foreach (var s in sources)
        {
            s.MoveNext();
        }

        var holders = new List<MergeSource>(sources.Count);
        var merger = new SampleMerger();
        ulong written = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            CollectSmallest(sources, holders);
            if (holders.Count == 0)
            {
                samples = cutter.TotalSamples;
                return written;
            }

            if (WriteOneSeries(holders, index, cutter, merger))
            {
                written++;
            }

            foreach (var h in holders)
            {
                h.MoveNext();
            }
        }
    }

    // Fills 'holders' with the sources whose current series has the smallest labels, in source order. A linear
    // scan: merges take a handful of sources, so O(sources) per series is cheaper than a heap.
    private static void CollectSmallest(List<MergeSource> sources, List<MergeSource> holders)
    {
        holders.Clear();
        foreach (var s in sources)
        {
            if (!s.HasCurrent)
            {
                continue;
            }

            int c = holders.Count == 0 ? -1 : Labels.Compare(s.Labels, holders[0].Labels);
            if (c < 0)
            {
                holders.Clear();
            }

            if (c <= 0)
            {
                holders.Add(s);
            }
        }
    }

    // A series whose chunks all turn out empty is left out: the index format needs at least one chunk per series.
    private static bool WriteOneSeries(List<MergeSource> holders, IndexWriter index, ChunkCutter cutter, SampleMerger merger)
    {
        cutter.Reset();
        merger.Reset(holders);
        while (merger.Next(out long t, out double v))
        {
            cutter.Append(t, v);
        }

        var metas = cutter.Finish();
        if (metas.IsEmpty)
        {
            return false;
        }

        index.AddSeries(holders[0].Labels, metas);
        return true;
    }
}
