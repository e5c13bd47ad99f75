using MetricsCluster.Core.Metrics;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// A block's index-header in memory only while it is used (Mimir's lazy binary reader,
/// <c>-blocks-storage.bucket-store.index-header.lazy-loading-enabled</c>): the first <see cref="AcquireAsync"/>
/// loads it from the local file; concurrent first uses share that one load; <see cref="TryUnloadIfIdle"/> drops it
/// once nobody holds it and it was last released more than the idle timeout ago; the next use loads it again. With
/// lazy loading disabled the header is loaded once at open and never dropped. Thread-safe.
/// </summary>
internal sealed class LazyIndexHeader
{
    private readonly object _lock = new();
    private readonly Func<Task<IndexHeader>> _load;
    private readonly TimeProvider _time;
    private readonly LazyIndexHeaderMetrics _metrics;
    private readonly bool _lazy;
    private Task<IndexHeader>? _loaded;
    private int _users;
    private DateTimeOffset _lastUsed;

    /// <summary>Initializes a new instance of the <see cref="LazyIndexHeader"/> class.</summary>
    /// <param name="load">Reads the header (from the local file, rebuilding it when damaged).</param>
    /// <param name="initial">A header already in memory (eager mode, or just built by the sync), or null.</param>
    /// <param name="lazy">Whether the header may be dropped when idle.</param>
    /// <param name="time">The clock idleness is measured with (G6).</param>
    /// <param name="metrics">The lazy load and unload counters.</param>
    public LazyIndexHeader(Func<Task<IndexHeader>> load, IndexHeader? initial, bool lazy, TimeProvider time, LazyIndexHeaderMetrics metrics)
    {
        _load = load;
        _lazy = lazy;
        _time = time;
        _metrics = metrics;
        _lastUsed = time.GetUtcNow();
        if (initial is not null)
        {
            _loaded = Task.FromResult(initial);
            metrics.Loaded.Add(1);
        }
    }

    /// <summary>Gets a value indicating whether the header is in memory now.</summary>
    public bool IsLoaded
    {
        get
        {
            lock (_lock)
            {
                return _loaded is { IsCompletedSuccessfully: true };
            }
        }
    }

    /// <summary>Gets the header while a use taken with <see cref="AcquireAsync"/> is held.</summary>
    /// <exception cref="InvalidOperationException">No use is held (a bug: the header could be dropped meanwhile).</exception>
    public IndexHeader Current
    {
        get
        {
            lock (_lock)
            {
                if (_users > 0 && _loaded is { IsCompletedSuccessfully: true } loaded)
                {
                    return loaded.Result;
                }
            }

            throw new InvalidOperationException("the index-header is read without being acquired");
        }
    }

    /// <summary>
    /// The header, loading it when it is not in memory; every successful call must be paired with
    /// <see cref="Release"/>, and the header is not dropped in between.
    /// </summary>
    /// <param name="cancellationToken">Stops this caller's wait; a load shared with other callers runs on.</param>
    /// <returns>The header.</returns>
    public async Task<IndexHeader> AcquireAsync(CancellationToken cancellationToken)
    {
        Task<IndexHeader> loading;
        lock (_lock)
        {
            _users++;
            loading = _loaded ??= LoadAsync();
        }

        try
        {
            return await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                _users--;

                // A failed load is not kept: the next use tries again (the file may have been rebuilt meanwhile).
                if (loading.IsFaulted && ReferenceEquals(_loaded, loading))
                {
                    _loaded = null;
                }
            }

            throw;
        }
    }

    /// <summary>Returns a use taken with <see cref="AcquireAsync"/>; the idle time counts from here.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _users--;
            _lastUsed = _time.GetUtcNow();
        }
    }

    /// <summary>Drops the header when lazy, loaded, unused and idle for at least <paramref name="idleTimeout"/>.</summary>
    /// <param name="idleTimeout">The idle time after which the header is dropped.</param>
    /// <returns>True when it was dropped.</returns>
    public bool TryUnloadIfIdle(TimeSpan idleTimeout)
    {
        lock (_lock)
        {
            if (!_lazy || _users > 0 || _loaded is not { IsCompletedSuccessfully: true } || _time.GetUtcNow() - _lastUsed < idleTimeout)
            {
                return false;
            }

            _loaded = null;
        }

        _metrics.Unloads.Inc();
        _metrics.Loaded.Add(-1);
        return true;
    }

    /// <summary>Forgets the header when the block is dropped, keeping the loaded gauge right.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_loaded is { IsCompletedSuccessfully: true })
            {
                _metrics.Loaded.Add(-1);
            }

            _loaded = null;
        }
    }

    private async Task<IndexHeader> LoadAsync()
    {
        // Yield first so the load never runs under the caller's lock.
        await Task.Yield();
        try
        {
            var header = await _load().ConfigureAwait(false);
            _metrics.Loads.Inc();
            _metrics.Loaded.Add(1);
            return header;
        }
        catch
        {
            _metrics.LoadFailures.Inc();
            throw;
        }
    }
}

/// <summary>Mimir's lazy index-header counters, shared by every block of a store-gateway (G6: created at construction).</summary>
internal sealed class LazyIndexHeaderMetrics(MetricsRegistry registry)
{
    public Counter Loads { get; } = registry.Counter("cortex_bucket_store_indexheader_lazy_load_total", "Total number of index-header lazy load operations.").WithLabels();

    public Counter LoadFailures { get; } = registry.Counter("cortex_bucket_store_indexheader_lazy_load_failed_total", "Total number of failed index-header lazy load operations.").WithLabels();

    public Counter Unloads { get; } = registry.Counter("cortex_bucket_store_indexheader_lazy_unload_total", "Total number of index-header lazy unload operations.").WithLabels();

    public Gauge Loaded { get; } = registry.Gauge("metricscluster_bucket_store_indexheaders_loaded", "Number of index-headers held in memory now.").WithLabels();
}
