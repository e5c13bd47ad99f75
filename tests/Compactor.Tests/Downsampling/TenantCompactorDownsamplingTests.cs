using MetricsCluster.Compactor.Compaction;
using MetricsCluster.Compactor.Downsampling;
using MetricsCluster.Compactor.Tests.Compaction;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static MetricsCluster.Compactor.Tests.Compaction.CompactionFixture;

namespace MetricsCluster.Compactor.Tests.Downsampling;

/// <summary>The compactor's run with downsampling on: compaction first, then the 40h+ result gets a 5m copy, once.</summary>
public sealed class TenantCompactorDownsamplingTests : IDisposable
{
    private readonly CompactionFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Two_days_compacted_into_a_48h_block_get_a_5m_copy_and_a_second_run_adds_nothing()
    {
        var options = new CompactorOptions
        {
            BlockRanges = [TimeSpan.FromHours(2), TimeSpan.FromHours(24), TimeSpan.FromHours(48)],
            FirstLevelCompactionWaitPeriod = TimeSpan.Zero,
            DownsamplingEnabled = true,
            DataDir = _f.Options.DataDir,
        };
        options.Validate();
        var compactor = new TenantCompactor(_f.B.Bucket, options, _f.Metrics, _f.CleanerMetrics, TimeProvider.System, NullLogger<TenantCompactor>.Instance);
        // 2024-01-02 and 01-03: the 48h range holding both starts at day 19724 since the epoch (48h-aligned).
        var day1 = await _f.UploadAsync(24, 48, Samples(24, 48, 3), level: 2);
        var day2 = await _f.UploadAsync(48, 72, Samples(48, 72, 3), level: 2);

        Assert.Equal(0, await compactor.CompactAsync(Tenant));

        var metas = await MetasAsync();
        var raw = Assert.Single(metas, m => m.Thanos?.DownsampleResolution is null or 0 && m.MaxTime - m.MinTime == 48 * 3_600_000L);
        var five = Assert.Single(metas, m => m.Thanos?.DownsampleResolution == DownsampleResolution.FiveMinutes);
        Assert.Equal((Ms(24), Ms(72)), (five.MinTime, five.MaxTime));
        Assert.Equal(raw.Compaction.Sources.Order(), five.Compaction.Sources.Order());
        Assert.Equal(3UL, five.Stats.NumSeries);
        Assert.Equal(3UL * 48 * 12, five.Stats.NumSamples);
        Assert.Equal(1, _f.Metrics.Downsamples5m.Value);
        Assert.False(await _f.B.Bucket.ExistsAsync(BlockDeletionMark.GlobalKey(Tenant, raw.Ulid)), "the raw source stays");
        Assert.Contains(day1.Ulid, raw.Compaction.Parents.Select(p => p.Ulid));
        Assert.Contains(day2.Ulid, raw.Compaction.Parents.Select(p => p.Ulid));

        // 48h is below 10d: no 1h block; and the 5m copy exists, so the next run has nothing to do.
        Assert.Equal(0, await compactor.CompactAsync(Tenant));
        Assert.Equal(metas.Count, (await MetasAsync()).Count);
        Assert.Equal(1, _f.Metrics.Downsamples5m.Value);
        Assert.Equal(0, _f.Metrics.Downsamples1h.Value);
    }

    [Fact]
    public void The_flag_needs_a_range_of_at_least_40h()
    {
        var e = Assert.Throws<ArgumentException>(() => new CompactorOptions { DownsamplingEnabled = true }.Validate());
        Assert.Contains("compactor.downsampling-enabled", e.Message, StringComparison.Ordinal);
        Assert.Contains("24h0m0s", e.Message, StringComparison.Ordinal);
        new CompactorOptions { DownsamplingEnabled = true, BlockRanges = [TimeSpan.FromHours(2), TimeSpan.FromHours(40)] }.Validate();
    }

    /// <summary>Metas of the blocks without a deletion mark.</summary>
    private async Task<List<BlockMeta>> MetasAsync()
    {
        var keys = await TestBucket.KeysAsync(_f.B.Bucket, Tenant + "/");
        var metas = new List<BlockMeta>();
        foreach (string key in keys.Where(k => k.EndsWith("/" + BlockMeta.FileName, StringComparison.Ordinal)))
        {
            var id = Ulid.Parse(key.Split('/')[1]);
            if (keys.Contains(BlockDeletionMark.GlobalKey(Tenant, id)))
            {
                continue;
            }

            await using var s = await _f.B.Bucket.GetAsync(key);
            using var ms = new MemoryStream();
            await s.CopyToAsync(ms);
            metas.Add(BlockMeta.Parse(ms.ToArray()));
        }

        return metas;
    }
}
