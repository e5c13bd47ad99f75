using System.Diagnostics;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Compactor.Tests;

public sealed class CompactorServiceTests : IDisposable
{
    private readonly TestBucket _b = new();

    public void Dispose() => _b.Dispose();

    [Fact]
    public async Task Runs_a_cleanup_at_start_without_waiting_for_the_interval()
    {
        var old = await _b.PutBlockAsync("t1", 0, 7_200_000);
        var options = new CompactorOptions { CleanupInterval = TimeSpan.FromHours(1) };
        var metrics = new BlocksCleanerMetrics(new MetricsRegistry());
        var cleaner = new BlocksCleaner(
            _b.Bucket, new StaticOverrides(new Limits { CompactorBlocksRetentionPeriod = TimeSpan.FromDays(1) }), options, metrics, TimeProvider.System, NullLogger<BlocksCleaner>.Instance);
        using var service = new CompactorService(cleaner, options, TimeProvider.System, NullLogger<CompactorService>.Instance);

        await service.StartAsync(CancellationToken.None);
        try
        {
            // Barrier: poll for the first run's result (generous: the machine is shared and slow).
            var wait = Stopwatch.StartNew();
            while (metrics.LastSuccessfulRun("t1").Value == 0 && wait.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }

            Assert.True(await _b.Bucket.ExistsAsync(BlockDeletionMark.GlobalKey("t1", old)));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }
}
