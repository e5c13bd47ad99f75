using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.Cluster.Replication;

/// <summary>Reads (Mimir's distributor_queryable): every ingester of the read set, replicas merged.</summary>
public sealed partial class ReplicatedIngesterClient
{
    /// <summary>
    /// Asks every healthy ingester (<see cref="RingOperation.Read"/>, tolerating the set's MaxErrors failures, and
    /// answering once a read quorum did: <see cref="Quorum.DoUntilQuorumAsync{T}"/>) and
    /// merges their series by label set, sorted by <see cref="Labels.Compare"/>: replicas of one series become one
    /// <see cref="ChunkSeries"/> with all their chunks ordered by MinTime (overlapping; the querier's chunk iterator
    /// merges overlapping chunks sample by sample and drops duplicate timestamps). Chunks identical in every byte
    /// are kept once.
    /// </summary>
    /// <remarks>
    /// Each ingester's stream is buffered whole before merging: simple and correct (a replica that fails half-way
    /// contributes nothing), at the cost of holding every replica's chunks for the query in memory at once — about
    /// RF times the series' encoded size.
    /// </remarks>
    /// <exception cref="QuorumException">More ingesters failed than a read tolerates.</exception>
    public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var set = _ring.GetReplicationSetForOperation(RingOperation.Read);
        var limiter = QueryLimiter.Current;
        IReadOnlyList<List<ChunkSeries>> replicas;
        try
        {
            replicas = await Quorum.DoUntilQuorumAsync(
                set,
                (instance, ct) => ReadAsync(instance, async c =>
                {
                    var list = new List<ChunkSeries>();
                    await foreach (var s in c.SelectAsync(tenant, mint, maxt, labelsOnly, matchers, ct).ConfigureAwait(false))
                    {
                        // The query's series limit, charged while each replica streams (a series counts once however
                        // many replicas send it), so a query over it stops buffering here; chunks are charged by the
                        // querier after the merge.
                        limiter?.AddSeries(s.Labels);
                        list.Add(s);
                    }

                    return list;
                }),
                cancellationToken).ConfigureAwait(false);
        }
        catch (QuorumException e) when (e.Failures.Select(f => f.Error).OfType<QueryLimitExceededException>().FirstOrDefault() is { } limit)
        {
            // Every replica fails the same way once the limit is crossed: the answer is the limit, not a lost quorum.
            ExceptionDispatchInfo.Throw(limit);
            throw;
        }

        foreach (var s in MergeReplicas(replicas))
        {
            yield return s;
        }
    }

    /// <summary>The sorted union of the label names of every ingester of the read set.</summary>
    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var set = _ring.GetReplicationSetForOperation(RingOperation.Read);
        var all = await Quorum.DoUntilQuorumAsync(set, (instance, ct) => ReadAsync(instance, c => c.LabelNamesAsync(tenant, mint, maxt, matchers, ct).AsTask()), cancellationToken).ConfigureAwait(false);
        return SortedUnion(all);
    }

    /// <summary>The sorted union of one label's values on every ingester of the read set.</summary>
    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        var set = _ring.GetReplicationSetForOperation(RingOperation.Read);
        var all = await Quorum.DoUntilQuorumAsync(set, (instance, ct) => ReadAsync(instance, c => c.LabelValuesAsync(tenant, name, mint, maxt, matchers, ct).AsTask()), cancellationToken).ConfigureAwait(false);
        return SortedUnion(all);
    }

    /// <summary>
    /// The union of every ingester's metadata without duplicates, ordered by family name, limited to the first
    /// <paramref name="limit"/> families (≤0 = all). Each ingester is asked without a limit: its first families need
    /// not be the cluster's first.
    /// </summary>
    public async ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken)
    {
        var set = _ring.GetReplicationSetForOperation(RingOperation.Read);
        var all = await Quorum.DoUntilQuorumAsync(set, (instance, ct) => ReadAsync(instance, c => c.MetadataAsync(tenant, metric, 0, ct).AsTask()), cancellationToken).ConfigureAwait(false);
        var families = all.SelectMany(a => a).Distinct()
            .GroupBy(m => m.MetricFamilyName, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var limited = limit > 0 ? families.Take(limit) : families;
        return [.. limited.SelectMany(g => g.OrderBy(m => m.Type).ThenBy(m => m.Help, StringComparer.Ordinal).ThenBy(m => m.Unit, StringComparer.Ordinal))];
    }

    /// <summary>Merges the replicas' series by label set; see <see cref="SelectAsync"/>.</summary>
    internal static List<ChunkSeries> MergeReplicas(IReadOnlyList<IReadOnlyList<ChunkSeries>> replicas)
    {
        var byLabels = new Dictionary<Labels, List<EncodedChunk>>();
        foreach (var replica in replicas)
        {
            foreach (var s in replica)
            {
                if (!byLabels.TryGetValue(s.Labels, out var chunks))
                {
                    chunks = [];
                    byLabels[s.Labels] = chunks;
                }

                chunks.AddRange(s.Chunks);
            }
        }

        var result = new List<ChunkSeries>(byLabels.Count);
        foreach (var (labels, chunks) in byLabels)
        {
            result.Add(new ChunkSeries(labels, DistinctByTime(chunks)));
        }

        result.Sort(static (a, b) => Labels.Compare(a.Labels, b.Labels));
        return result;
    }

    /// <summary>Orders chunks by MinTime (then MaxTime; stable) and drops byte-identical copies.</summary>
    private static List<EncodedChunk> DistinctByTime(List<EncodedChunk> chunks)
    {
        if (chunks.Count < 2)
        {
            return chunks;
        }

        var sorted = chunks.OrderBy(static c => c.MinTime).ThenBy(static c => c.MaxTime).ToList();
        var kept = new List<EncodedChunk>(sorted.Count);
        foreach (var c in sorted)
        {
            bool copy = false;
            for (int j = kept.Count - 1; j >= 0 && kept[j].MinTime == c.MinTime && !copy; j--)
            {
                copy = kept[j].MaxTime == c.MaxTime && kept[j].Encoding == c.Encoding && kept[j].Data.Span.SequenceEqual(c.Data.Span);
            }

            if (!copy)
            {
                kept.Add(c);
            }
        }

        return kept;
    }

    private static List<string> SortedUnion(IReadOnlyList<IReadOnlyList<string>> all)
    {
        var union = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var list in all)
        {
            union.UnionWith(list);
        }

        return [.. union];
    }

    /// <summary>Runs one read on one ingester, logging its failure (the quorum decides whether it matters).</summary>
    private async Task<T> ReadAsync<T>(InstanceDesc instance, Func<IIngesterClient, Task<T>> read)
    {
        QueryTrace.Record("ingester", instance.Id);
        try
        {
            return await read(_clientFor(instance)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or QueryLimitExceededException))
        {
            LogReadFailed(e, instance.Id, instance.Addr);
            throw;
        }
    }
}
