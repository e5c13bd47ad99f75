using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Cluster.Tests.Engine.Postgres;
using MetricsCluster.Cluster.Tests.Payload;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Cluster.Tests.Engine;

/// <summary>
/// The distributor's <see cref="ReplicatedIngesterClient"/> over three silos' ingester grains, RF 3, on a ring whose
/// health is Orleans membership (<see cref="MembershipLiveness"/>): with one silo stopped, pushes still reach quorum,
/// both before membership has declared it dead (its replica fails fast) and after (the ring skips it).
/// </summary>
[Collection(EngineSiloCollection.Name)]
public sealed class ReplicatedPushOverGrainsTests(PostgresEngineFixture pg, ITestOutputHelper output)
{
    private const int Series = 30;

    [Fact]
    public async Task Pushes_succeed_at_quorum_with_one_of_three_silos_stopped()
    {
        string db = await pg.Server.CreateDatabaseAsync();
        await using EngineSilo ing0 = await EngineSilo.StartAsync(db, "ing-0");
        await using EngineSilo ing1 = await EngineSilo.StartAsync(db, "ing-1");
        await using EngineSilo ing2 = await EngineSilo.StartAsync(db, "ing-2");
        await EngineSilo.WaitUntilAsync(() => ing0.SeesActive(ing1) && ing0.SeesActive(ing2), "ing-0 to see both others active");

        var store = new MemoryRingStore();
        await store.CasAsync(
            "ingester",
            _ => Ring.RingBuilder.Desc(
                Ring.RingBuilder.Instance("ing-0", [1u << 30]),
                Ring.RingBuilder.Instance("ing-1", [2u << 30]),
                Ring.RingBuilder.Instance("ing-2", [3u << 30])),
            default);
        using var ring = new RingClient(store, ing0.Liveness, new RingOptions { ReplicationFactor = 3 }, TimeProvider.System, NullLogger<RingClient>.Instance);
        await ring.StartAsync(default);
        await EngineSilo.WaitUntilAsync(() => ring.Instances.Count == 3, "the ring");
        var replicated = Replicated(ring, ing0);

        // The window between a kill and membership declaring the silo dead: a ring that still calls ing-2 alive.
        var unaware = new RingSnapshot((await store.GetAsync("ingester", default))!.Desc, new RingOptions { ReplicationFactor = 3 }, ThisProcessLiveness.Instance);

        try
        {
            // All three up: every series goes to every instance (RF 3 of 3).
            Assert.Equal(2 * Series, (await PushAsync(replicated, 1)).Accepted);
            await EngineSilo.WaitUntilAsync(() => new[] { ing0, ing1, ing2 }.All(s => s.Ingester.Samples().SetEquals(Samples(1))), "every replica to get push 1");

            // ing-2 stops. A ring that has not noticed still sends it its replicas: that call fails fast (the grain
            // cannot be placed) and the push succeeds on the quorum of ing-0 and ing-1.
            await ing2.StopAsync();
            Assert.Equal(2 * Series, (await PushAsync(Replicated(unaware, ing0), 2)).Accepted);

            // Once membership has declared it dead, the ring leaves it out of the replication sets: 2 of 3 slots.
            TimeSpan dead = await EngineSilo.WaitUntilAsync(() => !ing0.Liveness.IsAlive("ing-2"), "ing-0 to see ing-2 dead");
            output.WriteLine($"ing-2 was dead to ing-0's membership {dead.TotalMilliseconds:F0} ms after its push");
            ReplicationSet set = ring.Get(ShardKey.ForSeries(ShardKey.TenantSeed("team-a"), 1), RingOperation.Write);
            Assert.Equal(["ing-0", "ing-1"], set.Instances.Select(i => i.Id).Order());
            Assert.Equal(0, set.MaxErrors);
            Assert.Equal(2 * Series, (await PushAsync(replicated, 3)).Accepted);

            Assert.Equal(Samples(1, 2, 3), ing0.Ingester.Samples());
            Assert.Equal(Samples(1, 2, 3), ing1.Ingester.Samples());
            Assert.Equal(Samples(1), ing2.Ingester.Samples());
        }
        finally
        {
            await ring.StopAsync(default);
        }
    }

    private static ReplicatedIngesterClient Replicated(IReadRing ring, EngineSilo caller) => new(
        ring,
        instance => new GrainIngesterClient(caller.Grains, instance.Id, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)),
        NullLogger<ReplicatedIngesterClient>.Instance);

    private static Labels SeriesLabels(int i) => Labels.FromStrings("__name__", "requests", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // Push n carries, for each series, the samples at n*1000 + {0, 1}.
    private static HashSet<(string, long)> Samples(params int[] pushes) =>
        [.. from n in pushes from i in Enumerable.Range(0, Series) from d in new[] { 0L, 1L } select (Convert.ToHexString(SeriesLabels(i).Bytes), (n * 1000L) + d)];

    private static async Task<PushResult> PushAsync(ReplicatedIngesterClient client, int n)
    {
        using var batch = new PushBatch();
        for (int i = 0; i < Series; i++)
        {
            PushCodecTests.Add(batch, SeriesLabels(i), (n * 1000L, i), ((n * 1000L) + 1, i));
        }

        PushResult result = await client.PushAsync("team-a", batch, default);
        Assert.Empty(result.RejectedByReason);
        return result;
    }
}
