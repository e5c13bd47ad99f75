using System.Globalization;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The whole binary with tenants whose ids look like hidden or temporary files (valid in Mimir): they are shipped,
/// deleted locally after shipping like any tenant, and answered from the bucket (issue 12, row 5; G18).
/// </summary>
public sealed class TenantNamingTests
{
    private const long Step = 60_000;

    [Fact]
    public async Task Hidden_and_tmp_looking_tenants_are_shipped_deleted_locally_and_answered_from_the_bucket()
    {
        string[] tenants = [".a", "x.tmp", "a.tmp.b"];

        // Retention 1s: a shipped block is deleted locally at the next 1s head-compaction round, as any tenant's.
        // query-store-after=0 and the 1s compactor and store-gateway intervals make the bucket answer at once.
        await using var mc = await MetricsClusterProcess.StartAsync(
            "--blocks-storage.tsdb.ship-interval=1s",
            "--blocks-storage.tsdb.head-compaction-interval=1s",
            "--blocks-storage.tsdb.retention-period=1s",
            "--querier.query-store-after=0s",
            "--compactor.cleanup-interval=1s",
            "--blocks-storage.bucket-store.sync-interval=1s");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        long end = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / Step * Step) - Step;
        long start = end - (3 * 3_600_000);
        int points = (int)((end - start) / Step) + 1;
        for (int k = 0; k < tenants.Length; k++)
        {
            var body = RemoteWrite.Body(RemoteWrite.Series([.. Enumerable.Range(0, points).Select(i => (start + (i * Step), Value(k, i)))], "__name__", "named_metric"));
            await IngesterOps.PushAllAsync(http, mc, tenants[k], [body]);
            await IngesterOps.FlushAsync(http, mc, tenants[k]);
        }

        // With a 1s ship interval and retention a block may be shipped and deleted locally before it is listed here:
        // what the flush cut is what is on local disk or already in the bucket.
        var flushed = tenants.ToDictionary(t => t, t => BlockDirs.Complete(TenantDir(mc, t)).Union(BlockDirs.Complete(Path.Combine(mc.DataDir, "bucket", t))).ToList());
        Assert.All(flushed.Values, Assert.NotEmpty);
        await Poll.UntilAsync(
            () => Task.FromResult(tenants.Select(t => NotShippedAndDeleted(mc, t, flushed[t])).FirstOrDefault(r => r is not null)),
            TimeSpan.FromSeconds(60),
            "every flushed block shipped and then deleted locally");

        await IngesterOps.RestartWithoutLocalDataAsync(mc);
        for (int k = 0; k < tenants.Length; k++)
        {
            var values = await QueryAllPointsAsync(http, mc, tenants[k], start, end, points);
            int tenant = k;
            Assert.Equal(Enumerable.Range(0, points).Select(i => (start + (i * Step), Value(tenant, i))), values);
        }
    }

    private static double Value(int tenant, int i) => (tenant * 100_000.0) + i;

    private static string TenantDir(MetricsClusterProcess mc, string tenant) => Path.Combine(mc.DataDir, "tsdb", tenant);

    /// <summary>Null once every block is in the bucket, recorded as shipped and gone from the ingester's disk.</summary>
    private static string? NotShippedAndDeleted(MetricsClusterProcess mc, string tenant, List<string> blocks)
    {
        var missing = blocks.Where(b => !File.Exists(Path.Combine(mc.DataDir, "bucket", tenant, b, "meta.json"))).ToList();
        if (missing.Count > 0)
        {
            return $"tenant {tenant}: blocks {string.Join(',', missing)} not in the bucket";
        }

        var local = BlockDirs.Complete(TenantDir(mc, tenant)).Intersect(blocks).ToList();
        return local.Count > 0 ? $"tenant {tenant}: shipped blocks {string.Join(',', local)} still on local disk" : null;
    }

    private static async Task<List<(long T, double V)>> QueryAllPointsAsync(HttpClient http, MetricsClusterProcess mc, string tenant, long start, long end, int points)
    {
        // The compactor writes the bucket index after the restart and the querier reads it on its next sync: wait for
        // every point rather than for either step.
        System.Text.Json.JsonDocument? json = null;
        await Poll.UntilAsync(
            async () =>
            {
                var (status, doc, raw) = await QueryApi.GetAsync(
                    http,
                    mc.BaseUri,
                    FormattableString.Invariant($"/prometheus/api/v1/query_range?query=named_metric&start={start / 1000}&end={end / 1000}&step=60"),
                    tenant);
                json = doc;
                return status == 200 && doc is not null && doc.RootElement.GetProperty("data").GetProperty("result") is var r
                    && r.GetArrayLength() == 1 && r[0].GetProperty("values").GetArrayLength() == points ? null : $"tenant {tenant}: {raw}";
            },
            TimeSpan.FromSeconds(60),
            $"tenant {tenant} answered from the bucket with every point");
        var series = json!.RootElement.GetProperty("data").GetProperty("result")[0];
        return [.. series.GetProperty("values").EnumerateArray().Select(v => ((long)(v[0].GetDouble() * 1000), double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)))];
    }
}
