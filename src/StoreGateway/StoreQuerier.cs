using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// Reads one tenant's blocks over [mint, maxt] (Mimir <c>BucketStore.Series</c> for one tenant). Only blocks
/// overlapping the range are read. A series found in several blocks (overlapping blocks from replicas, or a block
/// split at a range boundary) comes back once, its samples merged by time with duplicate timestamps removed.
/// </summary>
/// <remarks>
/// Samples are decoded while the blocks are leased and handed out as arrays, so a sync that drops a block never
/// pulls memory from under a running query. This costs the query's samples in memory, as the PromQL engine
/// needs them anyway; streaming chunks over RPC replaces it when the store-gateway runs out of process.
/// </remarks>
internal sealed class StoreQuerier(BucketStores.TenantBlocks tenant, long mint, long maxt) : IQuerier
{
    public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool labelsOnly = hints?.Func == SelectHints.SeriesOnly;
        var merged = new Dictionary<Labels, List<Sample>>();
        WithLeases(block =>
        {
            foreach (var s in block.Reader.Querier(mint, maxt).Select(matchers, labelsOnly))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!merged.TryGetValue(s.Labels, out var samples))
                {
                    samples = [];
                    merged[s.Labels] = samples;
                }

                if (!labelsOnly)
                {
                    Read(s.Iterator(null), samples);
                }
            }
        });

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

        // Blocks are memory-mapped and read synchronously; this await only satisfies the async iterator form.
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        WithLeases(b => names.UnionWith(b.Reader.Querier(mint, maxt).LabelNamesAsync(matchers, cancellationToken).AsTask().GetAwaiter().GetResult()));
        return ValueTask.FromResult<IReadOnlyList<string>>([.. names]);
    }

    public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        WithLeases(b => values.UnionWith(b.Reader.Querier(mint, maxt).LabelValuesAsync(name, matchers, cancellationToken).AsTask().GetAwaiter().GetResult()));
        return ValueTask.FromResult<IReadOnlyList<string>>([.. values]);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Runs <paramref name="read"/> on every overlapping block, oldest first, each under a lease.</summary>
    private void WithLeases(Action<StoreBlock> read)
    {
        foreach (var block in tenant.Blocks.Values.Where(b => b.Overlaps(mint, maxt)).OrderBy(b => b.Meta.MinTime).ThenBy(b => b.Meta.Ulid))
        {
            // A block dropped since the snapshot was taken is skipped: it left the bucket.
            if (!block.TryAcquire())
            {
                continue;
            }

            try
            {
                read(block);
            }
            finally
            {
                block.Release();
            }
        }
    }

    private void Read(SampleIterator it, List<Sample> into)
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
            throw new InvalidDataException("reading a store-gateway block failed", e);
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
