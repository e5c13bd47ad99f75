using System.Collections.Concurrent;
using System.Globalization;
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
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Every_acknowledged_sample_survives_kill_9_and_restart()
    {
        await using var mc = await StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var load = new CrashLoad(http, mc);

        // Let the load run, then kill while pushes are in flight.
        await load.KillAfterAsync(200);
        await mc.RestartAsync();
        await load.AssertEveryAckedSampleOnceAsync("after the kill");
    }

    [Fact]
    public async Task Every_acknowledged_sample_survives_three_kill_9_at_random_moments_exactly_once()
    {
        // The moment of each kill is counted in acknowledged pushes, not time, so a seed replays the same kills.
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : Random.Shared.Next();
        var rng = new Random(seed);
        await using var mc = await StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var load = new CrashLoad(http, mc);
        for (int round = 1; round <= 3; round++)
        {
            // From the very first push after a restart (the WAL just replayed) to well into a segment.
            int pushes = rng.Next(1, 150);
            await load.KillAfterAsync(pushes);
            await mc.RestartAsync();
            await load.AssertEveryAckedSampleOnceAsync($"CHAOS_SEED={seed}: after kill {round} of 3, {pushes} acknowledged pushes after the last restart");
        }
    }

    private static Task<MetricsClusterProcess> StartAsync() =>
        MetricsClusterProcess.StartAsync("--distributor.ingestion-rate-limit=100000000", "--distributor.ingestion-burst-size=100000000");

    /// <summary>
    /// <see cref="Writers"/> writers pushing <see cref="SeriesPerWriter"/> series of <see cref="SamplesPerPush"/>
    /// samples each per push, until the process is killed; remembers every acknowledged sample. Each writer's
    /// timestamps keep rising across restarts, so no push repeats one a killed push may have stored unacknowledged.
    /// </summary>
    private sealed class CrashLoad(HttpClient http, MetricsClusterProcess mc)
    {
        private readonly long _baseT = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (30 * 60 * 1000);
        private readonly ConcurrentBag<(string Series, long T, double V)> _acked = [];
        private readonly int[] _nextRound = new int[Writers];
        private int _pushes;
        private int _killAt;

        // Set before the kill: a push can fail with a reset the instant the process dies, before
        // Process.HasExited turns true, and such a push was never acknowledged.
        private int _killing;

        /// <summary>Runs the writers and kills the process (SIGKILL) the instant the <paramref name="pushes"/>th push from now is acknowledged.</summary>
        public async Task KillAfterAsync(int pushes)
        {
            _killing = 0;
            _killAt = Volatile.Read(ref _pushes) + pushes;
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w))).ToArray();
            await Task.WhenAll(writers).WaitAsync(s_generous);
            Assert.True(mc.Child.HasExited, "the writers stopped but the process was not killed");
        }

        /// <summary>Asserts that the restarted process returns every acknowledged sample, each timestamp once.</summary>
        public async Task AssertEveryAckedSampleOnceAsync(string when)
        {
            var read = await RemoteRead.ReadAsync(http, mc.BaseUri, Tenant, _baseT - 1, _baseT + 100_000_000, ("__name__", "crash_metric"));
            var present = read.SelectMany(kv => kv.Value.Select(s => (kv.Key, s.T, s.V))).ToHashSet();
            var missing = _acked.Where(a => !present.Contains(a)).ToList();
            Assert.True(missing.Count == 0, $"{when}: {missing.Count} of {_acked.Count} acknowledged samples lost, e.g. {string.Join("; ", missing.Take(5))}\n{mc.Child.Output}");
            var ackedSeries = _acked.Select(a => a.Series).ToHashSet();
            Assert.True(ackedSeries.IsSubsetOf(read.Keys), $"{when}: series lost: {string.Join(", ", ackedSeries.Except(read.Keys).Take(5))}");
            var repeated = read.SelectMany(kv => kv.Value.GroupBy(s => s.T).Where(g => g.Count() > 1).Select(g => $"{kv.Key} t={g.Key} ×{g.Count()}")).ToList();
            Assert.True(repeated.Count == 0, $"{when}: {repeated.Count} timestamps returned more than once, e.g. {string.Join("; ", repeated.Take(5))}");
        }

        private async Task WriteAsync(int w)
        {
            while (Volatile.Read(ref _killing) == 0)
            {
                int round = _nextRound[w]++;
                var series = Enumerable.Range(0, SeriesPerWriter).Select(i =>
                {
                    var samples = Enumerable.Range(0, SamplesPerPush).Select(k => (T: _baseT + (((round * SamplesPerPush) + k) * 100L), V: (double)((round * SamplesPerPush) + k + w))).ToArray();
                    return (Key: $"__name__=crash_metric,series={w}-{i}", Ts: RemoteWrite.Series(samples, "__name__", "crash_metric", "series", $"{w}-{i}"), Samples: samples);
                }).ToArray();
                try
                {
                    var (status, body) = await RemoteWrite.PostAsync(http, mc.BaseUri, RemoteWrite.Body(series.Select(s => s.Ts).ToArray()), Tenant);
                    if (status != 200)
                    {
                        throw new InvalidOperationException($"push failed before the kill: {status} {body}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && Volatile.Read(ref _killing) == 1)
                {
                    return; // In flight at the kill: not acknowledged, so no promise was made.
                }

                foreach (var s in series)
                {
                    foreach (var (t, v) in s.Samples)
                    {
                        _acked.Add((s.Key, t, v));
                    }
                }

                if (Interlocked.Increment(ref _pushes) == _killAt)
                {
                    Volatile.Write(ref _killing, 1);
                    mc.Kill9();
                }
            }
        }
    }
}
