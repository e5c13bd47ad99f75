using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

public sealed class RingClientTests
{
    private static readonly RingOptions s_options = new() { RefreshSlack = TimeSpan.FromSeconds(15) };

    private static RingDesc OneInstance(DateTimeOffset heartbeat)
    {
        var desc = new RingDesc();
        var i = new InstanceDesc { Id = "a", Addr = "a:1", State = InstanceState.Active, HeartbeatTimestamp = heartbeat.ToUnixTimeMilliseconds() };
        i.Tokens.Add(100);
        desc.Instances["a"] = i;
        return desc;
    }

    [Fact]
    public async Task Follows_the_store_and_is_ready_on_an_empty_store()
    {
        var store = new MemoryRingStore();
        using var client = new RingClient(store, s_options, TimeProvider.System, NullLogger<RingClient>.Instance);
        await client.StartAsync(default);
        await client.WaitForRingAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Empty(client.Instances);
        Assert.Throws<RingUnavailableException>(() => client.Get(1, RingOperation.Write));

        await store.CasAsync("ingester", _ => OneInstance(DateTimeOffset.UtcNow), default);
        await Eventually.TrueAsync(() => client.Instances.Count == 1, "the new instance");
        Assert.Equal(["a"], client.Get(1, RingOperation.Write).Instances.Select(i => i.Id));
        Assert.True(client.StoreReachable);

        // Other rings' keys are not mixed in.
        await store.CasAsync("store-gateway", _ => new RingDesc(), default);
        Assert.Single(client.Instances);
        await client.StopAsync(default);
    }

    [Fact]
    public async Task Health_reference_freezes_while_the_store_is_unreachable_and_catches_up_after()
    {
        var clock = new ManualTimeProvider();
        DateTimeOffset t0 = clock.GetUtcNow();
        var store = new ScriptedWatchStore();
        using var client = new RingClient(store, s_options, clock, NullLogger<RingClient>.Instance);
        await client.StartAsync(default);

        RingDesc ring = OneInstance(t0);
        store.Push(ring, 1);
        await client.WaitForRingAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        InstanceDesc a = client.Instances["a"];
        Assert.True(client.IsHealthy(a, RingOperation.Write));

        // Two minutes without any answer from the store: nobody could heartbeat, so nobody is judged on it.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False(client.StoreReachable);
        Assert.Equal(t0 + s_options.RefreshSlack, client.HealthReferenceTime);
        Assert.True(client.IsHealthy(a, RingOperation.Write));
        Assert.Single(client.Get(50, RingOperation.Write).Instances);
        Assert.Single(client.GetReplicationSetForOperation(RingOperation.Read).Instances);

        // A snapshot judged against "now" (what a client without the rule would do) calls it dead.
        Assert.False(new RingSnapshot(ring, s_options, clock.GetUtcNow()).IsHealthy(a, RingOperation.Write));

        // The store answers again, but a's heartbeat is still the old one: the reference catches up at twice real
        // time from t0+15s, so a stays healthy for 22.5s after recovery (time to heartbeat) and then is judged.
        await RefreshAsync(store, client, clock, ring);
        Assert.True(client.StoreReachable);
        Assert.True(client.IsHealthy(a, RingOperation.Write));
        for (int i = 0; i < 2; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            await RefreshAsync(store, client, clock, ring);
        }

        Assert.True(client.IsHealthy(a, RingOperation.Write), $"reference {client.HealthReferenceTime} after 20s");
        clock.Advance(TimeSpan.FromSeconds(10));
        await RefreshAsync(store, client, clock, ring);
        Assert.False(client.IsHealthy(a, RingOperation.Write), $"reference {client.HealthReferenceTime} after 30s");
        Assert.Throws<RingUnavailableException>(() => client.Get(50, RingOperation.Write));

        // With the store answering, the reference reaches "now" 105s after recovery (15s + 2x = x) and stays there.
        for (int i = 0; i < 9; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            await RefreshAsync(store, client, clock, ring);
            Assert.Equal(i >= 7, clock.GetUtcNow() == client.HealthReferenceTime);
        }

        // And a fresh heartbeat makes the instance healthy at once.
        store.Push(OneInstance(clock.GetUtcNow()), 2);
        await Eventually.TrueAsync(() => client.IsHealthy(client.Instances["a"], RingOperation.Write), "the fresh heartbeat");
        await client.StopAsync(default);
    }

    private static async Task RefreshAsync(ScriptedWatchStore store, RingClient client, ManualTimeProvider clock, RingDesc ring)
    {
        store.Push(ring, 1);
        await Eventually.TrueAsync(() => client.LastRefresh == clock.GetUtcNow(), "the refresh");
    }
}
