using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Ingester.Tests;

public sealed class IngesterStatsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ingester-stats-" + Guid.NewGuid().ToString("N"));
    private readonly SteppedTime _time = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Stats_count_head_series_and_samples_and_weight_the_rate_over_a_minute()
    {
        using var ing = new Ingester(new IngesterOptions { TsdbDir = _dir, WalSegmentSize = 64 * 1024 }, new StaticOverrides(new Limits()), new MetricsRegistry(), NullLogger<Ingester>.Instance, _time);
        await ing.StartAsync(default);

        // 10 s at 100 samples/s over 10 series seeds the average with exactly 100/s.
        await Push(ing, "b", series: 10, samplesPerSeries: 100, t0: 1000);
        _time.Advance(TimeSpan.FromSeconds(10));
        var b = await ing.UserStatsAsync("b", default);
        Assert.Equal(new UserStats(10, 100, 1000), b);

        // The next 60 s see nothing: the average decays by e^-1, it does not drop to zero at once.
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(100 * Math.Exp(-1), (await ing.UserStatsAsync("b", default)).IngestionRate, 6);

        await Push(ing, "a", series: 3, samplesPerSeries: 1, t0: 1000);
        var all = await ing.AllUserStatsAsync(default);
        Assert.Equal(["a", "b"], all.Select(s => s.Tenant));
        Assert.Equal(3, all[0].Stats.NumSeries);
        Assert.Equal(3, all[0].Stats.SamplesIngested);
        Assert.Equal(new UserStats(0, 0, 0), await ing.UserStatsAsync("nobody", default));
        await ing.StopAsync(default);
    }

    private static async Task Push(Ingester ing, string tenant, int series, int samplesPerSeries, long t0)
    {
        using var batch = new PushBatch();
        for (int s = 0; s < series; s++)
        {
            var l = Labels.FromStrings("__name__", "m", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture));
            batch.AddSeries(l.Bytes, l.Hash);
            for (int i = 0; i < samplesPerSeries; i++)
            {
                batch.AddSample(t0 + i, i);
            }
        }

        var r = await ing.PushAsync(tenant, batch, default);
        Assert.Null(r.FirstError);
        Assert.Equal(series * samplesPerSeries, r.Accepted);
    }

    /// <summary>A clock that moves only when told; timestamps in ticks.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private long _ticks = TimeSpan.FromDays(20000).Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
