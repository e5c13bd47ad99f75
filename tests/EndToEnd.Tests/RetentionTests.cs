using System.Globalization;
using System.Text.RegularExpressions;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>The whole binary: blocks the ingester ships are marked by the compactor's retention and then deleted (G18).</summary>
public sealed partial class RetentionTests
{
    private const string Tenant = "short-lived";
    private const long Step = 60_000;

    [Fact]
    public async Task Shipped_blocks_older_than_the_retention_are_marked_then_deleted_with_their_bucket_index()
    {
        await using var mc = await MetricsClusterProcess.StartAsync(
            "--blocks-storage.tsdb.ship-interval=1s",
            "--compactor.blocks-retention-period=3h",
            "--compactor.deletion-delay=0s",
            "--compactor.cleanup-interval=1s");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // Two hours of samples ending six hours ago: every block cut from them ends before now - 3h.
        long end = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / Step * Step) - (6 * 3_600_000);
        long start = end - (2 * 3_600_000);
        var body = RemoteWrite.Body([RemoteWrite.Series(
            [.. Enumerable.Range(0, (int)((end - start) / Step) + 1).Select(i => (start + (i * Step), (double)i))],
            "__name__", "retention_metric")]);
        Assert.Equal(200, (await RemoteWrite.PostAsync(http, mc.BaseUri, body, Tenant)).Status);
        using (var resp = await http.PostAsync(new Uri(mc.BaseUri, $"/ingester/flush?tenant={Tenant}&wait=true"), null))
        {
            Assert.Equal(204, (int)resp.StatusCode);
        }

        string tenantDir = Path.Combine(mc.DataDir, "tsdb", Tenant);
        int local = Directory.GetDirectories(tenantDir).Count(d => File.Exists(Path.Combine(d, "meta.json")));
        Assert.True(local > 0, "the flush cut at least one block");

        // Barrier: the compactor counts what it deleted and then drops the tenant's index; poll both (shipper and
        // cleaner run on 1s timers in the child). The count proves the blocks were shipped before they vanished.
        string bucketTenant = Path.Combine(mc.DataDir, "bucket", Tenant);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string[] left = [];
        while (await CleanedAsync(http, mc.BaseUri) < local || (left = Leftovers(bucketTenant)).Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the compactor did not delete {local} shipped block(s) and the index within 90s; left: {string.Join(", ", left)}");
            await Task.Delay(200);
        }

        Assert.Equal(local, await CleanedAsync(http, mc.BaseUri));
    }

    private static string[] Leftovers(string dir) =>
        Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories) : [];

    private static async Task<double> CleanedAsync(HttpClient http, Uri baseUri)
    {
        string text = await http.GetStringAsync(new Uri(baseUri, "/metrics"));
        var m = CleanedLine().Match(text);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"^metricscluster_compactor_blocks_cleaned_total (\S+)$", RegexOptions.Multiline)]
    private static partial Regex CleanedLine();
}
