using System.Runtime.CompilerServices;
using MetricsCluster.Cluster.Rpc;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Rpc;

public sealed class StoreGatewayRpcTests
{
    [Fact]
    public async Task Select_returns_every_sample_and_records_the_queried_blocks()
    {
        var blocks = new[] { Ulid.New(1_000), Ulid.New(2_000), Ulid.New(3_000) };
        var stores = new FakeStoreGateway
        {
            Series =
            [
                new ListSeries(Labels.FromStrings("__name__", "a"), [.. Enumerable.Range(0, 300).Select(i => ((long)i * 10, (double)i))]),
                new ListSeries(Labels.FromStrings("__name__", "b"), [(5, BitConverter.Int64BitsToDouble(0x7ff0000000000002)), (6, -1)]),
                new ListSeries(Labels.FromStrings("__name__", "c"), []),
            ],
        };
        await using var server = await RpcTestServer.StartAsync(app => app.MapStoreGatewayRpc(stores));
        var client = new RemoteStoreGatewayClient(server.Pool, server.Address);
        var queried = new QueriedBlocks();

        var got = new List<(string Name, List<(long, long)> Samples)>();
        await using (var q = client.Querier("team-a", 0, 10_000, new HashSet<Ulid>(blocks[..2]), queried))
        {
            await foreach (var s in q.SelectAsync(true, new SelectHints(0, 10_000, 15, "rate"), [new Matcher(MatcherType.Regex, "__name__", "a|b|c")], CancellationToken.None))
            {
                var it = s.Iterator(null);
                var samples = new List<(long, long)>();
                while (it.Next())
                {
                    samples.Add((it.T, BitConverter.DoubleToInt64Bits(it.V)));
                }

                Assert.Null(it.Error);
                got.Add((s.Labels.Get("__name__"), samples));
            }
        }

        Assert.Equal(["a", "b", "c"], got.Select(g => g.Name));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(stores.Series[i].Samples.Select(x => (x.T, BitConverter.DoubleToInt64Bits(x.V))), got[i].Samples);
        }

        // The fake reads exactly the blocks it was asked for; the client learns them from the end frame.
        Assert.Equal(blocks[..2].Order(), queried.Ids.Order());
        Assert.Equal(("team-a", 0L, 10_000L, true, "rate"), (stores.LastTenant, stores.LastMint, stores.LastMaxt, stores.LastSorted, stores.LastHints!.Func));
        Assert.Equal(15, stores.LastHints.Step);
    }

    [Fact]
    public async Task Samples_outside_the_querier_range_are_clipped_by_the_client()
    {
        var stores = new FakeStoreGateway { Series = [new ListSeries(Labels.FromStrings("__name__", "a"), [.. Enumerable.Range(0, 300).Select(i => ((long)i * 10, (double)i))])] };
        await using var server = await RpcTestServer.StartAsync(app => app.MapStoreGatewayRpc(stores));
        var client = new RemoteStoreGatewayClient(server.Pool, server.Address);

        var ts = new List<long>();
        await using var q = client.Querier("t", 1185, 1250, new HashSet<Ulid>(), new QueriedBlocks());
        await foreach (var s in q.SelectAsync(false, null, [], CancellationToken.None))
        {
            var it = s.Iterator(null);
            while (it.Next())
            {
                ts.Add(it.T);
            }
        }

        // The range straddles the boundary between the first two chunks (120 samples each: t ≤ 1190, then t ≥ 1200).
        Assert.Equal([1190L, 1200L, 1210, 1220, 1230, 1240, 1250], ts);
        Assert.Null(stores.LastHints);
    }

    [Fact]
    public void Series_are_cut_into_chunks_of_at_most_120_samples()
    {
        var series = new ListSeries(Labels.FromStrings("__name__", "a"), [.. Enumerable.Range(0, 250).Select(i => ((long)i, (double)i))]);
        var wire = StoreGatewayRpcService.Encode(series.Labels, series.Iterator(null));
        Assert.Equal([120, 120, 10], wire.Chunks.Select(c => (int)(c.Data.Span[0] << 8 | c.Data.Span[1])));
        Assert.Equal([0L, 120, 240], wire.Chunks.Select(c => c.MinTime));
        Assert.Equal([119L, 239, 249], wire.Chunks.Select(c => c.MaxTime));
    }

    [Fact]
    public async Task Label_names_and_values_record_the_queried_blocks()
    {
        var block = Ulid.New(5_000);
        var stores = new FakeStoreGateway { Series = [new ListSeries(Labels.FromStrings("__name__", "a", "env", "prod"), [])] };
        await using var server = await RpcTestServer.StartAsync(app => app.MapStoreGatewayRpc(stores));
        var client = new RemoteStoreGatewayClient(server.Pool, server.Address);
        var queried = new QueriedBlocks();

        await using var q = client.Querier("t", 0, 1, new HashSet<Ulid> { block }, queried);
        Assert.Equal(["__name__", "env"], await q.LabelNamesAsync([], CancellationToken.None));
        Assert.Equal(["prod"], await q.LabelValuesAsync("env", [Matcher.Eq("__name__", "a")], CancellationToken.None));
        Assert.Equal([block], queried.Ids);
    }
}

/// <summary>A series over a sample list.</summary>
internal sealed class ListSeries(Labels labels, (long T, double V)[] samples) : ISeries
{
    public Labels Labels => labels;

    public (long T, double V)[] Samples => samples;

    public SampleIterator Iterator(SampleIterator? reuse) => new It(samples);

    private sealed class It((long T, double V)[] samples) : SampleIterator
    {
        private int _i = -1;

        public override long T => samples[_i].T;

        public override double V => samples[_i].V;

        public override bool Next() => ++_i < samples.Length;
    }
}

/// <summary>A store-gateway over fixed series that "reads" exactly the blocks it is asked for.</summary>
internal sealed class FakeStoreGateway : IStoreGatewayClient
{
    public List<ListSeries> Series { get; set; } = [];

    public string? LastTenant { get; private set; }

    public long LastMint { get; private set; }

    public long LastMaxt { get; private set; }

    public bool LastSorted { get; private set; }

    public SelectHints? LastHints { get; private set; }

    public IQuerier Querier(string tenant, long mint, long maxt, IReadOnlySet<Ulid> blocks, QueriedBlocks queried)
    {
        (LastTenant, LastMint, LastMaxt) = (tenant, mint, maxt);
        return new Q(this, blocks, queried);
    }

    private sealed class Q(FakeStoreGateway owner, IReadOnlySet<Ulid> blocks, QueriedBlocks queried) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            (owner.LastSorted, owner.LastHints) = (sorted, hints);
            foreach (var s in owner.Series.Where(s => matchers.All(m => m.Matches(s.Labels))))
            {
                await Task.Yield();
                yield return s;
            }

            MarkRead();
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            MarkRead();
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var s in owner.Series.Where(s => matchers.All(m => m.Matches(s.Labels))))
            {
                foreach (var l in s.Labels)
                {
                    names.Add(System.Text.Encoding.UTF8.GetString(l.Name));
                }
            }

            return ValueTask.FromResult<IReadOnlyList<string>>([.. names]);
        }

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
        {
            MarkRead();
            return ValueTask.FromResult<IReadOnlyList<string>>([.. owner.Series.Where(s => matchers.All(m => m.Matches(s.Labels))).Select(s => s.Labels.Get(name)).Distinct().Order(StringComparer.Ordinal)]);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private void MarkRead()
        {
            foreach (var b in blocks)
            {
                queried.Add(b);
            }
        }
    }
}
