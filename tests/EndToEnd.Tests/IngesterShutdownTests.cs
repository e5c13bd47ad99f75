using System.Globalization;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>POST /ingester/shutdown: the head is flushed to blocks, every block is in the bucket, and the process exits cleanly.</summary>
public sealed class IngesterShutdownTests
{
    private const string Tenant = "shut";

    [Fact]
    public async Task Shutdown_flushes_ships_and_stops_and_a_restart_serves_everything_from_the_bucket()
    {
        // Ship interval and head compaction at their 1m defaults: only the shutdown itself can have shipped the blocks.
        // Sync interval 1s: the querier caches a tenant's bucket index for one sync interval (15m by default, as Mimir),
        // and right after the restart it may read the index written before the shutdown shipped the last blocks; in
        // production the ingester still holds those, here its data is deleted on purpose.
        await using var mc = await MetricsClusterProcess.StartAsync("--querier.query-store-after=0s", "--compactor.cleanup-interval=1s", "--blocks-storage.bucket-store.sync-interval=1s");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        const long step = 60_000;
        long end = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / step * step) - step;
        long start = end - (3 * 3_600_000);
        int points = (int)((end - start) / step) + 1;
        var body = RemoteWrite.Body([.. Enumerable.Range(0, 4).Select(s => RemoteWrite.Series(
            [.. Enumerable.Range(0, points).Select(i => (start + (i * step), (s * 1000.0) + i))],
            "__name__", "shutdown_metric", "s", s.ToString(CultureInfo.InvariantCulture)))]);
        Assert.Equal(200, (await RemoteWrite.PostAsync(http, mc.BaseUri, body, Tenant)).Status);

        using (var resp = await http.PostAsync(new Uri(mc.BaseUri, "/ingester/shutdown"), null))
        {
            Assert.Equal(204, (int)resp.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!mc.Child.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(mc.Child.HasExited, "the process did not stop after /ingester/shutdown");
        Assert.Equal(0, mc.Child.ExitCode);

        // Every local block made it to the bucket (meta.json is uploaded last).
        string tenantDir = Path.Combine(mc.DataDir, "tsdb", Tenant);
        var local = Directory.GetDirectories(tenantDir).Where(d => File.Exists(Path.Combine(d, "meta.json"))).Select(Path.GetFileName).ToList();
        Assert.NotEmpty(local);
        Assert.All(local, u => Assert.True(File.Exists(Path.Combine(mc.DataDir, "bucket", Tenant, u!, "meta.json")), $"block {u} not shipped"));

        // The bucket alone holds everything: drop the ingester's data and start again.
        Directory.Delete(tenantDir, recursive: true);
        await mc.RestartAsync();
        // The querier finds the blocks once the compactor's first run after the restart has written the bucket index.
        var want = Enumerable.Repeat(points.ToString(CultureInfo.InvariantCulture), 4).ToList();
        await Poll.UntilAsync(
            async () =>
            {
                var (status, json, raw) = await QueryApi.GetAsync(
                    http,
                    mc.BaseUri,
                    FormattableString.Invariant($"/prometheus/api/v1/query?query=count_over_time(shutdown_metric[4h])&time={(end / 1000) + 1}"),
                    Tenant);
                var counts = status == 200 && json is not null
                    ? json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => r.GetProperty("value")[1].GetString()).ToList()
                    : [];
                return counts.SequenceEqual(want) ? null : raw;
            },
            TimeSpan.FromSeconds(60),
            "every sample answered from the bucket");
    }
}
