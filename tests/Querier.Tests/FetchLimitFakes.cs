using System.Runtime.CompilerServices;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Querier.Tests;

/// <summary>Series of one sample a minute over a time range, as real XOR chunks of 120 samples.</summary>
internal static class FetchLimitData
{
    public static IReadOnlyList<EncodedChunk> Chunks(long from, long to, long mint, long maxt)
    {
        var times = new List<long>();
        for (long t = Math.Max(from, mint) / 60_000 * 60_000; t <= Math.Min(to, maxt); t += 60_000)
        {
            if (t >= mint && t >= from)
            {
                times.Add(t);
            }
        }

        var chunks = new List<EncodedChunk>();
        foreach (var part in times.Chunk(XorChunk.MaxSamplesPerChunk))
        {
            var c = new XorChunk();
            foreach (long t in part)
            {
                c.Append(t, t / 60_000);
            }

            chunks.Add(new EncodedChunk(part[0], part[^1], ChunkEncoding.Xor, c.ToArray()));
        }

        return chunks;
    }
}

/// <summary>An ingester holding <see cref="Series"/> over [From, To]; counts what it streamed, to show where a query stopped.</summary>
internal sealed class ChunkIngester(IReadOnlyList<Labels> series, long from, long to) : IIngesterClient
{
    private int _yielded;

    public IReadOnlyList<Labels> Series => series;

    public int Yielded => _yielded;

    public long ChunksYielded { get; private set; }

    public long BytesYielded { get; private set; }

    public ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken) => throw new NotSupportedException();

    public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var l in series.Where(l => matchers.All(m => m.Matches(l))).OrderBy(l => l))
        {
            await Task.Yield();
            var chunks = FetchLimitData.Chunks(from, to, mint, maxt);
            if (chunks.Count == 0)
            {
                continue;
            }

            Interlocked.Increment(ref _yielded);
            ChunksYielded += chunks.Count;
            BytesYielded += chunks.Sum(c => c.Data.Length);
            yield return new ChunkSeries(l, labelsOnly ? [] : chunks);
        }
    }

    public ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([]);

    public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([]);

    public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<MetricMetadata>>([]);
}

/// <summary>A store-gateway answering every block it is asked for with <see cref="ChunkIngester"/>-like series, streamed as encoded chunks (the RPC client's form).</summary>
internal sealed class ChunkStoreGateway(IReadOnlyList<Labels> series, long from, long to) : IStoreGatewayClient
{
    private int _yielded;

    public int Yielded => _yielded;

    public long From => from;

    public long To => to;

    public IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) => new Q(this, mint, maxt, blocks, queried);

    private sealed class Q(ChunkStoreGateway owner, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var l in owner.Series(matchers))
            {
                await Task.Yield();
                var chunks = FetchLimitData.Chunks(owner.From, owner.To, mint, maxt);
                if (chunks.Count > 0)
                {
                    Interlocked.Increment(ref owner._yielded);
                    yield return new EncodedChunkSeries(l, chunks, mint, maxt);
                }
            }

            foreach (var b in blocks)
            {
                queried.Add(b);
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>([]);

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>([]);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private IEnumerable<Labels> Series(IReadOnlyList<Matcher> matchers) => series.Where(l => matchers.All(m => m.Matches(l))).OrderBy(l => l);
}

/// <summary>A ring of fixed ingesters, every one in the read set, one failure tolerated (RF 3).</summary>
internal sealed class FixedRing(params InstanceDesc[] instances) : IReadRing
{
    public int ReplicationFactor => instances.Length;

    public IReadOnlyDictionary<string, InstanceDesc> Instances => instances.ToDictionary(i => i.Id);

    public ReplicationSet Get(uint key, RingOperation operation) => new(instances, 1, 0);

    public ReplicationSet GetReplicationSetForOperation(RingOperation operation) => new(instances, 1, 0);

    public bool IsHealthy(InstanceDesc instance, RingOperation operation) => true;

    public static InstanceDesc Instance(string id) => new() { Id = id, Addr = id + ":9095", State = InstanceState.Active };
}
