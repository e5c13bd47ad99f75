using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Chunks;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Replication;

public sealed class ReplicatedIngesterClientTests
{
    private const string Tenant = "team-a";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Push_sends_each_series_with_exactly_its_samples_to_exactly_its_replication_set()
    {
        var (ring, ingesters, client) = Create(5);
        using var batch = Batch(60, i => i % 4 + 1);

        var result = await client.PushAsync(Tenant, batch, CancellationToken.None).AsTask().WaitAsync(s_timeout);
        await WaitUntil(() => ingesters.All(i => i.Pushes == 1));

        Assert.Equal(batch.SampleCount, result.Accepted);
        Assert.Empty(result.RejectedByReason);
        ulong seed = ShardKey.TenantSeed(Tenant);
        foreach (var ingester in ingesters)
        {
            var expected = Enumerable.Range(0, batch.SeriesCount)
                .Where(i => ring.Owns(ShardKey.ForSeries(seed, batch.Series[i].Hash), ingester.Id))
                .ToDictionary(i => Labels.FromEncoded(batch.LabelsOf(i)), i => Samples(batch, i));
            var got = ingester.Data.GetValueOrDefault(Tenant) ?? [];
            Assert.Equal(expected.Keys.Order(), got.Keys.Order());
            Assert.All(expected, e => Assert.Equal(e.Value, got[e.Key].Select(kv => (kv.Key, kv.Value))));
        }

        // Every series went to 3 ingesters: the caller's batch was only read.
        Assert.Equal(3 * 60, ingesters.Sum(i => i.Data[Tenant].Count));
        Assert.Equal(60, batch.SeriesCount);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public async Task Push_on_3_ingesters_survives_one_down_and_fails_with_two(int down, bool fails)
    {
        var (_, ingesters, client) = Create(3);
        foreach (var i in ingesters.Take(down))
        {
            i.Down = true;
        }

        using var batch = Batch(10, _ => 2);
        var push = client.PushAsync(Tenant, batch, CancellationToken.None).AsTask();

        if (fails)
        {
            var e = await Assert.ThrowsAsync<QuorumException>(() => push.WaitAsync(s_timeout));
            Assert.True(e.Retryable);
        }
        else
        {
            Assert.Equal(20, (await push.WaitAsync(s_timeout)).Accepted);
        }
    }

    [Fact]
    public async Task Push_merges_the_replicas_rejections_without_counting_them_once_per_replica()
    {
        var (_, ingesters, client) = Create(3);
        using var batch = new PushBatch();
        AddSeries(batch, Labels.FromStrings("__name__", "a"), [-2, -1, 1, 2, 3]);
        AddSeries(batch, Labels.FromStrings("__name__", "b"), [-5, 7]);

        var result = await client.PushAsync(Tenant, batch, CancellationToken.None).AsTask().WaitAsync(s_timeout);

        Assert.Equal(3, result.RejectedByReason[FakeIngester.TooOld]);
        Assert.Equal(4, result.Accepted);
        Assert.Equal(FakeIngester.TooOld, result.FirstError!.Id);
        Assert.Contains("sample too old", result.FirstError.Message, StringComparison.Ordinal);
        Assert.All(ingesters, i => Assert.Equal(2, i.Data[Tenant].Count));
    }

    [Fact]
    public async Task A_straggler_gets_its_own_batch_keeps_running_after_the_quorum_and_its_batch_is_disposed_when_it_ends()
    {
        var (_, ingesters, client) = Create(3);
        ingesters[2].Hold();
        using var batch = Batch(5, _ => 3);

        var result = await client.PushAsync(Tenant, batch, CancellationToken.None).AsTask().WaitAsync(s_timeout);

        Assert.Equal(15, result.Accepted);
        await WaitUntil(() => ingesters[2].HeldBatches.Count == 1);
        var held = ingesters[2].HeldBatches[0];
        Assert.NotSame(batch, held);
        Assert.Equal(5, held.SeriesCount);
        Assert.False(ingesters[2].LastPushToken.CanBeCanceled);

        ingesters[2].Release();
        await WaitUntil(() => ingesters[2].Data.ContainsKey(Tenant) && held.SeriesCount == 0);
        Assert.Equal(5, ingesters[2].Data[Tenant].Count);
    }

    [Fact]
    public async Task Metadata_goes_to_the_replication_set_of_its_family()
    {
        var (ring, ingesters, client) = Create(5);
        using var batch = new PushBatch();
        var meta = new MetricMetadata("http_requests_total", MetricType.Counter, "Requests.", string.Empty);
        batch.Metadata.Add(meta);

        await client.PushAsync(Tenant, batch, CancellationToken.None).AsTask().WaitAsync(s_timeout);
        await WaitUntil(() => ingesters.Sum(i => i.Metadata.Count) == 3);

        uint key = ShardKey.ForSeries(ShardKey.TenantSeed(Tenant), XxHash64.Hash("http_requests_total"u8));
        Assert.All(ingesters, i => Assert.Equal(ring.Owns(key, i.Id) ? [meta] : [], i.Metadata));
        Assert.Equal([meta], await client.MetadataAsync(Tenant, null, 0, CancellationToken.None));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public async Task Select_with_one_replica_down_returns_every_sample_and_fails_with_two(int down, bool fails)
    {
        var (_, ingesters, client) = Create(3);
        using var batch = Batch(20, i => i + 1);
        await client.PushAsync(Tenant, batch, CancellationToken.None).AsTask().WaitAsync(s_timeout);
        await WaitUntil(() => ingesters.All(i => i.Pushes == 1));
        foreach (var i in ingesters.Take(down))
        {
            i.Down = true;
        }

        if (fails)
        {
            await Assert.ThrowsAsync<QuorumException>(() => ReadAllAsync(client));
            return;
        }

        var got = await ReadAllAsync(client);
        Assert.Equal(20, got.Count);
        for (int i = 0; i < batch.SeriesCount; i++)
        {
            Assert.Equal(Samples(batch, i), got[Labels.FromEncoded(batch.LabelsOf(i))]);
        }
    }

    [Fact]
    public async Task Replicas_with_complementary_gaps_merge_to_the_exact_sample_set()
    {
        var (_, ingesters, client) = Create(3);
        var up = Labels.FromStrings("__name__", "up", "job", "a");
        var down = Labels.FromStrings("__name__", "up", "job", "b");
        ingesters[0].Put(Tenant, up, [1000, 2000, 3000, 7000, 8000]);
        ingesters[1].Put(Tenant, up, [3000, 4000, 5000, 6000, 8000, 9000]);
        ingesters[1].Put(Tenant, down, [1000]);
        ingesters[2].Down = true;

        var series = await SelectAsync(client);

        Assert.Equal([up, down], series.Select(s => s.Labels));
        var chunks = series[0].Chunks;
        Assert.Equal(chunks.OrderBy(c => c.MinTime).Select(c => c.MinTime), chunks.Select(c => c.MinTime));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => i * 1000L), Decode(chunks).Select(s => s.T).Distinct().Order());
    }

