using MetricsCluster.EndToEnd.Tests.Infra;
using MetricsCluster.Tests.Shared;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The data volume fills up under a steady load (a small tmpfs the test mounts, filled to the last byte): pushes fail
/// with a retryable 5xx, <c>/ready</c> and a metric say which tenant cannot write, and once space is freed the same
/// process accepts writes again; every acknowledged sample is served, before and after a restart.
/// </summary>
public sealed class ChaosDiskFullTests
{
    private const string Tenant = "disk-full";
    private const int Series = 50;
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_full_disk_fails_pushes_with_5xx_and_after_space_is_freed_the_same_process_heals_and_loses_nothing()
    {
        using var disk = SmallDisk.Mount(64L * 1024 * 1024);
        await using var mc = await MetricsClusterProcess.StartInAsync(
            Path.Combine(disk.Path, "data"), "--distributor.ingestion-rate-limit=100000000", "--distributor.ingestion-burst-size=100000000");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await using var writer = new LoadWriter(mc.BaseUri, Tenant, "disk_full_load", Series);
        writer.Start();
        await writer.WaitForMoreAsync(10, s_generous);

        disk.Fill();
        await Poll.UntilAsync(
            async () =>
            {
                var (status, body) = await GetAsync(http, new Uri(mc.BaseUri, "/ready"));
                return status == 503 && body.Contains(Tenant, StringComparison.Ordinal) && writer.Failures.Count > 0 ? null : $"/ready {status}: {body}";
            },
            s_generous,
            "/ready naming the tenant whose WAL cannot be written, and a failed push");
        Assert.Contains($"metricscluster_ingester_tenant_write_failing{{user=\"{Tenant}\"}} 1", await http.GetStringAsync(new Uri(mc.BaseUri, "/metrics")), StringComparison.Ordinal);

        disk.Free();
        await Poll.UntilAsync(
            async () => (await GetAsync(http, new Uri(mc.BaseUri, "/ready"))).Status == 200 ? null : "not ready",
            s_generous,
            "/ready once space is free");
        int failuresAfterHeal = writer.Failures.Count;
        await writer.WaitForMoreAsync(20, s_generous);
        await writer.StopAsync();

        // Refused pushes are retryable (never 4xx, which Prometheus drops), and none after healing.
        Assert.All(writer.Failures, f => Assert.Contains(": HTTP 500: ", f, StringComparison.Ordinal));
        Assert.Contains(writer.Failures, f => f.Contains("err-mc-ingester-wal-write-failing", StringComparison.Ordinal));
        Assert.Equal(failuresAfterHeal, writer.Failures.Count);
        await Poll.UntilAsync(() => AckedSamples.CheckAtLeastOnceAsync(http, mc.BaseUri, Tenant, writer), s_generous, "every acknowledged sample served");

        // The WAL written around the failure replays: nothing acknowledged is lost across a restart either.
        int exit = await mc.Child.TerminateAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"exit {exit}:\n{mc.Child.Output}");
        await mc.RestartAsync();
        Assert.Null(await AckedSamples.CheckAtLeastOnceAsync(http, mc.BaseUri, Tenant, writer));
    }

    [Fact]
    public async Task Kill_9_while_the_disk_is_full_loses_no_acknowledged_sample()
    {
        using var disk = SmallDisk.Mount(64L * 1024 * 1024);
        await using var mc = await MetricsClusterProcess.StartInAsync(
            Path.Combine(disk.Path, "data"), "--distributor.ingestion-rate-limit=100000000", "--distributor.ingestion-burst-size=100000000");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await using var writer = new LoadWriter(mc.BaseUri, Tenant, "disk_full_kill", Series);
        writer.Start();
        await writer.WaitForMoreAsync(10, s_generous);

        // Killed with a torn record in the WAL (or a recovery half done): replay repairs the tail.
        disk.Fill();
        await Poll.UntilAsync(() => Task.FromResult(writer.Failures.Count > 2 ? null : "fewer than 3 refused pushes"), s_generous, "pushes refused on the full disk");
        mc.Kill9();
        await writer.StopAsync();
        disk.Free();
        await mc.RestartAsync();
        await Poll.UntilAsync(() => AckedSamples.CheckAtLeastOnceAsync(http, mc.BaseUri, Tenant, writer), s_generous, "every acknowledged sample served after the restart");
    }

    private static async Task<(int Status, string Body)> GetAsync(HttpClient http, Uri uri)
    {
        using var resp = await http.GetAsync(uri);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }
}
