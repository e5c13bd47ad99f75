using System.Text.Json;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// A standalone query-frontend (<c>--target=query-frontend --query-frontend.downstream-url=…</c>) in front of a querier
/// in another process: split range queries, instant queries, the proxied read endpoints and the querier's errors
/// answer through the frontend exactly as the querier answers them directly.
/// </summary>
public sealed class QueryFrontendStandaloneTests
{
    private const string Tenant = "standalone-fe";

    [Fact]
    public async Task Queries_through_the_frontend_equal_queries_to_the_querier()
    {
        await using var querier = await MetricsClusterProcess.StartAsync("--querier.max-fetched-series-per-query=2");
        await using var frontend = await MetricsClusterProcess.StartAsync(
            "--target=query-frontend", "--query-frontend.downstream-url=" + querier.BaseUri, "--query-frontend.split-queries-by-interval=5m");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 15_000 * 15_000;
        var samples = Enumerable.Range(0, 160).Select(i => (T: now - 2_400_000 + (i * 15_000L) + 1_234, I: i)).ToList();
        var body = RemoteWrite.Body(
            RemoteWrite.Series(samples.Select(s => (s.T, (double)s.I * 3)), "__name__", "sa_requests_total", "job", "a"),
            RemoteWrite.Series(samples.Select(s => (s.T, s.I / 7.0)), "__name__", "sa_gauge", "job", "a"),
            RemoteWrite.Series(samples.Select(s => (s.T, -s.I * 1e-9)), "__name__", "sa_gauge", "job", "b"));
        Assert.Equal(200, (await RemoteWrite.PostAsync(http, querier.BaseUri, body, Tenant)).Status);

        long start = (now - 2_400_000) / 1000 / 60 * 60, end = now / 1000;
        var paths = new List<string>();
        foreach (string q in new[] { "rate(sa_requests_total[1m])", "sa_gauge / 3", "avg_over_time(sa_gauge[3m] offset 1m)", "sum by (job) (sa_gauge)" })
        {
            paths.Add($"/prometheus/api/v1/query_range?query={Uri.EscapeDataString(q)}&start={start}&end={end}&step=30");
            paths.Add($"/prometheus/api/v1/query?query={Uri.EscapeDataString(q)}&time={end}");
        }

        paths.Add("/prometheus/api/v1/series?match[]=sa_gauge");
        paths.Add("/prometheus/api/v1/labels");
        paths.Add("/prometheus/api/v1/label/job/values");
        paths.Add("/prometheus/api/v1/metadata");
        paths.Add("/prometheus/api/v1/query?query=sum(");
        paths.Add($"/prometheus/api/v1/query?query={Uri.EscapeDataString("{__name__=~\"sa_.*\"}")}&time={end}");

        foreach (string path in paths)
        {
            var direct = await QueryApi.GetAsync(http, querier.BaseUri, path, Tenant);
            var viaFrontend = await QueryApi.GetAsync(http, frontend.BaseUri, path, Tenant);
            Assert.True(direct.Status == viaFrontend.Status, $"{path}: {direct.Status} direct, {viaFrontend.Status} through the frontend ({viaFrontend.Raw})");
            Assert.Equal(Normalized(direct.Json!), Normalized(viaFrontend.Json!));
        }

        // The fetch limit of the querier answers through the frontend with the querier's status and text.
        string overLimit = $"/prometheus/api/v1/query_range?query={Uri.EscapeDataString("count({job=~\".+\"})")}&start={start}&end={end}&step=30";
        var limited = await QueryApi.GetAsync(http, frontend.BaseUri, overLimit, Tenant);
        Assert.True(limited.Status == 422, limited.Raw);
        Assert.StartsWith("the query exceeded the maximum number of series (limit: 2 series)", limited.Json!.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Another tenant's data is not visible: the tenant travels with every forwarded request.
        var other = await QueryApi.GetAsync(http, frontend.BaseUri, $"/prometheus/api/v1/query?query=sa_gauge&time={end}", "someone-else");
        Assert.Equal(200, other.Status);
        Assert.Empty(other.Json!.RootElement.GetProperty("data").GetProperty("result").EnumerateArray());
    }

    // Everything but timings and stats, which are per evaluation.
    private static string Normalized(JsonDocument json)
    {
        var root = json.RootElement;
        return root.TryGetProperty("data", out var data) ? root.GetProperty("status").GetString() + data.GetRawText() : root.GetRawText();
    }
}
