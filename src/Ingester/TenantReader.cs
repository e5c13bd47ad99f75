using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Ingester;

/// <summary>
/// The read side of a tenant's TSDB: the head merged with its local blocks. A series in several of them comes
/// back once, with the chunks of all of them ordered by min time; readers chain chunks and skip samples at or
/// before the previous one, so a sample kept in both a block and the head (a straddling head chunk after an
/// unaligned flush) is returned once.
/// </summary>
internal static class TenantReader
{
    /// <summary>Series matching <paramref name="matchers"/> with samples in [mint, maxt], sorted by labels.</summary>
    internal static List<ChunkSeries> Select(TenantDb db, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers,
        CancellationToken cancellationToken = default)
    {
        var head = db.Head.Select(mint, maxt, labelsOnly, matchers, cancellationToken);
        var blocks = db.Blocks.Where(b => b.Overlaps(mint, maxt)).ToList();
        if (blocks.Count == 0)
        {
            return head;
        }

        var merged = new Dictionary<Labels, List<EncodedChunk>>();
        foreach (var b in blocks)
        {
            WithLease(b, reader =>
            {
                foreach (var s in reader.Querier(mint, maxt).Select(matchers, labelsOnly, cancellationToken))
                {
                    var into = Chunks(merged, s.Labels);
                    foreach (var c in ((BlockSeries)s).Chunks)
                    {
                        // Copied out of the memory map: the answer outlives the lease.
                        var (encoding, data) = reader.Chunks.Chunk(c.Ref);
                        into.Add(new EncodedChunk(c.MinT, c.MaxT, encoding, data.ToArray()));
                    }
                }
            });
        }

        foreach (var s in head)
        {
            Chunks(merged, s.Labels).AddRange(s.Chunks);
        }

        var result = new List<ChunkSeries>(merged.Count);
        foreach (var (labels, chunks) in merged)
        {
            // Stable: for equal min times the block's chunk stays first.
            result.Add(new ChunkSeries(labels, [.. chunks.OrderBy(c => c.MinTime)]));
        }

        result.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        return result;
    }

    /// <summary>Label names of the head and the overlapping blocks, sorted.</summary>
    internal static List<string> LabelNames(TenantDb db, long mint, long maxt, IReadOnlyList<Matcher> matchers)
    {
        var names = new SortedSet<string>(db.Head.LabelNames(mint, maxt, matchers), StringComparer.Ordinal);
        foreach (var b in db.Blocks.Where(b => b.Overlaps(mint, maxt)))
        {
            WithLease(b, r => names.UnionWith(r.Querier(mint, maxt).LabelNamesAsync(matchers, CancellationToken.None).AsTask().GetAwaiter().GetResult()));
        }

        return [.. names];
    }

    /// <summary>Values of <paramref name="name"/> in the head and the overlapping blocks, sorted.</summary>
    internal static List<string> LabelValues(TenantDb db, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers)
    {
        var values = new SortedSet<string>(db.Head.LabelValues(name, mint, maxt, matchers), StringComparer.Ordinal);
        foreach (var b in db.Blocks.Where(b => b.Overlaps(mint, maxt)))
        {
            WithLease(b, r => values.UnionWith(r.Querier(mint, maxt).LabelValuesAsync(name, matchers, CancellationToken.None).AsTask().GetAwaiter().GetResult()));
        }

        return [.. values];
    }

    /// <summary>
    /// Reads <paramref name="block"/> under a lease. A block removed by retention since the list was taken is skipped:
    /// it was shipped, and the querier reads it from the store-gateway.
    /// </summary>
    private static void WithLease(LocalBlock block, Action<BlockReader> read)
    {
        if (!block.Shared.TryAcquire())
        {
            return;
        }

        try
        {
            read(block.Shared.Reader);
        }
        finally
        {
            block.Shared.Release();
        }
    }

    private static List<EncodedChunk> Chunks(Dictionary<Labels, List<EncodedChunk>> merged, Labels labels)
    {
        if (!merged.TryGetValue(labels, out var list))
        {
            list = [];
            merged[labels] = list;
        }

        return list;
    }
}
