using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.Tsdb.Db;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ingester;

/// <summary>
/// Holds one TSDB per tenant under &lt;data.dir&gt;/tsdb/&lt;tenant&gt;/, laid out like a Prometheus data
/// directory. On start it replays every tenant's WAL before it reports ready; on stop it waits for
/// in-flight pushes and closes the WALs cleanly (flush + fsync).
/// </summary>
public sealed partial class Ingester : IIngesterClient, IHostedService, IDisposable
{
    private readonly IngesterOptions _options;
    private readonly IOverrides _overrides;
    private readonly ILogger<Ingester> _logger;
    private readonly ConcurrentDictionary<string, Lazy<TenantDb>> _tenants = new(StringComparer.Ordinal);
    private readonly IngesterMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HeadCompactor _compactor;
    private readonly TimeProvider _time;
    private readonly Lock _tenantCreation = new();
    private Task _syncLoop = Task.CompletedTask;
    private Task _compactionLoop = Task.CompletedTask;
    private int _inflight;
    private int _disposed;
    private volatile bool _closing;

    /// <summary>Creates the ingester; nothing touches disk until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="overrides">Per-tenant limits.</param>
    /// <param name="registry">Where the metrics go.</param>
    /// <param name="logger">The log.</param>
    /// <param name="time">Clock for block ULIDs and the head compaction timer (G6); the system clock when null.</param>
    public Ingester(IngesterOptions options, IOverrides overrides, MetricsRegistry registry, ILogger<Ingester> logger, TimeProvider? time = null)
    {
        options.Validate();
        _options = options;
        _overrides = overrides;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _compactor = new HeadCompactor(options.BlockRangeMs, _time);
        _metrics = new IngesterMetrics(registry, this);
    }

    /// <summary>True once every existing tenant's WAL has been replayed.</summary>
    public bool IsReady { get; private set; }

    /// <summary>Cuts heads into blocks; internal so tests can make its block writes fail.</summary>
    internal HeadCompactor Compactor => _compactor;

