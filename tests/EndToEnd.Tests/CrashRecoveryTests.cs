using System.Collections.Concurrent;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>kill -9 under load: every acknowledged sample survives, through WAL replay.</summary>
public sealed class CrashRecoveryTests
{
    private const string Tenant = "crash";
    private const int Writers = 4;
    private const int SeriesPerWriter = 50;
    private const int SamplesPerPush = 5;

    [Fact]
    public async Task Every_acknowledged_sample_survives_kill_9_and_restart()
    {
        await using var mc = await MetricsClusterProcess.StartAsync("--distributor.ingestion-rate-limit=100000000", "--distributor.ingestion-burst-size=100000000");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        long baseT = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (30 * 60 * 1000);
        var acked = new ConcurrentBag<(string Series, long T, double V)>();
        using var stop = new CancellationTokenSource();
        int pushes = 0;

        // Set before the kill: a push can fail with a reset the instant the process dies, before
        // Process.HasExited turns true, and such a push was never acknowledged.
        int killing = 0;

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int round = 0; !stop.IsCancellationRequested; round++)
            {
                var series = Enumerable.Range(0, SeriesPerWriter).Select(i =>
                {
                    var samples = Enumerable.Range(0, SamplesPerPush).Select(k => (T: baseT + (((round * SamplesPerPush) + k) * 100L), V: (double)((round * SamplesPerPush) + k + w))).ToArray();
                    return (Key: $"__name__=crash_metric,series={w}-{i}", Ts: RemoteWrite.Series(samples, "__name__", "crash_metric", "series", $"{w}-{i}"), Samples: samples);
                }).ToArray();
                try
                {
                    var (status, body) = await RemoteWrite.PostAsync(http, mc.BaseUri, RemoteWrite.Body(series.Select(s => s.Ts).ToArray()), Tenant);
                    if (status != 200)
                    {
                        throw new InvalidOperationException($"push failed before the kill: {status} {body}");
                    }

                    Interlocked.Increment(ref pushes);
                    foreach (var s in series)
                    {
                        foreach (var (t, v) in s.Samples)
                        {
                            acked.Add((s.Key, t, v));
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && Volatile.Read(ref killing) == 1)
                {
                    return; // In flight at the kill: not acknowledged, so no promise was made.
                }
            }
        })).ToArray();

        // Let the load run, then kill while pushes are in flight.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref pushes) < 200 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Volatile.Write(ref killing, 1);
        mc.Kill9();
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Assert.True(pushes >= 50, $"only {pushes} pushes before the kill");

        await mc.RestartAsync();
        var read = await RemoteRead.ReadAsync(http, mc.BaseUri, Tenant, baseT - 1, baseT + 100_000_000, ("__name__", "crash_metric"));
        var present = read.SelectMany(kv => kv.Value.Select(s => (kv.Key, s.T, s.V))).ToHashSet();
        var missing = acked.Where(a => !present.Contains(a)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acked.Count} acknowledged samples lost, e.g. {string.Join("; ", missing.Take(5))}\n{mc.Child.Output}");
        var ackedSeries = acked.Select(a => a.Series).ToHashSet();
        Assert.True(ackedSeries.IsSubsetOf(read.Keys), $"series lost: {string.Join(", ", ackedSeries.Except(read.Keys).Take(5))}");
    }
}
