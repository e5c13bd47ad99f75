using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Replication;

public sealed class ShardedStoreGatewayClientTests
{
    private static readonly Labels s_up = Labels.FromStrings("__name__", "up");
    private static readonly Labels s_down = Labels.FromStrings("__name__", "down");

    private readonly Dictionary<string, FakeStoreGateway> _gateways = new[] { "a", "b", "c", "d" }.ToDictionary(id => id, id => new FakeStoreGateway(id));
    private readonly Dictionary<uint, ReplicationSet> _sets = [];
    private readonly ShardedStoreGatewayClient _client;

    public ShardedStoreGatewayClientTests()
    {
        var ring = new FakeRing([.. _gateways.Keys.Select(id => FakeRing.Instance(id))])
        {
            SetFor = key => _sets.TryGetValue(key, out var s) ? s : throw new RingUnavailableException("no set"),
        };
        _client = new ShardedStoreGatewayClient(ring, i => _gateways[i.Id], NullLogger<ShardedStoreGatewayClient>.Instance);
    }

    [Fact]
    public async Task A_block_the_first_replica_did_not_load_is_read_from_the_second()
    {
        var x = Block(1, ["a", "b", "c"]);
        _gateways["b"].Loaded[x] = [(s_up, Samples(0, 5))];

        var (series, queried) = await SelectAsync(x);

        Assert.Equal([x], queried);
        Assert.Equal([[x]], _gateways["a"].Calls);
        Assert.Equal([[x]], _gateways["b"].Calls);
        Assert.Empty(_gateways["c"].Calls);
        Assert.Equal([Render(s_up, Samples(0, 5))], series);
    }

    [Fact]
    public async Task A_block_read_nowhere_is_tried_on_three_replicas_then_left_unrecorded()
    {
        var y = Block(2, ["a", "b", "c", "d"]);
        _gateways["a"].Down = true;
        _gateways["d"].Loaded[y] = [(s_up, Samples(0, 5))];

        var (series, queried) = await SelectAsync(y);

        Assert.Empty(queried);
        Assert.Empty(series);
        Assert.All(["a", "b", "c"], id => Assert.Equal([[y]], _gateways[id].Calls));
        Assert.Empty(_gateways["d"].Calls);
    }

    [Fact]
    public async Task Blocks_spread_over_instances_merge_into_one_sorted_answer_and_a_failed_instance_is_retried_elsewhere()
    {
        var x = Block(1, ["a", "b", "c"]);
        var z = Block(3, ["c", "a", "b"]);
        var w = Block(4, ["d", "b", "a"]);
        _gateways["a"].Loaded[x] = [(s_up, Samples(0, 5))];
        _gateways["c"].Loaded[z] = [(s_up, Samples(5, 5)), (s_down, Samples(0, 2))];
        _gateways["d"].Down = true;
        _gateways["d"].Loaded[w] = [(s_up, Samples(100, 1))];
        _gateways["b"].Loaded[w] = [(s_up, Samples(10, 3))];

        var (series, queried) = await SelectAsync(x, z, w);

        Assert.Equal([x, z, w], queried.OrderBy(id => id == x ? 0 : id == z ? 1 : 2));
        Assert.Equal([Render(s_down, Samples(0, 2)), Render(s_up, Samples(0, 13))], series);
        Assert.Equal([[w]], _gateways["b"].Calls);
        Assert.Equal([[w]], _gateways["d"].Calls);
    }

    [Fact]
    public async Task Label_names_are_the_sorted_union_over_instances()
    {
        var x = Block(1, ["a", "b"]);
        var z = Block(3, ["b", "a"]);
        _gateways["a"].Loaded[x] = [(s_up, Samples(0, 1))];
        _gateways["b"].Loaded[z] = [(s_down, Samples(0, 1)), (s_up, Samples(1, 1))];
        var queried = new QueriedBlocks();

        await using var q = _client.Querier("t", 0, 100, new HashSet<Ulid> { x, z }, queried);

        Assert.Equal([s_down.ToString(), s_up.ToString()], await q.LabelNamesAsync([], CancellationToken.None));
        Assert.Equal(2, queried.Ids.Count);
    }

    private Ulid Block(int seed, string[] set)
    {
        var id = Ulid.New(1_700_000_000_000 + seed, new Random(seed));
        _sets[BlockShardKey.Of(id)] = new ReplicationSet([.. set.Select(s => FakeRing.Instance(s))], 0, 0);
        return id;
    }

    private static string Render(Labels labels, Sample[] samples) => $"{labels} {string.Join(",", samples.Select(x => $"{x.T}={x.V}"))}";

    private static string Series(ISeries s)
    {
        var list = new List<Sample>();
        var it = s.Iterator(null);
        while (it.Next())
        {
            list.Add(new Sample(it.T, it.V));
        }

        return Render(s.Labels, [.. list]);
    }

    private static Sample[] Samples(int from, int count) => [.. Enumerable.Range(from, count).Select(i => new Sample(i * 1000L, i))];

    private async Task<(List<string> Series, List<Ulid> Queried)> SelectAsync(params Ulid[] blocks)
    {
        var queried = new QueriedBlocks();
        var series = new List<string>();
        await using (var q = _client.Querier("t", 0, long.MaxValue, blocks.ToHashSet(), queried))
        {
            await foreach (var s in q.SelectAsync(true, null, [], CancellationToken.None))
            {
                series.Add(Series(s));
            }
        }

        return (series, [.. queried.Ids]);
    }
}