    internal IEnumerable<TenantDb> OpenTenants => _tenants.Values.Where(l => l.IsValueCreated).Select(l => l.Value);

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.TsdbDir);
        foreach (var dir in Directory.EnumerateDirectories(_options.TsdbDir))
        {
            string tenant = Path.GetFileName(dir);
            if (TenantId.Validate(tenant) is not null)
            {
                _logger.LogWarning("skipping directory {Dir}: not a valid tenant id", dir);
                continue;
            }

            OpenAtStart(tenant);
        }

        WarmUpReads();
        IsReady = true;
        if (_options.WalSyncInterval > TimeSpan.Zero && !_options.WalFsyncEveryPush)
        {
            _syncLoop = Task.Run(() => SyncLoopAsync(_stopping.Token), CancellationToken.None);
        }

        if (_options.HeadCompactionInterval > TimeSpan.Zero)
        {
            _compactionLoop = Task.Run(() => CompactionLoopAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// One small select on a replayed tenant (one metric, the head's last minute), so the head's read path
    /// is compiled before the first query rather than during it: the binary runs with tiered compilation off, and the
    /// host's QueryWarmup covers the rest of the query path the same way (scripts/bench-startup.sh measures it).
    /// </summary>
    private void WarmUpReads()
    {
        try
        {
            var db = OpenTenants.FirstOrDefault(d => d.Head.MaxTime >= d.Head.MinTime);
            if (db is null || db.Db.LabelValues("__name__", long.MinValue, long.MaxValue, []) is not [var name, ..])
            {
                return;
            }

            long t = db.Head.MaxTime;
            db.Db.Select(t - 60_000, t, labelsOnly: false, [Matcher.Eq("__name__", name)]);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "warming up the read path failed; the first query will be slower");
        }
    }

    /// <summary>
    /// Stops taking writes (LEAVING before the final flush: a distributor whose ring view is a poll behind may still
    /// send some; they fail as retryable and land on the other replicas) and waits for the pushes in flight, so the
    /// flush that follows cuts everything the heads will ever hold.
    /// </summary>
    public async Task StopWritesAsync(CancellationToken cancellationToken)
    {
        _closing = true;
        while (Volatile.Read(ref _inflight) > 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _closing = true;
        await _stopping.CancelAsync();
        await _syncLoop;
        await _compactionLoop;
        while (Volatile.Read(ref _inflight) > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        foreach (var db in OpenTenants)
        {
            db.Dispose();
            _logger.LogInformation("closed TSDB of tenant {Tenant}", db.Tenant);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IngesterUnavailableException">
    /// Not taking writes (starting, stopping) or over an instance limit (pushes in flight, tenants): retryable.
    /// </exception>
    public ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken)
    {
        int inflight = EnterPush();
        try
        {
            if (_closing || !IsReady)
            {
                throw new IngesterUnavailableException("ingester is not accepting writes (starting, leaving the ring or shutting down)");
            }

            if (_options.MaxInflightPushRequests > 0 && inflight > _options.MaxInflightPushRequests)
            {
                throw InstanceLimitReached(ErrorId.IngesterMaxInflightPushRequests);
            }

            // The tenant becomes a directory name: refuse it here too, whoever called (HTTP, RPC or in process).
            var db = TenantForPush(TenantId.ThrowIfInvalid(tenant));
            var result = new PushResult();
            if (batch.SeriesCount > 0)
            {
                Append(db, batch, result);
            }

            if (batch.Metadata.Count > 0)
            {
                db.AddMetadata(batch.Metadata);
            }

            _metrics.Appended(tenant, result.Accepted);
            RecordIngested(tenant, result.Accepted);
            return ValueTask.FromResult(result);
        }
        finally
        {
            ExitPush();
        }
    }

    /// <summary>Pushes in flight now (the instance limit and shutdown both wait on this count).</summary>
    internal int InflightPushRequests => Volatile.Read(ref _inflight);

    /// <summary>Counts a push in flight; returns the count including it. Pair with <see cref="ExitPush"/>.</summary>
    internal int EnterPush() => Interlocked.Increment(ref _inflight);

    /// <summary>Ends a push counted by <see cref="EnterPush"/>.</summary>
    internal void ExitPush() => Interlocked.Decrement(ref _inflight);

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Recorded only when the query runs in this process (a grain call starts a new async flow, with no trace).
        Core.Storage.QueryTrace.Record("ingester", "this process");
        await Task.Yield();
        if (!TryTenant(tenant, out var db))
        {
            yield break;
        }

        foreach (var s in db.Db.Select(mint, maxt, labelsOnly, matchers, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return s;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(TryTenant(tenant, out var db) ? db.Db.LabelNames(mint, maxt, matchers, cancellationToken) : []);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(TryTenant(tenant, out var db) ? db.Db.LabelValues(name, mint, maxt, matchers, cancellationToken) : []);

    /// <summary>
    /// Cuts every matching tenant's head into blocks: all of it when <paramref name="force"/> (Mimir's
    /// <c>/ingester/flush</c>), else only what Prometheus' 1.5 × block range rule allows. Null or empty
    /// <paramref name="tenants"/> means every open tenant. Returns the number of blocks written.
    /// </summary>
    /// <exception cref="IOException">Some tenants could not be compacted (the message names them); every other tenant was.</exception>
    public Task<int> CompactHeadsAsync(bool force, IReadOnlyCollection<string>? tenants, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                int blocks = 0;
                var failed = new List<string>();
                Exception? first = null;
                foreach (var db in OpenTenants)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (tenants is { Count: > 0 } && !tenants.Contains(db.Tenant))
                    {
                        continue;
                    }

                    // One tenant's full disk or broken block must not keep the others' heads from being cut.
                    try
                    {
                        blocks += CompactHead(db, force);
                    }
                    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                    {
                        _logger.LogError(e, "head compaction of tenant {Tenant} failed; its head and WAL keep the samples", db.Tenant);
                        failed.Add($"{db.Tenant} ({e.Message})");
                        first ??= e;
                    }
                }

                return first is null ? blocks : throw new IOException($"cutting the head into blocks failed for tenants {string.Join(", ", failed)}", first);
            },
            cancellationToken);

    /// <summary>
    /// Tenants whose samples are not all in local blocks: a head still holding samples after a flush, or a tenant
    /// directory with a WAL that is not open (quarantined, or its open failed and waits for the next push). Sorted.
    /// </summary>
    public IReadOnlyList<string> UnflushedTenants()
    {
        var open = OpenTenants.ToList();
        var openNames = open.Select(db => db.Tenant).ToHashSet(StringComparer.Ordinal);
        var notOpen = Directory.Exists(_options.TsdbDir)
            ? Directory.EnumerateDirectories(_options.TsdbDir)
                .Where(d => !openNames.Contains(Path.GetFileName(d)) && TenantId.Validate(Path.GetFileName(d)) is null)
                .Where(d => Directory.Exists(Path.Combine(d, "wal")) && Directory.EnumerateFileSystemEntries(Path.Combine(d, "wal")).Any())
                .Select(Path.GetFileName)
                .OfType<string>()
            : [];
        return [.. open.Where(db => db.Head.NumSeries > 0 && Math.Max(db.Head.MinTime, db.Head.MinValidTime) <= db.Head.MaxTime)
            .Select(db => db.Tenant)
            .Concat(notOpen)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryTenant(tenant, out var db) ? db.Metadata(metric, limit) : (IReadOnlyList<MetricMetadata>)[]);

    /// <inheritdoc/>
    /// <remarks>Idempotent: the host's container disposes the instance once per service it is registered as.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        foreach (var db in OpenTenants)
        {
            db.Dispose();
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// Every push reaches the OS before it is acknowledged (survives kill -9); this loop also bounds what a
    /// power loss can take to about one interval, by fsyncing every open WAL.
    /// </summary>
    private async Task SyncLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.WalSyncInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var db in OpenTenants)
                {
                    // A failed WAL is healed here too, so a tenant nobody pushes to does not stay failed.
                    if (!db.WalGuard.TryRecover(db.Wal))
                    {
                        continue;
                    }

                    try
                    {
                        db.Wal.Sync();
                    }
                    catch (IOException e)
                    {
                        _ = db.WalGuard.OnWriteError(e);
                    }
                    catch (ObjectDisposedException)
                    {
                        // Closed by shutdown.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Every head compaction interval, cuts the blocks that are due (Mimir's head_compaction_interval, without jitter).</summary>
    private async Task CompactionLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeadCompactionInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var db in OpenTenants)
                {
                    try
                    {
                        CompactHead(db, force: false);
                        ApplyLocalRetention(db);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidDataException or UnauthorizedAccessException)
                    {
                        _logger.LogError(e, "head compaction of tenant {Tenant} failed; retried at the next interval", db.Tenant);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Deletes every open tenant's local blocks that were shipped at least <see cref="IngesterOptions.LocalRetentionPeriod"/>
    /// ago (by the upload time in the shipper's <c>thanos.shipper.json</c>), as Mimir counts
    /// <c>-blocks-storage.tsdb.retention-period</c>: from the upload, not from the block's maxTime, so a backfilled
    /// block stays queryable here until store-gateways have discovered it. Runs after each head compaction round;
    /// public so tests and operators' tools can run it on demand.
    /// </summary>
    /// <returns>The number of blocks deleted.</returns>
    public int ApplyLocalRetention()
    {
        int deleted = 0;
        foreach (var db in OpenTenants)
        {
            deleted += ApplyLocalRetention(db);
        }

        return deleted;
    }

    private int ApplyLocalRetention(TenantDb db)
    {
        ShipperState state;
        try
        {
            state = ShipperState.ReadFrom(db.Dir);
        }
        catch (InvalidDataException e)
        {
            // Without a readable record of what was shipped nothing may be deleted.
            _logger.LogWarning(e, "tenant {Tenant}: not applying local retention", db.Tenant);
            return 0;
        }

        long cutoff = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.LocalRetentionPeriod.TotalMilliseconds;
        var removed = db.Db.RemoveBlocks(m => state.ShippedAtMs.TryGetValue(m.Ulid, out long shippedAt) && shippedAt <= cutoff);
        foreach (var m in removed)
        {
            _logger.LogInformation("tenant {Tenant}: deleted local block {Ulid} [{MinTime}, {MaxTime}): shipped longer than the local retention period ago", db.Tenant, m.Ulid, m.MinTime, m.MaxTime);
        }

        _metrics.LocalBlocksDeleted(removed.Count);
        return removed.Count;
    }

    /// <summary>Cuts <paramref name="db"/>'s head into blocks (<see cref="Db.CompactHead"/>) and logs each step; returns the blocks written.</summary>
    private int CompactHead(TenantDb db, bool force)
    {
        int written = 0;
        foreach (var step in db.Db.CompactHead(force))
        {
            if (step.Block is { } meta)
            {
                written++;
                _logger.LogInformation(
                    "tenant {Tenant}: cut head block {Ulid} [{MinTime}, {MaxTime}) with {Series} series, {Samples} samples",
                    db.Tenant, meta.Ulid, meta.MinTime, meta.MaxTime, meta.Stats.NumSeries, meta.Stats.NumSamples);
            }

            if (step.WalCheckpointError is { } e)
            {
                _logger.LogWarning(e, "tenant {Tenant}: checkpointing the WAL at {Boundary} failed; retried at the next compaction", db.Tenant, step.To);
            }

            _logger.LogInformation(
                "tenant {Tenant}: head truncated before {Boundary}, {Removed} series removed, WAL checkpointed in {Ms} ms",
                db.Tenant, step.To, step.SeriesRemoved, (int)step.Elapsed.TotalMilliseconds);
        }

        return written;
    }

    private bool TryTenant(string tenant, out TenantDb db)
    {
        if (_tenants.TryGetValue(tenant, out var lazy))
        {
            db = lazy.Value;
            return true;
        }

        db = null!;
        return false;
    }

    /// <summary>The tenant's TSDB, opened if need be unless that would pass <see cref="IngesterOptions.MaxTenants"/>.</summary>
    private TenantDb TenantForPush(string tenant)
    {
        if (_options.MaxTenants > 0 && !_tenants.ContainsKey(tenant) && !_quarantined.ContainsKey(tenant))
        {
            // Count and insert together, so concurrent new tenants cannot pass the limit between them; the TSDB
            // itself (WAL replay) is opened outside the lock, by the Lazy in Tenant.
            lock (_tenantCreation)
            {
                if (!_tenants.ContainsKey(tenant))
                {
                    if (_tenants.Count >= _options.MaxTenants)
                    {
                        throw InstanceLimitReached(ErrorId.IngesterMaxTenants);
                    }

                    _tenants.GetOrAdd(tenant, NewTenant);
                }
            }
        }

        return Tenant(tenant);
    }

    /// <summary>Mimir's refusal for an ingester instance limit, counted by reason; 5xx, so senders retry.</summary>
    private IngesterUnavailableException InstanceLimitReached(string id)
    {
        _metrics.InstanceRejected(id);
        return new IngesterUnavailableException(id == ErrorId.IngesterMaxTenants
            ? ErrorId.InstanceLimit("the write request has been rejected because the ingester exceeded the allowed number of tenants", id, IngesterOptions.MaxTenantsFlag)
            : ErrorId.InstanceLimit("the write request has been rejected because the ingester exceeded the allowed number of inflight push requests", id, IngesterOptions.MaxInflightPushRequestsFlag));
    }

    private Lazy<TenantDb> NewTenant(string tenant) => new(() => OpenTenant(tenant), LazyThreadSafetyMode.ExecutionAndPublication);

    private TenantDb OpenTenant(string tenant)
    {
        var started = DateTime.UtcNow;
        var guard = new WalGuard(tenant, _options.WalRecoveryInterval, _time, _logger);
        var db = TenantDb.Open(tenant, SafePath.Combine(_options.TsdbDir, tenant), _options, guard, _compactor);
        var r = db.Replay;
        if (r.Corruption is { } c)
        {
            _logger.LogError(
                "WAL of tenant {Tenant} was corrupt at segment {Segment} offset {Offset} ({Reason}); truncated there, {Bytes} bytes dropped",
                tenant, c.Segment, c.Offset, c.Reason, c.BytesDropped);
        }

        _logger.LogInformation(
            "opened TSDB of tenant {Tenant}: replayed {Series} series, {Samples} samples ({Skipped} skipped) in {Ms} ms",
            tenant, r.Series, r.Samples, r.SkippedSamples + r.UnknownRefSamples, (int)(DateTime.UtcNow - started).TotalMilliseconds);
        _metrics.TenantOpened(db);
        return db;
    }
}
