using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The per-query fetch limits against the real binary over HTTP: a query selecting more series than
/// <c>-querier.max-fetched-series-per-query</c> answers 422 <c>execution</c> with Mimir's text, a query within it
/// answers, through the query-frontend of <c>all</c> (split range queries) as well as instant queries.
/// </summary>
public sealed class QueryFetchLimitsTests
{
    private const string Tenant = "fetch-limits";

    [Fact]
    public async Task A_query_over_the_series_limit_is_422_with_Mimirs_text_and_one_within_it_answers()
    {
        await using var p = await MetricsClusterProcess.StartAsync("--querier.max-fetched-series-per-query=3", "--query-frontend.split-queries-by-interval=5m");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 15_000 * 15_000;
        var samples = Enumerable.Range(0, 80).Select(i => (now - 1_200_000 + (i * 15_000L), (double)i)).ToList();
        var body = RemoteWrite.Body([.. Enumerable.Range(0, 5).Select(i => RemoteWrite.Series(samples, "__name__", "fl_up", "instance", "i" + i))]);
        Assert.Equal(200, (await RemoteWrite.PostAsync(http, p.BaseUri, body, Tenant)).Status);

        long end = now / 1000;
        string over = $"/prometheus/api/v1/query_range?query=count(fl_up)&start={end - 1200}&end={end}&step=60";
        var refused = await QueryApi.GetAsync(http, p.BaseUri, over, Tenant);
        Assert.Equal(422, refused.Status);
        Assert.Equal("execution", refused.Json!.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(
            "the query exceeded the maximum number of series (limit: 3 series) (err-mc-max-series-per-query). Consider reducing the time range and/or number of series selected by the query. One way to reduce the number of selected series is to add more label matchers to the query. Otherwise, to adjust the related per-tenant limit, configure -querier.max-fetched-series-per-query, or contact your service administrator.",
            refused.Json.RootElement.GetProperty("error").GetString());

        var instant = await QueryApi.GetAsync(http, p.BaseUri, $"/prometheus/api/v1/query?query=fl_up&time={end}", Tenant);
        Assert.Equal(422, instant.Status);

        // Three series are within the limit, whatever the selectors: the same series selected twice counts once.
        string within = Uri.EscapeDataString("count(fl_up{instance=~\"i[012]\"}) + count(fl_up{instance=~\"i[01]\"})");
        var ok = await QueryApi.GetAsync(http, p.BaseUri, $"/prometheus/api/v1/query?query={within}&time={end}", Tenant);
        Assert.Equal(200, ok.Status);
        Assert.Equal("5", ok.Json!.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
    }
}
