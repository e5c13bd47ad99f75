using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>POST /ingester/flush: the head is cut into a local block the shipper can pick up, and reads still see every sample.</summary>
public sealed class IngesterFlushTests
{
    [Fact]
    public async Task Flush_with_wait_answers_204_after_writing_a_block_and_queries_still_see_every_sample()
    {
        const string tenant = "flushed";
        await using var mc = await MetricsClusterProcess.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        var body = RemoteWrite.Body(Enumerable.Range(0, 10)
            .Select(s => RemoteWrite.Series([.. Enumerable.Range(0, 5).Select(i => (t0 + (i * 1000L), (double)i))], "__name__", "flush_metric", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray());
        Assert.Equal(200, (await RemoteWrite.PostAsync(http, mc.BaseUri, body, tenant)).Status);

        using (var resp = await http.PostAsync(new Uri(mc.BaseUri, $"/ingester/flush?tenant={tenant}&wait=true"), null))
        {
            Assert.Equal(204, (int)resp.StatusCode);
        }

        string tenantDir = Path.Combine(mc.DataDir, "tsdb", tenant);
        var block = Assert.Single(Directory.GetDirectories(tenantDir), d => File.Exists(Path.Combine(d, "meta.json")));
        Assert.Contains("\"__org_id__\": \"flushed\"", File.ReadAllText(Path.Combine(block, "meta.json")));

        var read = await RemoteRead.ReadAsync(http, mc.BaseUri, tenant, t0 - 1, t0 + 100_000, ("__name__", "flush_metric"));
        Assert.Equal(10, read.Count);
        Assert.All(read.Values, samples => Assert.Equal(5, samples.Count));

        using var background = await http.PostAsync(new Uri(mc.BaseUri, "/ingester/flush"), null);
        Assert.Equal(202, (int)background.StatusCode);
    }
}
