using Google.Protobuf;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Cluster.Tests.Engine.Postgres;
using MetricsCluster.Cluster.Tests.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Engine;

/// <summary>
/// Ring descriptors in a <see cref="IRingGrain"/> on real silos, through <see cref="GrainRingStore"/>: compare-and-swap
/// lets exactly one of two writers of a version win, versions count writes one by one, a read with the known version
/// carries no bytes, and the descriptor survives its silo restarting (grain state in PostgreSQL).
/// </summary>
[Collection(EngineSiloCollection.Name)]
public sealed class GrainRingStoreTests(PostgresEngineFixture pg)
{
    [Fact]
    public async Task Compare_and_swap_lets_one_of_two_writers_win_and_counts_versions_by_one()
    {
        string db = await pg.Server.CreateDatabaseAsync();
        await using EngineSilo a = await EngineSilo.StartAsync(db, "ing-0");
        await using EngineSilo b = await EngineSilo.StartAsync(db, "ing-1");
        await EngineSilo.WaitUntilAsync(() => a.SeesActive(b) && b.SeesActive(a), "the two silos to see each other");

        IRingGrain fromA = a.Grains.GetGrain<IRingGrain>("ingester");
        IRingGrain fromB = b.Grains.GetGrain<IRingGrain>("ingester");
        RingVersion empty = await fromA.Get(-1);
        Assert.Equal(0, empty.Version);
        Assert.Empty(empty.Desc);

        // Two writers from version 0 at once, from two silos: exactly one wins, the loser is told what is stored.
        byte[] descA = RingDescs.With(null, "writer-a").ToByteArray();
        byte[] descB = RingDescs.With(null, "writer-b").ToByteArray();
        RingCasResult[] results = await Task.WhenAll(fromA.CompareAndSwap(0, descA), fromB.CompareAndSwap(0, descB));
        RingCasResult won = Assert.Single(results, r => r.Written);
        RingCasResult lost = Assert.Single(results, r => !r.Written);
        Assert.Equal(1, won.Current.Version);
        Assert.Equal(1, lost.Current.Version);
        Assert.Equal(won.Current.Desc, lost.Current.Desc);
        Assert.Contains(won.Current.Desc, new[] { descA, descB });

        // A stale version never writes; the current one does, one version up.
        Assert.False((await fromB.CompareAndSwap(0, descB)).Written);
        RingCasResult second = await fromB.CompareAndSwap(1, descB);
        Assert.True(second.Written);
        Assert.Equal(2, second.Current.Version);

        // A read with the version the caller has omits the bytes; any other version gets them.
        RingVersion known = await fromA.Get(2);
        Assert.Equal(2, known.Version);
        Assert.Empty(known.Desc);
        Assert.Equal(descB, (await fromA.Get(1)).Desc);
        Assert.Equal(descB, (await fromA.Get(-1)).Desc);

        // Through the store, two silos' read-modify-write loops interleave without losing an update: 2 x 10
        // increments, every write exactly one version (maxCasAttempts raised: one writer may lose many rounds).
        var storeA = new GrainRingStore(a.Grains, NullLogger<GrainRingStore>.Instance, maxCasAttempts: 100);
        var storeB = new GrainRingStore(b.Grains, NullLogger<GrainRingStore>.Instance, maxCasAttempts: 100);
        async Task WriteAsync(GrainRingStore store, string id)
        {
            for (int i = 0; i < 10; i++)
            {
                await store.CasAsync("ingester", d => RingDescs.Increment(d, id), default);
            }
        }

        await Task.WhenAll(WriteAsync(storeA, "a"), WriteAsync(storeB, "b"));
        VersionedRingDesc? after = await storeB.GetAsync("ingester", default);
        Assert.NotNull(after);
        Assert.Equal(22, after.Version);
        Assert.Equal(20, after.Desc.Instances["counter"].RegisteredTimestamp);
        Assert.Contains("a", after.Desc.Instances.Keys);
        Assert.Contains("b", after.Desc.Instances.Keys);
        Assert.Contains("writer-b", after.Desc.Instances.Keys);
    }

    [Fact]
    public async Task The_descriptor_survives_its_silo_restarting()
    {
        string db = await pg.Server.CreateDatabaseAsync();
        EngineSilo? silo = await EngineSilo.StartAsync(db, "ing-0");
        RingDesc written;
        try
        {
            var store = new GrainRingStore(silo.Grains, NullLogger<GrainRingStore>.Instance);
            Assert.Null(await store.GetAsync("ingester", default));
            await store.CasAsync("ingester", d => RingDescs.With(d, "ing-0"), default);
            VersionedRingDesc? v = await store.CasAsync("ingester", d => RingDescs.With(d, "ing-1", registered: 7), default);
            Assert.Equal(2, v!.Version);
            written = v.Desc;
        }
        finally
        {
            await silo.DisposeAsync();
        }

        // A new silo of the same name (new port, new generation) activates the grain from PostgreSQL.
        await using EngineSilo again = await EngineSilo.StartAsync(db, "ing-0");
        var after = new GrainRingStore(again.Grains, NullLogger<GrainRingStore>.Instance);
        VersionedRingDesc? read = await after.GetAsync("ingester", default);
        Assert.NotNull(read);
        Assert.Equal(2, read.Version);
        Assert.Equal(written, read.Desc);
        Assert.Empty((await again.Grains.GetGrain<IRingGrain>("ingester").Get(2)).Desc);

        VersionedRingDesc? next = await after.CasAsync("ingester", d => RingDescs.With(d, "ing-2"), default);
        Assert.Equal(3, next!.Version);
        Assert.Equal(["ing-0", "ing-1", "ing-2"], next.Desc.Instances.Keys.Order());
    }
}
