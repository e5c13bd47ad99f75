using MetricsCluster.Compactor.Planning;
using MetricsCluster.ObjectStore;
using MetricsCluster.Storage;
using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Block.Compaction;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Compactor.Compaction;

/// <summary>
/// Compacts one tenant's blocks in the bucket (Mimir <c>BucketCompactor.Compact</c> for one tenant): sync the metas,
/// plan (<see cref="CompactionPlanner"/>), mark blocks already replaced by a compacted one for deletion, run every job,
/// and plan again while jobs ran, so replicas merged vertically go on into 12h and 24h blocks in the same run.
/// </summary>
/// <remarks>
/// A job downloads its sources into a scratch directory, merges them (<see cref="BlockMerger"/>), uploads the new
/// block with <c>meta.json</c> last, and only then marks the sources for deletion. A crash before the upload finished
/// leaves the sources untouched and a partial block the cleaner removes; a crash after it leaves a block whose
/// sources are a subset of the new one's, which the next run finds redundant (<see cref="RedundantBlockFilter"/>) and
/// marks. Queriers read marked blocks for another <c>--blocks-storage.bucket-store.ignore-deletion-mark-delay</c> and
/// de-duplicate samples by timestamp, so while both exist no sample is counted twice and none is missing.
/// A source the merge cannot read gets a no-compact mark naming the error and is left out from then on (Mimir PR 6588):
/// it stays queryable, and the tenant's other blocks go on being compacted.
/// </remarks>
public sealed partial class TenantCompactor
{
    // Rounds of plan-and-run per tenant and run: 2h → 12h → 24h needs 3; more means blocks keep arriving mid-run.
    private const int MaxRounds = 8;

    private readonly IBucket _bucket;
    private readonly CompactionPlanner _planner;
    private readonly string _scratchDir;
    private readonly CompactionMetrics _metrics;
    private readonly BlocksCleanerMetrics _cleanerMetrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TenantBlocks> _views = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private readonly bool _downsampling;

