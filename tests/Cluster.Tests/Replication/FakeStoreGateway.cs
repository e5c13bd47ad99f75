using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Cluster.Tests.Replication;

/// <summary>
/// An in-memory store-gateway: serves the blocks in <see cref="Loaded"/> (others it does not read or record), or
/// throws when <see cref="Down"/>; records which blocks each request asked for.
/// </summary>
internal sealed class FakeStoreGateway(string id) : IStoreGatewayClient
{
    public string Id { get; } = id;

    public bool Down { get; set; }

    /// <summary>Block → its series and samples.</summary>
    public Dictionary<Ulid, List<(Labels Labels, Sample[] Samples)>> Loaded { get; } = [];

    public List<Ulid[]> Calls { get; } = [];

    public IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried)
    {
        lock (Calls)
        {
            Calls.Add([.. blocks.Order()]);
        }

        return new FakeQuerier(this, blocks, queried);
    }

    private sealed class FakeQuerier(FakeStoreGateway owner, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            var merged = new Dictionary<Labels, SortedDictionary<long, double>>();
            foreach (var block in Read())
            {
                foreach (var (labels, samples) in owner.Loaded[block])
                {
                    if (!merged.TryGetValue(labels, out var byT))
                    {
                        byT = [];
                        merged[labels] = byT;
                    }

                    foreach (var s in samples)
                    {
                        byT[s.T] = s.V;
                    }
                }
            }

            foreach (var (labels, byT) in merged.OrderBy(kv => kv.Key))
            {
                yield return new SampleArraySeries(labels, [.. byT.Select(kv => new Sample(kv.Key, kv.Value))]);
            }
        }

        public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return [.. Read().SelectMany(b => owner.Loaded[b]).Select(s => s.Labels.ToString()).Distinct().Order(StringComparer.Ordinal)];
        }

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            LabelNamesAsync(matchers, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        /// <summary>The requested blocks this store-gateway has, recorded as read; throws when it is down.</summary>
        private List<Ulid> Read()
        {
            if (owner.Down)
            {
                throw new IOException($"{owner.Id} is down");
            }

            var read = blocks.Where(owner.Loaded.ContainsKey).Order().ToList();
            foreach (var b in read)
            {
                queried.Add(b);
            }

            return read;
        }
    }
}
