using MetricsCluster.Compactor.Downsampling;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Compactor.Compaction;

/// <summary>Downsampling after compaction (Thanos' compactor runs it after each compaction pass too).</summary>
public sealed partial class TenantCompactor
{
    // Raw → 5m, then the 5m blocks just written → 1h; a third round only when blocks arrived in between.
    private const int MaxDownsampleRounds = 3;

    private async Task<int> DownsampleAsync(string tenant, TenantBlocks view, CancellationToken cancellationToken)
    {
        int failed = 0;
        for (int round = 0; round < MaxDownsampleRounds; round++)
        {
            await view.SyncAsync(_bucket, tenant, _logger, cancellationToken).ConfigureAwait(false);
            int ran = 0;
            foreach (var job in DownsamplePlanner.Plan(view.Blocks, view.Excluded))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await RunDownsampleAsync(tenant, job, cancellationToken).ConfigureAwait(false))
                {
                    ran++;
                }
                else
                {
                    failed++;
                }
            }

            if (ran == 0)
            {
                break;
            }
        }

        return failed;
    }

    // Download, downsample, upload with meta.json last. The source stays: raw data keep answering exact queries, and a
    // crash before the upload leaves a partial block the cleaner removes, after which the next run downsamples again.
    private async Task<bool> RunDownsampleAsync(string tenant, DownsampleJob job, CancellationToken cancellationToken)
    {
        var ulid = Ulid.New(_time);
        string jobDir = Path.Combine(_scratchDir, $"job-{ulid}");
        DeleteIfExists(jobDir);
        Directory.CreateDirectory(jobDir);
        try
        {
            string sourceDir = Path.Combine(jobDir, job.Source.Ulid.ToString());
            await BlockTransfer.DownloadAsync(_bucket, tenant, job.Source.Ulid, sourceDir, cancellationToken).ConfigureAwait(false);
            string outDir = Path.Combine(jobDir, "out");
            Directory.CreateDirectory(outDir);
            var started = _time.GetTimestamp();
            var meta = BlockDownsampler.Downsample(sourceDir, outDir, ulid, job.Resolution, cancellationToken);
            await BlockTransfer.UploadAsync(_bucket, tenant, ulid, Path.Combine(outDir, ulid.ToString()), cancellationToken).ConfigureAwait(false);
            (job.Resolution == DownsampleResolution.OneHour ? _metrics.Downsamples1h : _metrics.Downsamples5m).Inc();
            _logger.LogInformation(
                "compactor: tenant {Tenant}: downsampled block {Source} [{MinTime}, {MaxTime}) to {Resolution} ms as {Block}: {Series} series, {Chunks} chunks, {Windows} windows, in {Elapsed}",
                tenant, job.Source.Ulid, meta.MinTime, meta.MaxTime, job.Resolution, ulid, meta.Stats.NumSeries, meta.Stats.NumChunks, meta.Stats.NumSamples, _time.GetElapsedTime(started));
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _metrics.DownsampleFailures.Inc();
            _logger.LogError(e, "compactor: tenant {Tenant}: downsampling block {Block} to {Resolution} ms failed; retried next run", tenant, job.Source.Ulid, job.Resolution);
            return false;
        }
        finally
        {
            DeleteIfExists(jobDir);
        }
    }
}
