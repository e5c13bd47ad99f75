using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// Reads one tenant's blocks over [mint, maxt] (Mimir <c>BucketStore.Series</c> for one tenant). Only blocks
/// overlapping the range are read. A series found in several blocks (overlapping blocks from replicas, or a block
/// split at a range boundary) comes back once, its samples merged by time with duplicate timestamps removed.
/// </summary>
/// <remarks>
/// Per block: matchers against the index-header, then one batch of postings ranges, one of series ranges and one
/// of chunk ranges. Samples are decoded while the block is leased and handed out as arrays, which costs the
/// query's samples in memory, as the PromQL engine needs them anyway; streaming chunks over RPC replaces it when
/// the store-gateway runs out of process.
/// </remarks>
/// <param name="tenant">The tenant's blocks.</param>
/// <param name="mint">Inclusive start, ms.</param>
/// <param name="maxt">Inclusive end, ms.</param>
/// <param name="only">When set, only these blocks are read (the querier's list from the bucket index).</param>
/// <param name="queried">When set, receives each block read to the end, for the querier's consistency check.</param>
internal sealed class StoreQuerier(BucketStores.TenantBlocks tenant, long mint, long maxt, IReadOnlySet<Ulid>? only = null, QueriedBlocks? queried = null) : IQuerier
{
    public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool labelsOnly = hints?.Func == SelectHints.SeriesOnly;
        var merged = new Dictionary<Labels, List<Sample>>();
        await WithLeasesAsync(block => ReadBlockAsync(block.Block, matchers, labelsOnly, merged, cancellationToken)).ConfigureAwait(false);

        var result = new List<SampleArraySeries>(merged.Count);
        foreach (var (labels, samples) in merged)
        {
            var deduped = Dedup(samples);
            if (labelsOnly || deduped.Length > 0)
            {
                result.Add(new SampleArraySeries(labels, deduped));
            }
        }

        result.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        foreach (var s in result)
        {
            yield return s;
        }
    }

    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await WithLeasesAsync(async b => names.UnionWith(await b.Block.LabelNamesAsync(matchers, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        return [.. names];
    }

    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        await WithLeasesAsync(async b => values.UnionWith(await b.Block.LabelValuesAsync(name, matchers, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        return [.. values];
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Runs <paramref name="read"/> on every overlapping block, oldest first, each under a lease.</summary>
    private async Task WithLeasesAsync(Func<StoreBlock, Task> read)
    {
        foreach (var block in tenant.Blocks.Values.Where(b => b.Overlaps(mint, maxt) && (only is null || only.Contains(b.Meta.Ulid))).OrderBy(b => b.Meta.MinTime).ThenBy(b => b.Meta.Ulid))
        {
            // A block dropped since the snapshot was taken is skipped: it left the bucket.
            if (!block.TryAcquire())
            {
                continue;
            }

            try
            {
                await read(block).ConfigureAwait(false);

                // Recorded only once the whole block was read: a failure half-way must count as not queried.
                queried?.Add(block.Meta.Ulid);
            }
            finally
            {
                block.Release();
            }
        }
    }

    /// <summary>Adds the block's matching series (with chunks in range) and their samples in range to <paramref name="merged"/>.</summary>
    private async Task ReadBlockAsync(BucketBlock block, IReadOnlyList<Matcher> matchers, bool labelsOnly, Dictionary<Labels, List<Sample>> merged, CancellationToken cancellationToken)
    {
        var series = (await block.SelectSeriesAsync(matchers, cancellationToken).ConfigureAwait(false))
            .Select(s => (s.Labels, Chunks: s.Chunks.Where(c => c.Overlaps(mint, maxt)).ToArray()))
            .Where(s => s.Chunks.Length > 0)
            .ToList();
        var chunks = labelsOnly ? [] : await block.ChunksAsync(series.SelectMany(s => s.Chunks.Select(c => c.Ref)), cancellationToken).ConfigureAwait(false);
        var xor = new XorIterator();
        foreach (var (labels, metas) in series)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!merged.TryGetValue(labels, out var samples))
            {
                samples = [];
                merged[labels] = samples;
            }

            foreach (var meta in labelsOnly ? [] : metas)
            {
                var (encoding, data) = chunks[meta.Ref];
                if (encoding != ChunkEncoding.Xor)
                {
                    throw new NotSupportedException($"{BucketBlock.ObjectKey(block.Tenant, block.Meta.Ulid, "chunks")}: chunk 0x{meta.Ref:x} has encoding {encoding}; only XOR ({ChunkEncoding.Xor}) is supported.");
                }

                xor.Reset(data);
                Read(xor, samples, block, meta);
            }
        }
    }

    private void Read(XorIterator it, List<Sample> into, BucketBlock block, ChunkMeta meta)
    {
        while (it.Next())
        {
            if (it.T >= mint && it.T <= maxt)
            {
                into.Add(new Sample(it.T, it.V));
            }
        }

        if (it.Error is { } e)
        {
            throw new InvalidDataException($"tenant {block.Tenant}, block {block.Meta.Ulid}: chunk 0x{meta.Ref:x} (segment {(meta.Ref >> 32) + 1}, byte {meta.Ref & 0xFFFF_FFFF}) does not decode", e);
        }
    }

    /// <summary>Sorts by time (stable: for equal timestamps the older block wins) and keeps one sample per timestamp.</summary>
    private static Sample[] Dedup(List<Sample> samples)
    {
        var sorted = samples.OrderBy(s => s.T).ToArray();
        int n = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (n == 0 || sorted[i].T != sorted[n - 1].T)
            {
                sorted[n++] = sorted[i];
            }
        }

        return sorted[..n];
    }
}
