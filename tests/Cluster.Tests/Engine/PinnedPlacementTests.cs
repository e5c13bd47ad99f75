using System.Diagnostics;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Tests.Engine.Postgres;
using MetricsCluster.Cluster.Tests.Payload;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Cluster.Tests.Engine;

/// <summary>
/// Ingester grains are pinned to the silo named by their key (issue 13): a call from another silo runs there, fails
/// fast while that silo is gone (never activating anywhere else, where it would answer from an empty head), and
/// reaches a new silo of the same name once it joins.
/// </summary>
[Collection(EngineSiloCollection.Name)]
public sealed class PinnedPlacementTests(PostgresEngineFixture pg, ITestOutputHelper output)
{
    [Fact]
    public async Task An_ingester_grain_runs_only_on_its_instances_silo_and_comes_back_with_it()
    {
        string db = await pg.Server.CreateDatabaseAsync();
        await using EngineSilo ing0 = await EngineSilo.StartAsync(db, "ing-0");
        EngineSilo ing1 = await EngineSilo.StartAsync(db, "ing-1");
        EngineSilo? ing1Again = null;
        try
        {
            await EngineSilo.WaitUntilAsync(() => ing0.SeesActive(ing1), "ing-0 to see ing-1 active");
            var client = new GrainIngesterClient(ing0.Grains, "ing-1", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

            PushResult first = await PushAsync(client, 1000);
            Assert.Equal(1, first.Accepted);
            PushSnapshot seen = Assert.Single(ing1.Ingester.Pushes);
            Assert.Equal("team-a", seen.Tenant);
            Assert.Equal([1000L], seen.Timestamps);
            Assert.Empty(ing0.Ingester.Pushes);
            Assert.Equal([ing1.Address], await ActivationsAsync(ing0));

            await ing1.StopAsync();
            for (int i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                var e = await Assert.ThrowsAsync<GrainCallException>(async () => await PushAsync(client, 2000 + i));
                output.WriteLine($"call {i} to the stopped ing-1 failed after {clock.ElapsedMilliseconds} ms: {e.Message}");

                // Refused, not timed out (the 30 s limit would say DeadlineExceeded): it failed fast, and retryably.
                Assert.Equal(CallStatusCode.Unavailable, e.Code);
                Assert.True(e.Retryable);
                Assert.Equal("ing-1", e.Instance);
                Assert.Equal("ingester/Push", e.Method);
            }

            TimeSpan declared = await EngineSilo.WaitUntilAsync(() => !ing0.Liveness.IsAlive("ing-1"), "ing-0 to see ing-1 dead");
            output.WriteLine($"ing-0 saw ing-1 dead {declared.TotalMilliseconds:F0} ms after the failed calls");
            await Assert.ThrowsAsync<GrainCallException>(async () => await PushAsync(client, 2500));

            // No activation anywhere else: neither the caller's silo nor the stopped one ever saw these calls, and
            // the only silo left in the cluster holds no activation of the grain.
            Assert.Empty(ing0.Ingester.Pushes);
            Assert.Single(ing1.Ingester.Pushes);
            Assert.Empty(await ActivationsAsync(ing0));

            var restarted = new RecordingIngester("ing-1 restarted");
            ing1Again = await EngineSilo.StartAsync(db, "ing-1", restarted);
            await EngineSilo.WaitUntilAsync(() => ing0.SeesActive(ing1Again) && ing0.Liveness.IsAlive("ing-1"), "ing-0 to see the new ing-1 active");

            PushResult again = await PushAsync(client, 3000);
            Assert.Equal(1, again.Accepted);
            Assert.Equal([3000L], Assert.Single(restarted.Pushes).Timestamps);
            Assert.Empty(ing0.Ingester.Pushes);
            Assert.Single(ing1.Ingester.Pushes);
            Assert.Equal([ing1Again.Address], await ActivationsAsync(ing0));
        }
        finally
        {
            await ing1.DisposeAsync();
            if (ing1Again is not null)
            {
                await ing1Again.DisposeAsync();
            }
        }
    }

    // Where the cluster, asked through the management grain from a silo, holds activations of ing-1/team-a.
    private static async Task<SiloAddress[]> ActivationsAsync(EngineSilo from)
    {
        DetailedGrainStatistic[] all = await from.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, null);
        return [.. all.Where(a => a.GrainId.ToString().EndsWith("ing-1/team-a", StringComparison.Ordinal)).Select(a => a.SiloAddress)];
    }

    private static async Task<PushResult> PushAsync(GrainIngesterClient client, long t)
    {
        using var batch = new PushBatch();
        PushCodecTests.Add(batch, Labels.FromStrings("__name__", "up", "job", "api"), (t, 1));
        return await client.PushAsync("team-a", batch, default);
    }
}
