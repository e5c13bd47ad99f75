using MetricsCluster.Core;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// Writes a complete, immutable block in the Prometheus on-disk format (<c>docs/format/block.md</c>):
/// <c>&lt;parent&gt;/&lt;ULID&gt;/{chunks/000001…, index, tombstones, meta.json}</c>. Everything is written
/// under <c>&lt;ULID&gt;.tmp-for-creation</c>, each file fsynced, then the directory is renamed, so a
/// crash leaves either a complete block or a temporary directory Prometheus deletes at start-up.
/// </summary>
public static class BlockWriter
{
    /// <summary>Suffix of the temporary directory (Prometheus' <c>tmpForCreationBlockDirSuffix</c>).</summary>
    public const string TmpSuffix = ".tmp-for-creation";

    /// <summary>Name of the chunks directory inside a block.</summary>
    public const string ChunksDirName = "chunks";

    /// <summary>Name of the index file inside a block.</summary>
    public const string IndexFileName = "index";

    /// <summary>
    /// Writes <paramref name="series"/> (any order; sorted here by <see cref="Labels.Compare"/>) as block
    /// <paramref name="ulid"/> under <paramref name="parentDir"/> and returns its meta.
    /// </summary>
    /// <param name="parentDir">Data directory that receives the block directory.</param>
    /// <param name="ulid">Block ID; the caller creates it (<see cref="Ulid.New(TimeProvider)"/>) so the clock stays injected (G6).</param>
    /// <param name="series">Series with at least one XOR chunk each; label sets must be unique.</param>
    /// <param name="options">Optional time range and Thanos section.</param>
    /// <exception cref="ArgumentException">No series, a duplicate label set, or samples outside the requested range.</exception>
    /// <exception cref="IOException">The block directory already exists, or a write failed.</exception>
    public static BlockMeta Write(string parentDir, Ulid ulid, IEnumerable<ChunkedSeries> series, BlockWriteOptions? options = null)
    {
        options ??= new BlockWriteOptions();
        options.Validate();
        var sorted = SortAndCheck(series);
        var (minT, maxT) = TimeRange(sorted, options);
        return BlockDirectory.CreateAtomically(parentDir, ulid, tmp => WriteContents(tmp, ulid, sorted, minT, maxT, options));
    }

    private static BlockMeta WriteContents(string dir, Ulid ulid, List<ChunkedSeries> series, long minT, long maxT, BlockWriteOptions options)
    {
        var stats = new BlockStats { NumSeries = (ulong)series.Count };
        IReadOnlyList<BlockFile> chunkFiles;
        using (var chunks = new ChunkSegmentWriter(Path.Combine(dir, ChunksDirName), options.ChunkSegmentSize))
        using (var index = new IndexWriter(Path.Combine(dir, IndexFileName)))
        {
            foreach (byte[] s in CollectSymbols(series))
            {
                index.AddSymbol(s);
            }

            var metas = new List<ChunkMeta>();
            foreach (var s in series)
            {
                metas.Clear();
                foreach (var c in s.Chunks)
                {
                    metas.Add(new ChunkMeta(c.MinT, c.MaxT, chunks.WriteChunk(ChunkEncoding.Xor, c.Data)));
                    stats.NumSamples += (ulong)c.NumSamples;
                    stats.NumChunks++;
                }

                index.AddSeries(s.Labels, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(metas));
            }

            chunks.Close();
            index.Close();
            chunkFiles = chunks.Files;
        }

        var meta = new BlockMeta { Ulid = ulid, MinTime = minT, MaxTime = maxT, Stats = stats, Thanos = options.Thanos };
        meta.Compaction.Sources.Add(ulid);
        BlockDirectory.Finish(dir, meta, chunkFiles);
        return meta;
    }

    private static List<ChunkedSeries> SortAndCheck(IEnumerable<ChunkedSeries> series)
    {
        var list = series.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("a block needs at least one series", nameof(series));
        }

        list.Sort(static (a, b) => Labels.Compare(a.Labels, b.Labels));
        for (int i = 1; i < list.Count; i++)
        {
            if (Labels.Compare(list[i - 1].Labels, list[i].Labels) == 0)
            {
                throw new ArgumentException($"duplicate series {list[i].Labels}", nameof(series));
            }
        }

        return list;
    }

    private static (long Min, long Max) TimeRange(List<ChunkedSeries> series, BlockWriteOptions options)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (var s in series)
        {
            if (s.Chunks.Count == 0)
            {
                throw new ArgumentException($"series {s.Labels} has no chunks", nameof(series));
            }

            min = Math.Min(min, s.Chunks[0].MinT);
            max = Math.Max(max, s.Chunks[^1].MaxT);
        }

        long blockMin = options.MinTime ?? min;
        long blockMax = options.MaxTime ?? max + 1;
        if (min < blockMin || max >= blockMax)
        {
            throw new ArgumentException($"samples span [{min}, {max}], outside the block range [{blockMin}, {blockMax})");
        }

        return (blockMin, blockMax);
    }

    private static List<byte[]> CollectSymbols(List<ChunkedSeries> series)
    {
        var set = new HashSet<byte[]>(ByteArrayComparer.Instance);
        foreach (var s in series)
        {
            foreach (var l in s.Labels)
            {
                AddSymbol(set, l.Name);
                AddSymbol(set, l.Value);
            }
        }

        var list = set.ToList();
        list.Sort(ByteArrayComparer.Instance);
        return list;
    }

    private static void AddSymbol(HashSet<byte[]> set, ReadOnlySpan<byte> s)
    {
        var lookup = set.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.Contains(s))
        {
            set.Add(s.ToArray());
        }
    }
}
