using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// Merges N blocks into one new block in the Prometheus format (Prometheus' <c>LeveledCompactor.Compact</c> with
/// vertical merging; format in <c>docs/format/block.md</c> §5): RF-3 replica blocks of one 2h window, or adjacent
/// blocks into a longer one. Streams: symbols are a k-way merge of the sources' symbol tables, series a k-way merge by
/// <see cref="Labels.Compare"/> over the sources' index order, samples of a series held by several sources a merge
/// by timestamp (each timestamp once, the first source wins), re-cut into XOR chunks of 120 samples and written at
/// once. Sources are <see cref="IBlockReader"/>s, so <see cref="Write"/> runs the same path for head compaction (one
/// <see cref="Head.RangeHead"/> source), as Prometheus' <c>LeveledCompactor.Write</c> does.
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
    public static BlockMeta Merge(string parentDir, Ulid ulid, IReadOnlyList<string> sourceBlockDirs, BlockMergeOptions? options = null, CancellationToken ct = default) =>
        Run(parentDir, [ulid], sourceBlockDirs, options, sharded: false, ct)[0];

    /// <summary>
    /// Merges <paramref name="sourceBlockDirs"/> like <see cref="Merge"/> but splits the result by series into
    /// <c>shardUlids.Count</c> blocks (Mimir's split stage): series <c>s</c> goes to shard
    /// <c>Labels.Hash(s) mod n</c>, and block <c>i</c> carries the external label <see cref="ShardIdLabel"/> =
    /// <c>"&lt;i+1&gt;_of_&lt;n&gt;"</c>. Every shard block lists all the sources (each is a part of their merge). A shard
    /// that receives no series writes no block. One pass over the sources; all shards are committed at the end.
    /// </summary>
    /// <param name="parentDir">Directory that receives the new block directories.</param>
    /// <param name="shardUlids">The new blocks' IDs, one per shard, in shard order.</param>
    /// <param name="sourceBlockDirs">The source block directories (as <see cref="Merge"/>).</param>
    /// <param name="options">As <see cref="Merge"/>; its Thanos section (or the first source's) gets the shard label.</param>
    /// <param name="ct">Checked between series.</param>
    /// <returns>The metas of the shard blocks written, in shard order (empty shards left out).</returns>
    /// <exception cref="ArgumentException">No sources or shards, an invalid option, or no series in any source.</exception>
    /// <exception cref="BlockMergeSourceException">A source block is damaged; names it.</exception>
    public static IReadOnlyList<BlockMeta> Split(string parentDir, IReadOnlyList<Ulid> shardUlids, IReadOnlyList<string> sourceBlockDirs, BlockMergeOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(shardUlids);
        if (shardUlids.Count == 0)
        {
            throw new ArgumentException("a split needs at least one shard", nameof(shardUlids));
        }

        return Run(parentDir, shardUlids, sourceBlockDirs, options, sharded: true, ct);
    }

    /// <summary>The external label naming a split block's shard (Mimir's <c>__compactor_shard_id__</c>).</summary>
    public const string ShardIdLabel = "__compactor_shard_id__";

    /// <summary>
    /// Writes block <paramref name="ulid"/> from <paramref name="source"/>, through the same merge as <see cref="Merge"/>
    /// (Prometheus' <c>LeveledCompactor.Write</c> of a <c>RangeHead</c>, which calls the same <c>populateBlock</c> as
    /// <c>Compact</c>): head compaction passes the head's <see cref="Head.RangeHead"/> of the window being cut. The meta is
    /// a new level-1 block listing itself as its source, with the range of <paramref name="options"/> (or of its samples).
    /// </summary>
    /// <param name="parentDir">Directory that receives the new block directory.</param>
    /// <param name="ulid">The new block's ID; the caller creates it so the clock stays injected (G6).</param>
    /// <param name="source">What to write; samples outside its <see cref="IBlockReader.MinTime"/>/<see cref="IBlockReader.MaxTime"/> are left out.</param>
    /// <param name="options">Block range, Thanos section and segment size.</param>
    /// <param name="ct">Checked between series.</param>
    /// <returns>The meta, or null when the source holds no sample in its range (no block is written then).</returns>
    /// <exception cref="ArgumentException">An invalid option, or samples outside the block range of <paramref name="options"/>.</exception>
    /// <exception cref="IOException">The block directory already exists, or a write failed.</exception>
    public static BlockMeta? Write(string parentDir, Ulid ulid, IBlockReader source, BlockWriteOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var mergeOptions = new BlockMergeOptions { ChunkSegmentSize = options.ChunkSegmentSize };
        var metas = Run(parentDir, [ulid], () => [MergeSource.Over(source, "head")], mergeOptions, (_, o, _) => NewBlockMeta(o, options), emptyIsError: false, ct);
        return metas.Count == 0 ? null : metas[0];
    }

    private static IReadOnlyList<BlockMeta> Run(string parentDir, IReadOnlyList<Ulid> ulids, IReadOnlyList<string> sourceBlockDirs, BlockMergeOptions? options, bool sharded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sourceBlockDirs);
        if (sourceBlockDirs.Count == 0)
        {
            throw new ArgumentException("a merge needs at least one source block", nameof(sourceBlockDirs));
        }

        options ??= new BlockMergeOptions();
        options.Validate();
        var mergeOptions = options;
        int n = ulids.Count;
        return Run(
            parentDir,
            ulids,
            () =>
            {
                var sources = new List<MergeSource>(sourceBlockDirs.Count);
                try
                {
                    foreach (string dir in sourceBlockDirs)
                    {
                        sources.Add(MergeSource.Open(dir));
                    }
                }
                catch
                {
                    sources.ForEach(s => s.Dispose());
                    throw;
                }

                return sources;
            },
            mergeOptions,
            (sources, o, i) =>
            {
                var sourceMetas = sources.Select(s => s.Meta!).ToList();
                var thanos = mergeOptions.Thanos?.Clone() ?? MergedBlockMeta.FromFirstSource(sourceMetas[0].Thanos);
                if (sharded)
                {
                    thanos ??= new ThanosMeta { Source = "compactor" };
                    thanos.Labels[ShardIdLabel] = FormattableString.Invariant($"{i + 1}_of_{n}");
                }

                return MergedBlockMeta.Build(o.Ulid, sourceMetas, o.Stats, thanos);
            },
            emptyIsError: true,
            ct);
    }

    // The one block-writing path: merges the sources' symbols and series into one output per ULID, builds each meta
    // with 'metaFor' (sources, output, shard index), and commits them all at the end.
    private static IReadOnlyList<BlockMeta> Run(
        string parentDir,
        IReadOnlyList<Ulid> ulids,
        Func<List<MergeSource>> openSources,
        BlockMergeOptions options,
        Func<List<MergeSource>, MergeOutput, int, BlockMeta> metaFor,
        bool emptyIsError,
        CancellationToken ct)
    {
        List<MergeSource> sources = [];
        var outputs = new List<MergeOutput>(ulids.Count);
        bool committed = false;
        try
        {
            sources = openSources();
            if (sources.All(s => s.SeriesCount == 0))
            {
                return emptyIsError ? throw new ArgumentException("the source blocks hold no series; a block needs at least one", "sourceBlockDirs") : [];
            }

            foreach (var ulid in ulids)
            {
                outputs.Add(new MergeOutput(BlockDirectory.PrepareTmp(parentDir, ulid), ulid, options));
            }

            // Every output gets the whole symbol table: an index may hold symbols no series uses, and one pass
            // over the sources is worth more than the few kilobytes a per-shard table would save.
            foreach (var symbol in SymbolMerger.Merge(sources))
            {
                outputs.ForEach(o => o.Index.AddSymbol(symbol.Span));
            }

            int n = outputs.Count;
            WriteSeries(sources, outputs, labels => n == 1 ? 0 : (int)(labels.Hash % (ulong)n), ct);
            if (outputs.All(o => o.Series == 0))
            {
                return emptyIsError ? throw new ArgumentException("the source blocks hold no samples; a block needs at least one series") : [];
            }

            var metas = new List<BlockMeta>(n);
            for (int i = 0; i < n; i++)
            {
                var o = outputs[i];
                if (o.Series == 0)
                {
                    o.Dispose();
                    BlockDirectory.Abort(parentDir, o.Ulid);
                    continue;
                }

                var files = o.Close();
                var meta = metaFor(sources, o, i);
                BlockDirectory.Finish(o.Dir, meta, files);
                metas.Add(meta);
            }

            foreach (var meta in metas)
            {
                BlockDirectory.Commit(parentDir, meta.Ulid);
            }

            committed = true;
            return metas;
        }
        finally
        {
            sources.ForEach(s => s.Dispose());
            outputs.ForEach(o => o.Dispose());
            if (!committed)
            {
                ulids.ToList().ForEach(u => BlockDirectory.Abort(parentDir, u));
            }
        }
    }

    // A new level-1 block as BlockWriter writes it: its own source, the requested range or its samples' range.
    private static BlockMeta NewBlockMeta(MergeOutput output, BlockWriteOptions options)
    {
        var stats = output.Stats;
        long minT = options.MinTime ?? output.MinTime;
        long maxT = options.MaxTime ?? output.MaxTime + 1;
        if (output.MinTime < minT || output.MaxTime >= maxT)
        {
            throw new ArgumentException($"samples span [{output.MinTime}, {output.MaxTime}], outside the block range [{minT}, {maxT})");
        }

        var meta = new BlockMeta { Ulid = output.Ulid, MinTime = minT, MaxTime = maxT, Stats = stats, Thanos = options.Thanos };
        meta.Compaction.Sources.Add(output.Ulid);
        return meta;
    }

    // The k-way merge of series: each round takes the smallest current label set over all sources, merges the
    // samples of every source standing on it into the output 'route' picks, and advances those sources.
    private static void WriteSeries(List<MergeSource> sources, List<MergeOutput> outputs, Func<Labels, int> route, CancellationToken ct)
    {
        foreach (var s in sources)
        {
            s.MoveNext();
        }

        var holders = new List<MergeSource>(sources.Count);
        var merger = new SampleMerger();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            CollectSmallest(sources, holders);
            if (holders.Count == 0)
            {
                return;
            }

            var output = outputs[route(holders[0].Labels)];
            if (WriteOneSeries(holders, output.Index, output.Cutter, merger))
            {
                output.Series++;
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
