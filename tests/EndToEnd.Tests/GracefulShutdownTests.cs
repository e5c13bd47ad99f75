using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>SIGTERM: in-flight work finishes, WALs close cleanly, the restart replays without any repair.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_exits_zero_closes_the_wal_cleanly_and_keeps_everything()
    {
        const string tenant = "graceful";
        await using var mc = await MetricsClusterProcess.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        for (int i = 0; i < 20; i++)
        {
            var body = RemoteWrite.Body(Enumerable.Range(0, 50)
                .Select(s => RemoteWrite.Series([(t0 + (i * 1000L), i)], "__name__", "graceful_metric", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .ToArray());
            Assert.Equal(200, (await RemoteWrite.PostAsync(http, mc.BaseUri, body, tenant)).Status);
        }

        int exit = await mc.Child.TerminateAsync(TimeSpan.FromSeconds(30));
        string firstRun = mc.Child.Output;
        Assert.True(exit == 0, $"exit code {exit}:\n{firstRun}");
        Assert.Contains("closed TSDB of tenant graceful", firstRun);

        await mc.RestartAsync();
        var read = await RemoteRead.ReadAsync(http, mc.BaseUri, tenant, t0 - 1, t0 + 100_000, ("__name__", "graceful_metric"));
        Assert.Equal(50, read.Count);
        Assert.All(read.Values, samples => Assert.Equal(20, samples.Count));
        Assert.DoesNotContain("corrupt", mc.Child.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("replayed 50 series, 1000 samples", mc.Child.Output);
    }
}
