using System.Text.Json;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The query-frontend in <c>all</c>, against the real binary: split and cached range queries answer as the unsplit
/// query of a frontend that does not split, and the total-query-length limit answers with Mimir's text.
/// </summary>
public sealed class QueryFrontendTests
{
    private const string Tenant = "frontend";

    [Fact]
    public async Task Split_and_cached_answers_equal_unsplit_ones_and_the_length_limit_is_Mimirs()
    {
        await using var split = await MetricsClusterProcess.StartAsync(
            "--query-frontend.split-queries-by-interval=5m", "--query-frontend.cache-results=true", "--query-frontend.max-total-query-length=2h");
        await using var unsplit = await MetricsClusterProcess.StartAsync("--query-frontend.split-queries-by-interval=0");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        // Forty minutes of a counter and a gauge, every 15 s, 1234 ms past the step grid.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 15_000 * 15_000;
        var samples = Enumerable.Range(0, 160).Select(i => (T: now - 2_400_000 + (i * 15_000L) + 1_234, I: i)).ToList();
        var body = RemoteWrite.Body(
            RemoteWrite.Series(samples.Select(s => (s.T, (double)s.I * 3)), "__name__", "fe_requests_total", "job", "a"),
            RemoteWrite.Series(samples.Select(s => (s.T, (double)(s.I % 7))), "__name__", "fe_gauge", "job", "a"));
        Assert.Equal(200, (await RemoteWrite.PostAsync(http, split.BaseUri, body, Tenant)).Status);
        Assert.Equal(200, (await RemoteWrite.PostAsync(http, unsplit.BaseUri, body, Tenant)).Status);

        long start = (now - 2_400_000) / 1000 / 60 * 60;
        long end = now / 1000;
        foreach (string query in new[] { "rate(fe_requests_total[1m])", "avg_over_time(fe_gauge[3m] offset 1m)", "fe_gauge", "max_over_time(fe_gauge[2m:15s])" })
        {
            string path = $"/prometheus/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={start}&end={end}&step=30";
            var expected = await QueryApi.GetAsync(http, unsplit.BaseUri, path, Tenant);
            Assert.Equal(200, expected.Status);
            Assert.NotEmpty(expected.Json!.RootElement.GetProperty("data").GetProperty("result").EnumerateArray());

            // Twice: the second answer comes from the cache, except its last minute.
            for (int i = 0; i < 2; i++)
            {
                var actual = await QueryApi.GetAsync(http, split.BaseUri, path, Tenant);
                Assert.Equal(200, actual.Status);
                Assert.Equal(Normalized(expected.Json), Normalized(actual.Json!));
            }
        }

        string tooLong = $"/prometheus/api/v1/query_range?query=fe_gauge&start={end - 7201}&end={end}&step=60";
        var refused = await QueryApi.GetAsync(http, split.BaseUri, tooLong, Tenant);
        Assert.Equal(400, refused.Status);
        Assert.Equal("bad_data", refused.Json!.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(
            "the total query time range exceeds the limit (query length: 2h0m1s, limit: 2h0m0s) (err-mc-max-total-query-length). To adjust the related per-tenant limit, configure -query-frontend.max-total-query-length, or contact your service administrator.",
            refused.Json.RootElement.GetProperty("error").GetString());
    }

    // The data only: stats and timings are not part of the answer.
    private static string Normalized(JsonDocument json) => json.RootElement.GetProperty("data").GetRawText();
}
