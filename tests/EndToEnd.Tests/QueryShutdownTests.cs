using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>Issue 12, row 10: SIGTERM cancels a runaway query instead of waiting the 30 s graceful timeout for it.</summary>
public sealed class QueryShutdownTests
{
    private const string Tenant = "runaway";

    [Fact]
    public async Task Sigterm_cancels_a_running_query_and_exits_well_before_the_graceful_timeout()
    {
        // One evaluation slot: a quick query timing out in the queue proves the runaway one holds it.
        await using var mc = await MetricsClusterProcess.StartAsync("--querier.max-concurrent=1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = RemoteWrite.Body(RemoteWrite.Series([(now - 60_000, 1)], "__name__", "runaway_metric"));
        Assert.Equal(200, (await RemoteWrite.PostAsync(http, mc.BaseUri, body, Tenant)).Status);

        // About 9e12 subquery steps in bounded memory: it runs until cancelled.
        var runaway = GetAsync(http, mc.BaseUri, "count_over_time(runaway_metric[290y:1ms])", timeout: null);
        while (true)
        {
            var (status, text) = await GetAsync(http, mc.BaseUri, "vector(1)", timeout: "500ms");
            Assert.False(runaway.IsCompleted, "the runaway query ended on its own");
            if (status == 503 && text.Contains("query timed out in queue", StringComparison.Ordinal))
            {
                break;
            }
        }

        // Before the fix Kestrel waited --server.graceful-shutdown-timeout (30 s) for the query; 10 s is ample now.
        int exit = await mc.Child.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.True(exit == 0, $"exit code {exit}:\n{mc.Child.Output}");
        try
        {
            var (status, _) = await runaway;
            Assert.NotEqual(200, status);
        }
        catch (HttpRequestException)
        {
            // The connection closed with the process: also an ended query.
        }
    }

    private static async Task<(int Status, string Body)> GetAsync(HttpClient http, Uri baseUri, string query, string? timeout)
    {
        string url = $"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}" + (timeout is null ? string.Empty : "&timeout=" + timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, url));
        request.Headers.Add("X-Scope-OrgID", Tenant);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
