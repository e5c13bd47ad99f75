using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

/// <summary>Lifecyclers, a memory store, a ring client and a liveness source together.</summary>
public sealed class RingIntegrationTests
{
    [Fact]
    public async Task Three_ingesters_register_and_a_dead_one_turns_unhealthy_until_it_comes_back()
    {
        var store = new MemoryRingStore();
        var liveness = new FakeLiveness();
        var lifecyclers = new List<Lifecycler>();
        using var client = new RingClient(store, liveness, new RingOptions(), TimeProvider.System, NullLogger<RingClient>.Instance);
        Lifecycler Create(string id) => new(store, new LifecyclerOptions { InstanceId = id, Addr = id + ":9095" }, TimeProvider.System, NullLogger<Lifecycler>.Instance);
        try
        {
            foreach (string id in new[] { "ingester-1", "ingester-2", "ingester-3" })
            {
                Lifecycler lc = Create(id);
                lifecyclers.Add(lc);
                await lc.StartAsync(InstanceState.Joining, default);
                await lc.ChangeStateAsync(InstanceState.Active, default);
            }

            await client.StartAsync(default);
            await client.WaitForRingAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            await Eventually.TrueAsync(() => client.Instances.Count == 3 && client.Instances.Values.All(i => i.State == InstanceState.Active), "three active instances");

            uint key = ShardKey.ForSeries(ShardKey.TenantSeed("tenant"), 12345);
            ReplicationSet all = client.Get(key, RingOperation.Write);
            Assert.Equal(3, all.Instances.Count);
            Assert.Equal(1, all.MaxErrors);

            // ingester-2 is killed (no unregister, its entry stays ACTIVE): once membership says its process is
            // dead it is unhealthy, with no descriptor change at all.
            IReadOnlyList<uint> tokens = lifecyclers[1].Tokens;
            await lifecyclers[1].DisposeAsync();
            liveness.Kill("ingester-2");
            Assert.Equal(InstanceState.Active, client.Instances["ingester-2"].State);
            Assert.False(client.IsHealthy(client.Instances["ingester-2"], RingOperation.Write));
            Assert.True(client.IsHealthy(client.Instances["ingester-1"], RingOperation.Write));
            Assert.True(client.IsHealthy(client.Instances["ingester-3"], RingOperation.Write));
            ReplicationSet degraded = client.Get(key, RingOperation.Write);
            Assert.Equal(["ingester-1", "ingester-3"], degraded.Instances.Select(i => i.Id).Order());
            Assert.Equal(0, degraded.MaxErrors);
            Assert.Equal(0, client.GetReplicationSetForOperation(RingOperation.Read).MaxErrors);

            // A process of the same name comes back: it reuses its ring entry's tokens and is healthy again.
            liveness.Revive("ingester-2");
            Lifecycler restarted = Create("ingester-2");
            lifecyclers[1] = restarted;
            await restarted.StartAsync(InstanceState.Active, default);
            Assert.Equal(tokens, restarted.Tokens);
            Assert.Equal(3, client.Get(key, RingOperation.Write).Instances.Count);
            Assert.Equal(1, client.GetReplicationSetForOperation(RingOperation.Read).MaxErrors);
        }
        finally
        {
            foreach (Lifecycler lc in lifecyclers)
            {
                await lc.DisposeAsync();
            }

            await client.StopAsync(default);
        }
    }
}
