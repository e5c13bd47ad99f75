using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The whole binary on the S3 blocks backend (moto_server on loopback): blocks shipped to S3 are served back by the
/// store-gateway once the ingester's local data is gone, and an S3 outage during ingest loses nothing (G18).
/// </summary>
[Collection(LongTermStorage.Name)]
[Trait("Category", LongTermStorage.Category)]
public sealed class LongTermStorageS3Tests
{
    private static readonly string[] CommonArgs =
    [
        "--blocks-storage.tsdb.ship-interval=1s",

        // Store-gateway for every range, so 6h of recent-looking data can only come back from the bucket.
        "--querier.query-store-after=0s",

        // The querier finds blocks in the bucket index, which the compactor rewrites every cleanup interval; the querier
        // caches it for one sync interval (15m by default), so a restart must not keep an index read before the last upload.
        "--compactor.cleanup-interval=1s",
        "--blocks-storage.bucket-store.sync-interval=1s",
        "--distributor.ingestion-rate-limit=100000000",
        "--distributor.ingestion-burst-size=100000000",
    ];

    [Fact]
    public async Task Six_hours_shipped_to_S3_are_all_returned_by_the_store_gateway_after_the_ingesters_data_is_deleted()
    {
        const string tenant = "lts-s3";
        using var moto = await MotoServerProcess.StartAsync();
        string bucket = await moto.CreateBucketAsync();
        await using var mc = await MetricsClusterProcess.StartAsync([.. CommonArgs, .. MotoServerProcess.BackendArgs(moto.Port, bucket)]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var data = PastSeries.Recent("lts_s3_metric", 300, 6);

        await IngesterOps.PushAllAsync(http, mc, tenant, data.Bodies(data.StartMs, data.EndMs + 1));
        await IngesterOps.FlushAsync(http, mc, tenant);
        string tenantDir = Path.Combine(mc.DataDir, "tsdb", tenant);
        var local = BlockDirs.Complete(tenantDir);
        Assert.True(local.Count >= 3, $"6h flushed into {local.Count} blocks");
        await WaitShippedToS3Async(moto, bucket, tenant, tenantDir, local);

        await IngesterOps.RestartWithoutLocalDataAsync(mc);

        await AssertServedExactlyAsync(http, mc, data, tenant);
        Assert.Equal(local, BlockDirs.Complete(Path.Combine(mc.DataDir, "store-gateway", tenant)));
    }

    [Fact]
    public async Task Blocks_cut_while_S3_is_down_are_shipped_when_it_returns_and_every_sample_is_served()
    {
        const string tenant = "lts-outage";
        const long window = 2 * 3_600_000;
        using var moto = await MotoServerProcess.StartAsync();
        string bucket = await moto.CreateBucketAsync();
        await using var proxy = new TcpProxy(moto.Port);
        await proxy.StartAsync();
        await using var mc = await MetricsClusterProcess.StartAsync([.. CommonArgs, .. MotoServerProcess.BackendArgs(proxy.Port, bucket)]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var data = PastSeries.Recent("lts_outage_metric", 200, 6);
        string tenantDir = Path.Combine(mc.DataDir, "tsdb", tenant);

        await proxy.StopAsync();
        for (long from = data.StartMs; from <= data.EndMs; from += window)
        {
            // PushAllAsync and FlushAsync throw unless every write is 2xx and every flush 204.
            await IngesterOps.PushAllAsync(http, mc, tenant, data.Bodies(from, Math.Min(from + window, data.EndMs + 1)));
            await IngesterOps.FlushAsync(http, mc, tenant);
        }

        var local = BlockDirs.Complete(tenantDir);
        Assert.True(local.Count >= 3, $"6h flushed into {local.Count} blocks");
        await Poll.UntilAsync(
            async () => await IngesterOps.MetricAsync(http, mc, "metricscluster_ingester_shipper_upload_failures_total") > 0 ? null : "no upload failure counted yet",
            TimeSpan.FromSeconds(120),
            "the shipper trying (and failing) while S3 is down");
        Assert.Empty(BlockDirs.RecordedAsShipped(tenantDir));
        Assert.Empty(await moto.ListAsync(bucket, tenant + "/"));

        await proxy.StartAsync();
        await WaitShippedToS3Async(moto, bucket, tenant, tenantDir, local);

        await IngesterOps.RestartWithoutLocalDataAsync(mc);
        await AssertServedExactlyAsync(http, mc, data, tenant);
        Assert.Equal(local, BlockDirs.Complete(Path.Combine(mc.DataDir, "store-gateway", tenant)));
    }

    /// <summary>
    /// Every sample written comes back exactly. Right after the restart the store-gateway may have loaded the bucket
    /// index as it stood before the compactor's start-up cleanup rewrote it with the newest uploads (seen in CI): the
    /// querier then names those blocks in a consistency-check error until the store-gateway's next sync (1s). Only that
    /// error is retried, for at most 30 s; a wrong answer or any other error fails at once, with its whole text.
    /// </summary>
    private static async Task AssertServedExactlyAsync(HttpClient http, MetricsClusterProcess mc, PastSeries data, string tenant)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            string? difference = await data.QueryDifferenceAsync(http, mc.BaseUri, tenant);
            if (difference is not null && difference.Contains("err-mimir-store-consistency-check-failed", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
                continue;
            }

            Assert.True(difference is null, difference);
            return;
        }
    }

    /// <summary>
    /// Waits until thanos.shipper.json records exactly the local blocks and the bucket holds every file of each
    /// (tombstones excepted) with its local size, and nothing else under the tenant but the compactor's bucket index.
    /// </summary>
    private static async Task WaitShippedToS3Async(MotoServerProcess moto, string bucket, string tenant, string tenantDir, List<string> local)
    {
        var want = local.SelectMany(b => BlockDirs.ShippedFiles(tenant, Path.Combine(tenantDir, b))).ToDictionary(StringComparer.Ordinal);
        await Poll.UntilAsync(
            () => Task.FromResult(BlockDirs.RecordedAsShipped(tenantDir).SequenceEqual(local) ? null : $"shipper.json lists {string.Join(",", BlockDirs.RecordedAsShipped(tenantDir))}"),
            TimeSpan.FromSeconds(120),
            "every local block recorded in thanos.shipper.json");
        // The compactor (in `all`) writes the tenant's bucket index once it sees the tenant, which may be before or
        // after this listing: it is the compactor's file, not a shipped one.
        var got = (await moto.ListAsync(bucket, tenant + "/")).Where(kv => kv.Key != tenant + "/bucket-index.json.gz");
        Assert.Equal(want.OrderBy(kv => kv.Key, StringComparer.Ordinal), got.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }
}
