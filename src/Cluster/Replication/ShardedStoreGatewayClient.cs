using System.Runtime.CompilerServices;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// The querier's view of sharded store-gateways (Mimir's blocks_store_queryable with the store-gateway ring): each
/// block is read from one instance of its replication set (<see cref="RingOperation.BlocksRead"/>); blocks an
/// instance did not read — not loaded there, or the instance failed — are retried on another instance of their set,
/// up to <see cref="MaxAttempts"/> attempts in all. Blocks read nowhere are not recorded in the caller's
/// <see cref="QueriedBlocks"/>, so the querier's consistency check fails the query naming them. Thread-safe.
/// </summary>
public sealed partial class ShardedStoreGatewayClient : IStoreGatewayClient
{
    /// <summary>Attempts per block, the first included (Mimir's maxFetchSeriesAttempts).</summary>
    public const int MaxAttempts = 3;

    private readonly IReadRing _ring;
    private readonly Func<InstanceDesc, IStoreGatewayClient> _clientFor;
    private readonly ILogger<ShardedStoreGatewayClient> _logger;

    /// <summary>Creates the client.</summary>
    /// <param name="storeGatewayRing">The store-gateway ring.</param>
    /// <param name="clientFor">The (pooled) client of one store-gateway.</param>
    /// <param name="logger">Receives the failures that were retried.</param>
    public ShardedStoreGatewayClient(IReadRing storeGatewayRing, Func<InstanceDesc, IStoreGatewayClient> clientFor, ILogger<ShardedStoreGatewayClient> logger)
    {
        ArgumentNullException.ThrowIfNull(storeGatewayRing);
        ArgumentNullException.ThrowIfNull(clientFor);
        ArgumentNullException.ThrowIfNull(logger);
        _ring = storeGatewayRing;
        _clientFor = clientFor;
        _logger = logger;
    }

