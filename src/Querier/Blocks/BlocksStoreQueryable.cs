using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Blocks;

/// <summary>
/// The querier's long-term side (Mimir <c>BlocksStoreQueryable</c>): finds the blocks covering a range in the
/// tenant's bucket index, asks the store-gateways for exactly those, and fails the query when a block that had to be
/// read was not (<c>store-consistency-check-failed</c>) — never a silent partial answer. Answers are collected in
/// full before they are handed on, so a failed check returns nothing.
/// </summary>
/// <remarks>
/// In cluster mode <c>client</c> is the sharded store-gateway client, which has already retried a block
/// missing on one store-gateway on the other replicas of that block (up to 3 attempts, docs/replication.md); what is
/// still missing here fails the query. With one in-process store-gateway there is no other replica to try.
/// </remarks>
public sealed class BlocksStoreQueryable(BucketIndexBlocksFinder finder, IStoreGatewayClient client, BlocksConsistencyChecker checker) : IQueryable
{
    private readonly BucketIndexBlocksFinder _finder = finder;
    private readonly IStoreGatewayClient _client = client;
    private readonly BlocksConsistencyChecker _checker = checker;

    /// <inheritdoc/>
    public IQuerier Querier(string tenant, long mint, long maxt) => new BlocksStoreQuerier(this, tenant, mint, maxt);

    private sealed class BlocksStoreQuerier(BlocksStoreQueryable owner, string tenant, long mint, long maxt) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var series = await RunAsync(
                async (q, ct) =>
                {
                    var all = new List<ISeries>();

                    // Charged as each series arrives (before the consistency check), so a query over the limits
                    // stops reading the store-gateways at once.
                    var limiter = QueryLimiter.Current;
                    await foreach (var s in q.SelectAsync(sorted, hints, matchers, ct).ConfigureAwait(false))
                    {
                        limiter?.Add(s);
                        all.Add(s);
                    }

                    return all;
                },
                [],
                hints?.AllowedResolution ?? 0,
                cancellationToken).ConfigureAwait(false);
            foreach (var s in series)
            {
                yield return s;
            }
        }

        public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            await RunAsync((q, ct) => q.LabelNamesAsync(matchers, ct).AsTask(), [], 0, cancellationToken).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            await RunAsync((q, ct) => q.LabelValuesAsync(name, matchers, ct).AsTask(), [], 0, cancellationToken).ConfigureAwait(false);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        /// <summary>
        /// Finds the blocks (downsampled ones only up to <paramref name="maxResolution"/>; label queries read raw
        /// blocks), runs <paramref name="read"/> on a store-gateway querier over them, then checks consistency.
        /// </summary>
        private async Task<T> RunAsync<T>(Func<IQuerier, CancellationToken, Task<T>> read, T empty, long maxResolution, CancellationToken cancellationToken)
        {
            var expected = await owner._finder.GetBlocksAsync(tenant, mint, maxt, cancellationToken, maxResolution).ConfigureAwait(false);
            if (expected.Blocks.Count == 0)
            {
                return empty;
            }

            var queried = new QueriedBlocks();
            var ids = expected.Blocks.Select(b => b.Id).ToHashSet();
            T result;
            var q = owner._client.Querier(tenant, mint, maxt, ids, queried);
            await using (q.ConfigureAwait(false))
            {
                result = await read(q, cancellationToken).ConfigureAwait(false);
            }

            var missing = owner._checker.Missing(expected, queried);
            if (missing.Count > 0)
            {
                throw new BlocksStoreException(
                    $"failed to fetch some blocks (err-mimir-store-consistency-check-failed). The failed blocks are: {string.Join(" ", missing.Select(static (Ulid u) => u.ToString()))}");
            }

            return result;
        }
    }
}
