using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The bucket (moto_server behind a proxy the test stops) is unreachable when the ingester is asked to shut down: the
/// shutdown refuses to report success, names what is not shipped, keeps running with all local data, and succeeds once
/// the bucket is back; the bucket alone then serves every sample.
/// </summary>
[Collection(LongTermStorage.Name)]
[Trait("Category", LongTermStorage.Category)]
public sealed class ChaosBucketTests
{
    private const string Tenant = "chaos-bucket";

    private static readonly string[] CommonArgs =
    [
        "--querier.query-store-after=0s",
        "--compactor.cleanup-interval=1s",
        "--blocks-storage.bucket-store.sync-interval=1s",
        "--distributor.ingestion-rate-limit=100000000",
        "--distributor.ingestion-burst-size=100000000",
    ];

    [Fact]
    public async Task Shutdown_with_the_bucket_unreachable_answers_503_keeps_running_and_data_and_succeeds_once_the_bucket_is_back()
    {
        using var moto = await MotoServerProcess.StartAsync();
        string bucket = await moto.CreateBucketAsync();
        await using var proxy = new TcpProxy(moto.Port);
        await proxy.StartAsync();
        await using var mc = await MetricsClusterProcess.StartAsync([.. CommonArgs, .. MotoServerProcess.BackendArgs(proxy.Port, bucket)]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        var data = PastSeries.Recent("chaos_bucket_metric", 50, 3);
        await IngesterOps.PushAllAsync(http, mc, Tenant, data.Bodies(data.StartMs, data.EndMs + 1));
        string tenantDir = Path.Combine(mc.DataDir, "tsdb", Tenant);

        await proxy.StopAsync();
        var (status, body) = await ShutdownAsync(http, mc);
        Assert.True(status == 503, $"shutdown with the bucket down answered {status}: {body}");
        Assert.Contains("not shipped", body, StringComparison.Ordinal);
        Assert.Contains(Tenant, body, StringComparison.Ordinal);
        var local = BlockDirs.Complete(tenantDir);
        var unshipped = local.Except(BlockDirs.RecordedAsShipped(tenantDir)).ToList();
        Assert.NotEmpty(unshipped);
        Assert.All(unshipped, b => Assert.Contains(b, body, StringComparison.Ordinal));

        // Still running, nothing deleted, the unshipped blocks still not recorded as shipped.
        Assert.False(mc.Child.HasExited, "the process exited although the blocks are not in the bucket");
        using (var metrics = await http.GetAsync(new Uri(mc.BaseUri, "/metrics")))
        {
            Assert.Equal(200, (int)metrics.StatusCode);
        }

        Assert.Equal(local, BlockDirs.Complete(tenantDir));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(tenantDir, "wal")));
        Assert.Empty(unshipped.Intersect(BlockDirs.RecordedAsShipped(tenantDir)));

        await proxy.StartAsync();
        (status, body) = await ShutdownAsync(http, mc);
        Assert.True(status == 204, $"shutdown with the bucket back answered {status}: {body}");
        Assert.Equal(0, await mc.Child.TerminateAsync(TimeSpan.FromSeconds(60)));
        var inBucket = await moto.ListAsync(bucket, Tenant + "/");
        Assert.All(local, b => Assert.True(inBucket.ContainsKey($"{Tenant}/{b}/meta.json"), $"block {b} not in the bucket"));

        await IngesterOps.RestartWithoutLocalDataAsync(mc);
        await Poll.UntilAsync(() => data.QueryDifferenceAsync(http, mc.BaseUri, Tenant), TimeSpan.FromSeconds(90), "every sample served from the bucket");
    }

    private static async Task<(int Status, string Body)> ShutdownAsync(HttpClient http, MetricsClusterProcess mc)
    {
        using var resp = await http.PostAsync(new Uri(mc.BaseUri, "/ingester/shutdown"), null);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }
}