    [Fact]
    public async Task Identical_chunks_of_replicas_are_kept_once()
    {
        var (_, ingesters, client) = Create(3);
        var up = Labels.FromStrings("__name__", "up");
        foreach (var i in ingesters)
        {
            i.Put(Tenant, up, [1000, 2000, 3000, 4000, 5000]);
        }

        var series = Assert.Single(await SelectAsync(client));

        // 5 samples, 4 per chunk: two chunks, each once although three replicas sent them.
        Assert.Equal(2, series.Chunks.Count);
        Assert.Equal([1000L, 2000, 3000, 4000, 5000], Decode(series.Chunks).Select(s => s.T));
    }

    [Fact]
    public async Task Label_names_and_values_are_the_sorted_union_and_stats_are_divided_by_RF()
    {
        var (_, ingesters, client) = Create(3);
        // Each name on two of the three, as a write acknowledged by a quorum is: a read answers once any two did.
        ingesters[0].Names.AddRange(["job", "__name__"]);
        ingesters[1].Names.AddRange(["instance", "job"]);
        ingesters[2].Names.AddRange(["__name__", "instance"]);
        using var batch = Batch(6, _ => 5);
        await client.PushAsync(Tenant, batch, CancellationToken.None).AsTask().WaitAsync(s_timeout);
        await WaitUntil(() => ingesters.All(i => i.Pushes == 1));

        Assert.Equal(["__name__", "instance", "job"], await client.LabelNamesAsync(Tenant, 0, 1, [], CancellationToken.None));
        Assert.Equal(["x=__name__", "x=instance", "x=job"], await client.LabelValuesAsync(Tenant, "x", 0, 1, [], CancellationToken.None));

        // Each ingester holds the 6 series (RF 3 on 3 ingesters) and reports 10/s per series.
        Assert.Equal(new UserStats(6, 60, 30), await client.UserStatsAsync(Tenant, CancellationToken.None));
        Assert.Equal([new TenantUserStats(Tenant, new UserStats(6, 60, 30))], await client.AllUserStatsAsync(CancellationToken.None));
    }

