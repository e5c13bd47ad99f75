using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Tsdb.Db;

/// <summary>
/// The read side: the head and the local blocks merged through <see cref="IBlockReader"/> (Prometheus' querier over
/// <c>db.Blocks()</c> and a <c>RangeHead</c>). Reads are synchronous: the head is memory and blocks are memory-mapped.
/// </summary>
public sealed partial class Db
{
    /// <summary>
    /// Series matching <paramref name="matchers"/> with samples in [mint, maxt], sorted by labels. A series in several
    /// of head and blocks comes back once, with the chunks of all of them ordered by min time (a block's first on
    /// ties; see <see cref="BlockReaders.Merge"/>). Chunks are copies: the answer outlives retention and truncation.
    /// </summary>
    public List<ChunkSeries> Select(long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken = default)
    {
        // The head first, then the block list: a head compaction in between adds its block before it truncates the
        // head, so a sample is in the head read or in a block of the list taken after it (or both, merged once).
        var head = BlockReaders.Select(Head.Range(mint, maxt), mint, maxt, labelsOnly, matchers, cancellationToken);
        var parts = new List<List<ChunkSeries>>();
        foreach (var b in Blocks)
        {
            if (Overlaps(b, mint, maxt) && b.TryAcquire())
            {
                try
                {
                    parts.Add(BlockReaders.Select(b.Reader, mint, maxt, labelsOnly, matchers, cancellationToken));
                }
                finally
                {
                    b.Release();
                }
            }
        }

        parts.Add(head);
        return BlockReaders.Merge(parts);
    }

    /// <summary>Label names of the head and the overlapping blocks, sorted.</summary>
    public List<string> LabelNames(long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken = default) =>
        Collect(mint, maxt, r => r.Index().LabelNames(matchers, cancellationToken));

    /// <summary>Values of <paramref name="name"/> in the head and the overlapping blocks, sorted.</summary>
    public List<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken = default) =>
        Collect(mint, maxt, r => r.Index().LabelValues(name, matchers, cancellationToken));

    // A block is read under a lease; one removed by retention since the list was taken is skipped: it was shipped,
    // and the querier reads it from the store-gateway.
    private List<string> Collect(long mint, long maxt, Func<IBlockReader, IReadOnlyList<string>> read)
    {
        var lists = new List<IReadOnlyList<string>> { read(Head.Range(mint, maxt)) };
        foreach (var b in Blocks)
        {
            if (Overlaps(b, mint, maxt) && b.TryAcquire())
            {
                try
                {
                    lists.Add(read(b.Reader));
                }
                finally
                {
                    b.Release();
                }
            }
        }

        return BlockReaders.Union(lists);
    }

    // A block's max time is exclusive.
    private static bool Overlaps(SharedBlockReader b, long mint, long maxt) => b.Meta.MinTime <= maxt && b.Meta.MaxTime > mint;
}
