using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using MetricsCluster.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Ring;

/// <summary>Lifecyclers, a memory store and a ring client together, on one manual clock.</summary>
public sealed class RingIntegrationTests
{
    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Three_ingesters_register_and_a_stopped_one_turns_unhealthy_after_the_timeout()
    {
        var clock = new ManualTimeProvider();
        var store = new MemoryRingStore(TimeSpan.FromSeconds(1), clock);
        var lifecyclers = new List<Lifecycler>();
        using var client = new RingClient(store, new RingOptions(), clock, NullLogger<RingClient>.Instance);
        try
        {
            foreach (string id in new[] { "ingester-1", "ingester-2", "ingester-3" })
            {
                var lc = new Lifecycler(store, new LifecyclerOptions { InstanceId = id, Addr = id + ":9095", HeartbeatPeriod = s_step }, clock, NullLogger<Lifecycler>.Instance);
                lifecyclers.Add(lc);
                await lc.StartAsync(InstanceState.Joining, default);
                await lc.ChangeStateAsync(InstanceState.Active, default);
            }

            await client.StartAsync(default);
            await client.WaitForRingAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            await Eventually.TrueAsync(() => client.Instances.Count == 3, "three instances");

            uint key = ShardKey.ForSeries(ShardKey.TenantSeed("tenant"), 12345);
            ReplicationSet all = client.Get(key, RingOperation.Write);
            Assert.Equal(3, all.Instances.Count);
            Assert.Equal(1, all.MaxErrors);

            // ingester-2 is killed (no unregister): after the 1m timeout it is unhealthy, the others heartbeat on.
            await lifecyclers[1].DisposeAsync();
            // Time moves only while the live instances' heartbeats, as the client sees them, keep up (within 10s),
            // so a slow machine cannot make them look dead by running the clock ahead of their loops.
            void Step()
            {
                long floor = clock.NowMs - 10_000;
                IReadOnlyDictionary<string, InstanceDesc> seen = client.Instances;
                if (seen["ingester-1"].HeartbeatTimestamp >= floor && seen["ingester-3"].HeartbeatTimestamp >= floor)
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                }
            }

            await Eventually.TrueAsync(() => !client.IsHealthy(client.Instances["ingester-2"], RingOperation.Write), "ingester-2 unhealthy", Step);

            Assert.True(clock.GetUtcNow() - client.LastRefresh <= TimeSpan.FromSeconds(15), "the store kept answering");
            Assert.True(client.IsHealthy(client.Instances["ingester-1"], RingOperation.Write));
            Assert.True(client.IsHealthy(client.Instances["ingester-3"], RingOperation.Write));
            ReplicationSet degraded = client.Get(key, RingOperation.Write);
            Assert.Equal(["ingester-1", "ingester-3"], degraded.Instances.Select(i => i.Id).Order());
            Assert.Equal(0, degraded.MaxErrors);
            Assert.Equal(0, client.GetReplicationSetForOperation(RingOperation.Read).MaxErrors);
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