    /// <inheritdoc/>
    public IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(queried);
        return new ShardedQuerier(this, tenant, mint, maxt, blocks, queried);
    }

    /// <summary>
    /// Runs <paramref name="read"/> over the blocks, attempt by attempt: each remaining block goes to the first
    /// instance of its set not yet tried for it (the set's clockwise order, so the primary owner is asked first and
    /// load spreads with the blocks), instances are queried in parallel with their blocks, and what they report as
    /// read is recorded; the rest is retried. Returns the answers of the instances that succeeded.
    /// </summary>
    private async Task<List<T>> FetchAsync<T>(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried, Func<IQuerier, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var remaining = new HashSet<Ulid>(blocks);
        var tried = new Dictionary<Ulid, HashSet<string>>();
        var answers = new List<T>();
        for (int attempt = 1; attempt <= MaxAttempts && remaining.Count > 0; attempt++)
        {
            var plan = Assign(remaining, tried);
            if (plan.Count == 0)
            {
                break;
            }

            var outcomes = await Task.WhenAll(plan.Values.Select(p => QueryAsync(p.Instance, tenant, mint, maxt, p.Blocks, read, cancellationToken))).ConfigureAwait(false);
            foreach (var (ok, answer, readBlocks) in outcomes)
            {
                if (!ok)
                {
                    continue;
                }

                answers.Add(answer!);
                foreach (var id in readBlocks)
                {
                    queried.Add(id);
                    remaining.Remove(id);
                }
            }
        }

        return answers;
    }

    /// <summary>Groups the remaining blocks by the instance each is tried on next.</summary>
    private Dictionary<string, (InstanceDesc Instance, HashSet<Ulid> Blocks)> Assign(HashSet<Ulid> remaining, Dictionary<Ulid, HashSet<string>> tried)
    {
        var plan = new Dictionary<string, (InstanceDesc Instance, HashSet<Ulid> Blocks)>(StringComparer.Ordinal);
        foreach (var block in remaining)
        {
            ReplicationSet set;
            try
            {
                set = _ring.Get(BlockShardKey.Of(block), RingOperation.BlocksRead);
            }
            catch (RingUnavailableException e)
            {
                // Left unrecorded: the consistency check names the block.
                LogNoReplicas(e, block.ToString());
                continue;
            }

            if (!tried.TryGetValue(block, out var done))
            {
                done = new HashSet<string>(StringComparer.Ordinal);
                tried[block] = done;
            }

            var next = set.Instances.FirstOrDefault(i => !done.Contains(i.Id));
            if (next is null)
            {
                continue;
            }

            done.Add(next.Id);
            if (!plan.TryGetValue(next.Id, out var entry))
            {
                entry = (next, []);
                plan[next.Id] = entry;
            }

            entry.Blocks.Add(block);
        }

        return plan;
    }

    /// <summary>Reads <paramref name="blocks"/> on one instance; a failure is logged and reported as nothing read.</summary>
    private async Task<(bool Ok, T? Answer, Ulid[] Read)> QueryAsync<T>(InstanceDesc instance, string tenant, long mint, long maxt, HashSet<Ulid> blocks, Func<IQuerier, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var queried = new QueriedBlocks();
        Core.Storage.QueryTrace.Record("store-gateway", instance.Id);
        try
        {
            T answer;
            var q = _clientFor(instance).Querier(tenant, mint, maxt, blocks, queried);
            await using (q.ConfigureAwait(false))
            {
                answer = await read(q, cancellationToken).ConfigureAwait(false);
            }

            var readBlocks = queried.Ids.Where(blocks.Contains).ToArray();
            if (readBlocks.Length < blocks.Count)
            {
                LogBlocksNotRead(instance.Id, blocks.Count - readBlocks.Length, blocks.Count);
            }

            return (true, answer, readBlocks);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogInstanceFailed(e, instance.Id, instance.Addr, blocks.Count);
            return (false, default, []);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "store-gateway {Instance} ({Addr}) failed reading {Blocks} block(s); retrying them on other replicas")]
    private partial void LogInstanceFailed(Exception e, string instance, string addr, int blocks);

    [LoggerMessage(Level = LogLevel.Debug, Message = "store-gateway {Instance} did not read {Missing} of {Blocks} block(s); retrying them on other replicas")]
    private partial void LogBlocksNotRead(string instance, int missing, int blocks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no store-gateway can serve block {Block}")]
    private partial void LogNoReplicas(Exception e, string block);

    /// <summary>One request's querier: every call fetches its blocks with retries.</summary>
    private sealed class ShardedQuerier(ShardedStoreGatewayClient owner, string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) : IQuerier
    {
        /// <summary>Series from all instances, merged by label set and sorted (sorting costs little next to the fetch).</summary>
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var answers = await owner.FetchAsync(
                tenant,
                mint,
                maxt,
                blocks,
                queried,
                async (q, ct) =>
                {
                    var list = new List<ISeries>();
                    await foreach (var s in q.SelectAsync(sorted, hints, matchers, ct).ConfigureAwait(false))
                    {
                        list.Add(s);
                    }

                    return list;
                },
                cancellationToken).ConfigureAwait(false);

            // One series per label set; the same labels from several instances (different blocks) are merged.
            foreach (var s in SeriesSets.Merge(answers))
            {
                yield return s;
            }
        }

        public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            Union(await owner.FetchAsync(tenant, mint, maxt, blocks, queried, (q, ct) => q.LabelNamesAsync(matchers, ct).AsTask(), cancellationToken).ConfigureAwait(false));

        public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            Union(await owner.FetchAsync(tenant, mint, maxt, blocks, queried, (q, ct) => q.LabelValuesAsync(name, matchers, ct).AsTask(), cancellationToken).ConfigureAwait(false));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static List<string> Union(List<IReadOnlyList<string>> answers)
        {
            var union = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var a in answers)
            {
                union.UnionWith(a);
            }

            return [.. union];
        }
    }
}