    /// <summary>Initializes a new instance of the <see cref="TenantCompactor"/> class.</summary>
    /// <param name="bucket">The blocks bucket.</param>
    /// <param name="options">Block ranges and the first-level wait.</param>
    /// <param name="metrics">Where jobs are counted.</param>
    /// <param name="cleanerMetrics">Where deletion marks are counted (reason <c>compaction</c>).</param>
    /// <param name="time">The clock of the wait period, new ULIDs and marks (G6).</param>
    /// <param name="logger">Receives every job and failure.</param>
    public TenantCompactor(IBucket bucket, CompactorOptions options, CompactionMetrics metrics, BlocksCleanerMetrics cleanerMetrics, TimeProvider time, ILogger<TenantCompactor> logger)
    {
        _bucket = bucket;
        _planner = new CompactionPlanner(options, time);
        _scratchDir = options.DataDir;
        _downsampling = options.DownsamplingEnabled;
        _slots = new SemaphoreSlim(options.CompactionConcurrency, options.CompactionConcurrency);
        _metrics = metrics;
        _cleanerMetrics = cleanerMetrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Runs compaction for <paramref name="tenant"/> until nothing is left to do (or <see cref="MaxRounds"/>).</summary>
    /// <param name="tenant">The tenant (a directory of the bucket).</param>
    /// <param name="cancellationToken">Stops between steps; a job cut short is redone next run.</param>
    /// <returns>The number of jobs that failed (each logged and counted).</returns>
    public async Task<int> CompactAsync(string tenant, CancellationToken cancellationToken = default)
    {
        // In a cluster, this process's compactor grains run tenants concurrently: at most --compactor.compaction-concurrency
        // at once (Mimir's compaction_concurrency), so CPU, scratch disk and memory stay bounded however many tenants hash here.
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CompactLockedAsync(tenant, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<int> CompactLockedAsync(string tenant, CancellationToken cancellationToken)
    {
        // One run per tenant at a time (the service runs tenants in turn; in a cluster the tenant's grain), so a view is never shared.
        var view = _views.GetOrAdd(tenant, _ => new TenantBlocks());
        int failed = 0;
        for (int round = 0; round < MaxRounds; round++)
        {
            await view.SyncAsync(_bucket, tenant, _logger, cancellationToken).ConfigureAwait(false);
            var plan = _planner.Plan(new CompactionPlanInput(view.Blocks, view.Excluded, m => view.Uploaded.GetValueOrDefault(m.Ulid, DateTimeOffset.MinValue)));
            foreach (var redundant in plan.Redundant)
            {
                // A compacted block holding all of this one's sources is up: a run that crashed before marking its sources.
                await MarkReplacedAsync(tenant, redundant.Ulid, cancellationToken).ConfigureAwait(false);
            }

            int ran = 0;
            foreach (var job in plan.Jobs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await RunJobAsync(tenant, job, cancellationToken).ConfigureAwait(false))
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

        if (_downsampling)
        {
            failed += await DownsampleAsync(tenant, view, cancellationToken).ConfigureAwait(false);
        }

        if (failed == 0)
        {
            _metrics.LastSuccessfulRun(tenant).Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        }

        return failed;
    }

    private async Task<bool> RunJobAsync(string tenant, CompactionJob job, CancellationToken cancellationToken)
    {
        var ulid = Ulid.New(_time);

        // Named by the new block's ULID, not by tenant or job key: no bucket-provided name becomes a local path.
        string jobDir = Path.Combine(_scratchDir, $"job-{ulid}");
        DeleteIfExists(jobDir);
        Directory.CreateDirectory(jobDir);
        try
        {
            var sourceDirs = new List<string>(job.Blocks.Count);
            foreach (var source in job.Blocks)
            {
                string dir = Path.Combine(jobDir, source.Ulid.ToString());
                await BlockTransfer.DownloadAsync(_bucket, tenant, source.Ulid, dir, cancellationToken).ConfigureAwait(false);
                sourceDirs.Add(dir);
            }

            string outDir = Path.Combine(jobDir, "out");
            Directory.CreateDirectory(outDir);
            var started = _time.GetTimestamp();
            IReadOnlyList<BlockMeta> written = job.IsSplit
                ? BlockMerger.Split(outDir, [ulid, .. Enumerable.Range(1, job.SplitShards - 1).Select(_ => Ulid.New(_time))], sourceDirs, options: null, cancellationToken)
                : [BlockMerger.Merge(outDir, ulid, sourceDirs, options: null, cancellationToken)];

            // Every output up before any source is marked. A crash between two shard uploads leaves the sources
            // unmarked (a shard holds only part of their series, so it never makes them redundant): the next run
            // splits them again, and the duplicate shard blocks (same shard, same sources) are found redundant.
            foreach (var block in written)
            {
                await BlockTransfer.UploadAsync(_bucket, tenant, block.Ulid, Path.Combine(outDir, block.Ulid.ToString()), cancellationToken).ConfigureAwait(false);
            }

            foreach (var source in job.Blocks)
            {
                await MarkReplacedAsync(tenant, source.Ulid, cancellationToken).ConfigureAwait(false);
            }

            _metrics.Compactions.Inc();
            _metrics.SourcesCompacted.Add(job.Blocks.Count);
            ulong samples = (ulong)written.Sum(m => (long)m.Stats.NumSamples);
            _metrics.SamplesWritten.Add(samples);
            _logger.LogInformation(
                "compactor: tenant {Tenant}: {Kind}{Split} compaction of {Count} blocks [{Sources}] into [{Blocks}] [{MinTime}, {MaxTime}) level {Level}, {Series} series, {Samples} samples, in {Elapsed}",
                tenant, job.Kind, job.IsSplit ? $" split-{job.SplitShards}" : string.Empty, job.Blocks.Count, string.Join(",", job.BlockIds), string.Join(",", written.Select(m => m.Ulid)),
                written[0].MinTime, written.Max(m => m.MaxTime), written[0].Compaction.Level, written.Sum(m => (long)m.Stats.NumSeries), samples, _time.GetElapsedTime(started));
            return true;
        }
        catch (BlockMergeSourceException e)
        {
            var mark = new NoCompactMark(e.SourceBlock, NoCompactMark.CriticalReason, e.Reason, _time.GetUtcNow().ToUnixTimeSeconds());
            await BlockMarker.MarkNoCompactAsync(_bucket, tenant, mark, cancellationToken).ConfigureAwait(false);
            _metrics.NoCompactMarked.Inc();
            _metrics.CompactionFailures.Inc();
            _logger.LogError(e, "compactor: tenant {Tenant}: block {Block} cannot be compacted ({Reason}); marked no-compact, it stays queryable", tenant, e.SourceBlock, e.Reason);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _metrics.CompactionFailures.Inc();
            _logger.LogError(e, "compactor: tenant {Tenant}: compaction job {Job} failed; retried next run", tenant, job);
            return false;
        }
        finally
        {
            DeleteIfExists(jobDir);
        }
    }

    private async Task MarkReplacedAsync(string tenant, Ulid id, CancellationToken cancellationToken)
    {
        var (_, created) = await BlockMarker.MarkForDeletionAsync(_bucket, tenant, id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (created)
        {
            _cleanerMetrics.MarkedCompacted.Inc();
        }
    }

    private static void DeleteIfExists(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