    private static (FakeRing Ring, List<FakeIngester> Ingesters, ReplicatedIngesterClient Client) Create(int n)
    {
        var ring = FakeRing.Of(n);
        var ingesters = ring.List.Select(i => new FakeIngester(i.Id)).ToList();
        var client = new ReplicatedIngesterClient(ring, i => ingesters.Single(f => f.Id == i.Id), NullLogger<ReplicatedIngesterClient>.Instance);
        return (ring, ingesters, client);
    }

    /// <summary>A batch of <paramref name="series"/> series; series i has <paramref name="samples"/>(i) samples.</summary>
    private static PushBatch Batch(int series, Func<int, int> samples)
    {
        var batch = new PushBatch();
        for (int i = 0; i < series; i++)
        {
            AddSeries(batch, Labels.FromStrings("__name__", "m", "i", i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)), [.. Enumerable.Range(1, samples(i)).Select(s => (long)s * 1000)]);
        }

        return batch;
    }

    private static void AddSeries(PushBatch batch, Labels labels, long[] ts)
    {
        batch.AddSeries(labels.Bytes, labels.Hash);
        foreach (long t in ts)
        {
            batch.AddSample(t, t / 1000.0);
        }
    }

    private static List<(long, double)> Samples(PushBatch batch, int i)
    {
        var e = batch.Series[i];
        return [.. Enumerable.Range(e.FirstSample, e.SampleCount).Select(s => (batch.Timestamps[s], batch.Values[s]))];
    }

    private static async Task<List<ChunkSeries>> SelectAsync(ReplicatedIngesterClient client)
    {
        var list = new List<ChunkSeries>();
        await foreach (var s in client.SelectAsync(Tenant, 0, long.MaxValue, false, [], CancellationToken.None).WithCancellation(CancellationToken.None))
        {
            list.Add(s);
        }

        Assert.Equal(list.OrderBy(s => s.Labels).Select(s => s.Labels), list.Select(s => s.Labels));
        return list;
    }

    /// <summary>Every series with its samples, decoded from all its chunks with duplicates removed.</summary>
    private static async Task<Dictionary<Labels, List<(long, double)>>> ReadAllAsync(ReplicatedIngesterClient client) =>
        (await SelectAsync(client).WaitAsync(s_timeout)).ToDictionary(s => s.Labels, s => Decode(s.Chunks).DistinctBy(x => x.T).Select(x => (x.T, x.V)).ToList());

    private static List<(long T, double V)> Decode(IEnumerable<EncodedChunk> chunks)
    {
        var all = new List<(long T, double V)>();
        var it = new XorIterator();
        foreach (var c in chunks)
        {
            it.Reset(c.Data);
            while (it.Next())
            {
                all.Add((it.T, it.V));
            }

            Assert.Null(it.Error);
        }

        return [.. all.OrderBy(s => s.T)];
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
