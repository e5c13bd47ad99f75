using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Tsdb;

/// <summary>
/// Queries over <see cref="IBlockReader"/>s, the head's and the blocks' alike: the series of one reader with their
/// chunks copied out, and the merge of several readers' answers (Prometheus' merged querier over head and blocks).
/// </summary>
public static class BlockReaders
{
    /// <summary>
    /// Series of <paramref name="reader"/> matching every matcher with a chunk overlapping [mint, maxt], sorted by
    /// labels, with those chunks (none when <paramref name="labelsOnly"/>). Chunk bytes are the reader's copy or a
    /// copy made here, so the answer outlives the reader.
    /// </summary>
    public static List<ChunkSeries> Select(IBlockReader reader, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<ChunkSeries>();
        mint = Math.Max(mint, reader.MinTime);
        maxt = Math.Min(maxt, reader.MaxTime);
        if (mint > maxt)
        {
            return result;
        }

        var index = reader.Index();
        var chunkReader = reader.Chunks();
        var metas = new List<ChunkMeta>(4);
        foreach (ulong r in index.SortedSeriesRefs(matchers, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            metas.Clear();
            if (!index.Series(r, out var labels, metas) || !AnyOverlaps(metas, mint, maxt))
            {
                continue;
            }

            if (labelsOnly)
            {
                result.Add(new ChunkSeries(labels, []));
                continue;
            }

            var chunks = Read(chunkReader, metas, mint, maxt);
            if (chunks.Count > 0)
            {
                result.Add(new ChunkSeries(labels, chunks));
            }
        }

        return result;
    }

    /// <summary>
    /// Merges answers of <see cref="Select"/>, each sorted by labels, into one sorted by labels: a series in several
    /// comes back once with the chunks of all of them ordered by min time, and for equal min times in the order of
    /// <paramref name="parts"/>. Readers chain chunks and skip samples at or before the previous one, so a sample kept
    /// in two parts (a head chunk straddling a block's end) is returned once.
    /// </summary>
    public static List<ChunkSeries> Merge(IReadOnlyList<List<ChunkSeries>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var result = new List<ChunkSeries>();
        var next = new int[parts.Count];
        var holders = new List<int>(parts.Count);
        while (true)
        {
            holders.Clear();
            for (int p = 0; p < parts.Count; p++)
            {
                if (next[p] >= parts[p].Count)
                {
                    continue;
                }

                int c = holders.Count == 0 ? -1 : Labels.Compare(parts[p][next[p]].Labels, parts[holders[0]][next[holders[0]]].Labels);
                if (c < 0)
                {
                    holders.Clear();
                }

                if (c <= 0)
                {
                    holders.Add(p);
                }
            }

            if (holders.Count == 0)
            {
                return result;
            }

            result.Add(Combine(parts, next, holders));
            foreach (int p in holders)
            {
                next[p]++;
            }
        }
    }

    /// <summary>Union of sorted string lists, sorted ordinally.</summary>
    public static List<string> Union(IEnumerable<IReadOnlyList<string>> lists)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var l in lists)
        {
            set.UnionWith(l);
        }

        return [.. set];
    }

    private static ChunkSeries Combine(IReadOnlyList<List<ChunkSeries>> parts, int[] next, List<int> holders)
    {
        var first = parts[holders[0]][next[holders[0]]];
        if (holders.Count == 1)
        {
            return first;
        }

        var chunks = new List<EncodedChunk>();
        foreach (int p in holders)
        {
            chunks.AddRange(parts[p][next[p]].Chunks);
        }

        // Stable: for equal min times the earlier part's chunk stays first.
        return new ChunkSeries(first.Labels, [.. chunks.OrderBy(c => c.MinTime)]);
    }

    private static bool AnyOverlaps(List<ChunkMeta> metas, long mint, long maxt)
    {
        foreach (var m in metas)
        {
            if (m.Overlaps(mint, maxt))
            {
                return true;
            }
        }

        return false;
    }

    private static List<EncodedChunk> Read(IChunkReader reader, List<ChunkMeta> metas, long mint, long maxt)
    {
        var chunks = new List<EncodedChunk>(metas.Count);
        foreach (var m in metas)
        {
            if (!m.Overlaps(mint, maxt))
            {
                continue;
            }

            var c = reader.Chunk(m);
            if (c.Data.IsEmpty)
            {
                // The head dropped it after its meta was read; a block read after the head holds its samples.
                continue;
            }

            chunks.Add(new EncodedChunk(c.MinT, c.MaxT, c.Encoding, c.IsCopy ? c.Data : c.Data.ToArray()));
        }

        return chunks;
    }
}
