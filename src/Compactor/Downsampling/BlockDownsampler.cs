using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Compactor.Downsampling;

/// <summary>
/// Writes the downsampled copy of one block (Thanos' <c>downsample.Downsample</c>): the same series, each with
/// aggregate chunks (<see cref="AggrChunk"/>) of the target resolution, and the source's <c>meta.json</c> with the new
/// ULID and <c>thanos.downsample.resolution</c> set. Raw blocks (resolution 0) are read sample by sample, 5m blocks
/// aggregate chunk by aggregate chunk. Streams like the merge: the source index and chunks are memory-mapped, one
/// series is processed at a time and every finished chunk is written at once, so memory holds the output's symbols
/// and postings (as <see cref="IndexWriter"/> needs) plus one open chunk, never a block's samples.
/// </summary>
public static class BlockDownsampler
{
    /// <summary>Windows per output chunk; Thanos aims at about 140 samples per chunk, Prometheus cuts at 120.</summary>
    public const int WindowsPerChunk = 120;

    /// <summary>
    /// Downsamples the block in <paramref name="sourceDir"/> to <paramref name="resolution"/> as block
    /// <paramref name="ulid"/> under <paramref name="parentDir"/> (written under <c>.tmp-for-creation</c>, renamed at the end).
    /// </summary>
    /// <param name="sourceDir">A complete block: raw, or of a resolution below <paramref name="resolution"/>.</param>
    /// <param name="parentDir">Directory receiving the new block.</param>
    /// <param name="ulid">The new block's ID (the caller's clock, G6).</param>
    /// <param name="resolution">Target window length, ms.</param>
    /// <param name="ct">Checked between series.</param>
    /// <returns>The new block's meta.</returns>
    /// <exception cref="ArgumentException">The target resolution is not above the source's.</exception>
    /// <exception cref="InvalidDataException">A source chunk has the wrong encoding for the source's resolution, or does not decode.</exception>
    public static BlockMeta Downsample(string sourceDir, string parentDir, Ulid ulid, long resolution, CancellationToken ct = default)
    {
        var source = BlockMeta.ReadFrom(sourceDir);
        long from = source.Thanos?.DownsampleResolution ?? 0;
        if (resolution <= from)
        {
            throw new ArgumentException($"block {source.Ulid} has resolution {from} ms; it cannot be downsampled to {resolution} ms", nameof(resolution));
        }

        using var index = IndexReader.Open(Path.Combine(sourceDir, BlockWriter.IndexFileName));
        using var chunks = ChunkSegmentReader.Open(Path.Combine(sourceDir, BlockWriter.ChunksDirName));
        string tmp = BlockDirectory.PrepareTmp(parentDir, ulid);
        try
        {
            var meta = Write(tmp, ulid, source, index, chunks, from, resolution, ct);
            BlockDirectory.Commit(parentDir, ulid);
            return meta;
        }
        catch
        {
            BlockDirectory.Abort(parentDir, ulid);
            throw;
        }
    }

    private static BlockMeta Write(string dir, Ulid ulid, BlockMeta source, IndexReader index, ChunkSegmentReader chunks, long from, long resolution, CancellationToken ct)
    {
        ulong series = 0;
        var writer = new ChunkSegmentWriter(Path.Combine(dir, BlockWriter.ChunksDirName));
        var downsampler = new SeriesDownsampler(writer, resolution, WindowsPerChunk);
        var reader = new SourceSeriesReader(chunks, source.Ulid);
        IReadOnlyList<BlockFile> files;
        using (writer)
        using (var output = new IndexWriter(Path.Combine(dir, BlockWriter.IndexFileName)))
        {
            // Same series, same labels: the source's symbol table is the output's.
            foreach (var symbol in index.Symbols())
            {
                output.AddSymbol(symbol.Span);
            }

            // All-postings lists series in index order, which is label order: the output index needs no sort.
            foreach (ulong seriesRef in index.AllPostings())
            {
                ct.ThrowIfCancellationRequested();
                var entry = index.Series(seriesRef);
                downsampler.Reset();
                if (from == 0)
                {
                    reader.FeedRaw(entry, downsampler);
                }
                else
                {
                    reader.FeedAggregates(entry, downsampler);
                }

                downsampler.Finish();
                if (downsampler.Chunks.Count > 0)
                {
                    output.AddSeries(entry.Labels, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(downsampler.Chunks));
                    series++;
                }
            }

            writer.Close();
            output.Close();
            files = writer.Files;
        }

        var meta = NewMeta(ulid, source, resolution, new BlockStats { NumSeries = series, NumSamples = downsampler.TotalWindows, NumChunks = (ulong)writer.ChunkCount });
        BlockDirectory.Finish(dir, meta, files);
        return meta;
    }

    // Thanos copies the source's meta: same time range and compaction section (level, sources, parents), so the
    // planner can tell which raw sources a downsampled block covers; only the ULID and the resolution change.
    private static BlockMeta NewMeta(Ulid ulid, BlockMeta source, long resolution, BlockStats stats)
    {
        var thanos = source.Thanos?.Clone() ?? new ThanosMeta();
        thanos.DownsampleResolution = resolution;
        thanos.Source = "compactor";
        var meta = new BlockMeta { Ulid = ulid, MinTime = source.MinTime, MaxTime = source.MaxTime, Stats = stats, Thanos = thanos };
        meta.Compaction.Level = source.Compaction.Level;
        meta.Compaction.Sources.AddRange(source.Compaction.Sources.Count > 0 ? source.Compaction.Sources : [source.Ulid]);
        meta.Compaction.Parents.AddRange(source.Compaction.Parents);
        return meta;
    }
}
