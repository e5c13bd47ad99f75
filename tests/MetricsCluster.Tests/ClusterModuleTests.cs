using System.Net;
using System.Text.Json;
using MetricsCluster.Config;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MetricsCluster.Host.Tests;

/// <summary>The single-process mode (memory ring store) with the cluster pieces wired in: rings, pages, stats.</summary>
public sealed class ClusterModuleTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"mc-cluster-host-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Target_all_joins_its_memory_rings_serves_the_ring_pages_and_user_stats_and_opens_no_rpc_port()
    {
        var config = new ClusterConfig { DataDir = _dataDir, HttpListenAddress = "127.0.0.1", HttpListenPort = 0, RingInstanceId = "solo" };
        config.Validate();

        // This test project's namespace MetricsCluster.Host shadows the host class of the same name: reach it by reflection.
        var build = typeof(ModuleRegistry).Assembly.GetType("MetricsCluster.Host", throwOnError: true)!.GetMethod("Build")!;
        var app = (WebApplication)build.Invoke(null, [config, ModuleRegistry.Resolve(config.Target)])!;
        await app.StartAsync();
        try
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            Assert.Single(addresses);
            using var http = new HttpClient { BaseAddress = new Uri(addresses.Single()), Timeout = TimeSpan.FromSeconds(60) };

            // The ingester joined PENDING, replayed, went ACTIVE: ready. Polled because the heartbeat and the ring
            // client's watch run in the background (generous deadline for a loaded machine).
            await Until(async () => (await http.GetAsync("/ready")).StatusCode == HttpStatusCode.OK, "ready");
            foreach (string ring in new[] { "ingester", "store-gateway", "compactor" })
            {
                await Until(async () => await RingStatesAsync(http, ring) is [("solo", "ACTIVE")], $"{ring} ring with solo ACTIVE");
            }

            Assert.True(File.Exists(Path.Combine(_dataDir, "tokens")), "the ingester's tokens file");

            var ingester = app.Services.GetRequiredService<Ingester.Ingester>();
            using (var batch = new PushBatch())
            {
                foreach (string s in new[] { "a", "b" })
                {
                    var l = Labels.FromStrings("__name__", "m", "s", s);
                    batch.AddSeries(l.Bytes, l.Hash);
                    batch.AddSample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1);
                }

                Assert.Null((await ingester.PushAsync("t1", batch, default)).FirstError);
            }

            using var stats = JsonDocument.Parse(await http.GetStringAsync("/distributor/all_user_stats"));
            var t1 = Assert.Single(stats.RootElement.EnumerateArray());
            Assert.Equal("t1", t1.GetProperty("userID").GetString());
            Assert.Equal(2, t1.GetProperty("numSeries").GetInt64());
            Assert.Equal(2, t1.GetProperty("samplesIngested").GetInt64());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Flush_refuses_an_invalid_tenant_with_400_naming_the_rule()
    {
        var config = new ClusterConfig { DataDir = _dataDir, HttpListenAddress = "127.0.0.1", HttpListenPort = 0, RingInstanceId = "solo" };
        config.Validate();
        var build = typeof(ModuleRegistry).Assembly.GetType("MetricsCluster.Host", throwOnError: true)!.GetMethod("Build")!;
        var app = (WebApplication)build.Invoke(null, [config, ModuleRegistry.Resolve(config.Target)])!;
        await app.StartAsync();
        try
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            using var http = new HttpClient { BaseAddress = new Uri(addresses.Single()), Timeout = TimeSpan.FromSeconds(60) };
            await Until(async () => (await http.GetAsync("/ready")).StatusCode == HttpStatusCode.OK, "ready");

            foreach (string tenant in new[] { "../../x", "%2Fabs", ".." })
            {
                using var bad = await http.PostAsync($"/ingester/flush?tenant=ok&tenant={tenant}&wait=true", null);
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
                Assert.Contains(TenantId.Rule, await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using var good = await http.PostAsync("/ingester/flush?tenant=.a&tenant=x.tmp&wait=true", null);
            Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<(string Id, string State)[]> RingStatesAsync(HttpClient http, string ring)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync($"/{ring}/ring?format=json"));
        return [.. json.RootElement.GetProperty("shards").EnumerateArray()
            .Select(s => (s.GetProperty("id").GetString()!, s.GetProperty("state").GetString()!.ToUpperInvariant()))];
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within 60 s: {what}");
            await Task.Delay(100);
        }
    }
}
