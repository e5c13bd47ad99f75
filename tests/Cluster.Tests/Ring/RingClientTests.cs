using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

public sealed class RingClientTests
{
    private static readonly RingOptions s_options = new() { RefreshSlack = TimeSpan.FromSeconds(15) };

    private static RingDesc OneInstance()
    {
        var desc = new RingDesc();
        var i = new InstanceDesc { Id = "a", Addr = "a:1", State = InstanceState.Active };
        i.Tokens.Add(100);
        desc.Instances["a"] = i;
        return desc;
    }

    [Fact]
    public async Task Follows_the_store_and_is_ready_on_an_empty_store()
    {
        var store = new MemoryRingStore();
        using var client = new RingClient(store, new FakeLiveness(), s_options, TimeProvider.System, NullLogger<RingClient>.Instance);
        await client.StartAsync(default);
        await client.WaitForRingAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Empty(client.Instances);
        Assert.Throws<RingUnavailableException>(() => client.Get(1, RingOperation.Write));

        await store.CasAsync("ingester", _ => OneInstance(), default);
        await Eventually.TrueAsync(() => client.Instances.Count == 1, "the new instance");
        Assert.Equal(["a"], client.Get(1, RingOperation.Write).Instances.Select(i => i.Id));
        Assert.True(client.StoreReachable);

        // Other rings' keys are not mixed in.
        await store.CasAsync("store-gateway", _ => new RingDesc(), default);
        Assert.Single(client.Instances);
        await client.StopAsync(default);
    }

    [Fact]
    public async Task A_store_outage_alone_leaves_health_to_liveness()
    {
        var clock = new ManualTimeProvider();
        var store = new ScriptedWatchStore();
        var liveness = new FakeLiveness();
        using var client = new RingClient(store, liveness, s_options, clock, NullLogger<RingClient>.Instance);
        Assert.Same(liveness, client.Liveness);
        await client.StartAsync(default);

        store.Push(OneInstance(), 1);
        await client.WaitForRingAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        await Eventually.TrueAsync(() => client.Instances.Count == 1, "the instance");
        InstanceDesc a = client.Instances["a"];
        Assert.True(client.IsHealthy(a, RingOperation.Write));
        Assert.True(client.StoreReachable);

        // Two minutes without any answer from the store: the page says so, but the instance stays healthy.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False(client.StoreReachable);
        Assert.True(client.IsHealthy(a, RingOperation.Write));
        Assert.Single(client.Get(50, RingOperation.Write).Instances);
        Assert.Single(client.GetReplicationSetForOperation(RingOperation.Read).Instances);

        // Membership, not the store, decides: a's process dies and comes back while the store is still silent.
        liveness.Kill("a");
        Assert.False(client.IsHealthy(client.Instances["a"], RingOperation.Write));
        Assert.Throws<RingUnavailableException>(() => client.Get(50, RingOperation.Write));
        Assert.Throws<RingUnavailableException>(() => client.GetReplicationSetForOperation(RingOperation.Read));

        liveness.Revive("a");
        Assert.True(client.IsHealthy(client.Instances["a"], RingOperation.Write));
        Assert.Single(client.Get(50, RingOperation.Write).Instances);

        // The store answering again is seen as reachable, with nothing else changed.
        store.Push(OneInstance(), 1);
        await Eventually.TrueAsync(() => client.LastRefresh == clock.GetUtcNow(), "the refresh");
        Assert.True(client.StoreReachable);
        await client.StopAsync(default);
    }
}
