using MetricsCluster.Cluster.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// The cached, watched view of one ring (Mimir's ring.Ring service): a background loop watches the store and swaps
/// an immutable <see cref="RingSnapshot"/> on each change, so every read is lock-free and never touches the store.
/// When the store is unreachable the last known ring keeps serving; health comes from <see cref="IInstanceLiveness"/>
/// (Orleans membership), not from the store, so a store outage alone never makes instances unhealthy.
/// </summary>
public sealed class RingClient : IReadRing, IHostedService, IDisposable
{
    private static readonly TimeSpan s_watchRestartDelay = TimeSpan.FromSeconds(1);

    private readonly IRingStore _store;
    private readonly IInstanceLiveness _liveness;
    private readonly RingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RingClient> _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private volatile State _state;
    private Task? _loop;
    private int _disposed;

    /// <summary>Creates the client; it reads nothing until started.</summary>
    public RingClient(IRingStore store, IInstanceLiveness liveness, RingOptions options, TimeProvider time, ILogger<RingClient> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(liveness);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _store = store;
        _liveness = liveness;
        _options = options;
        _time = time;
        _logger = logger;
        _state = new State(new RingSnapshot(new RingDesc(), options, liveness), new RingDesc(), -1, DateTimeOffset.MinValue);
    }

    /// <inheritdoc />
    public int ReplicationFactor => _options.ReplicationFactor;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, InstanceDesc> Instances => _state.Snapshot.Instances;

    /// <summary>The ring as last read from the store.</summary>
    public RingSnapshot Snapshot => _state.Snapshot;

    /// <summary>When the store last answered (a watch yield); <see cref="DateTimeOffset.MinValue"/> before the first.</summary>
    public DateTimeOffset LastRefresh => _state.LastRefresh;

    /// <summary>Whether the store answered within <see cref="RingOptions.RefreshSlack"/>.</summary>
    public bool StoreReachable => _state.LastRefresh != DateTimeOffset.MinValue && _time.GetUtcNow() - _state.LastRefresh <= _options.RefreshSlack;

    /// <summary>Where the ring's health comes from.</summary>
    public IInstanceLiveness Liveness => _liveness;

    /// <inheritdoc />
    public ReplicationSet Get(uint key, RingOperation operation) => _state.Snapshot.Get(key, operation);

    /// <inheritdoc />
    public ReplicationSet GetReplicationSetForOperation(RingOperation operation) => _state.Snapshot.GetReplicationSetForOperation(operation);

    /// <inheritdoc />
    public bool IsHealthy(InstanceDesc instance, RingOperation operation) => _state.Snapshot.IsHealthy(instance, operation);

    /// <summary>Completes once the first descriptor arrived, or the store said there is none yet.</summary>
    public Task WaitForRingAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>Starts the background watch and returns at once; see <see cref="WaitForRingAsync"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops the watch.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await ReadOnceAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (VersionedRingDesc desc in _store.WatchAsync(_options.Key, cancellationToken))
                {
                    Apply(desc.Desc, desc.Version);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The watch retries outages itself; anything that still escapes restarts it, keeping the last ring.
                _logger.LogWarning(e, "watching the {Key} ring failed; keeping the last known ring and retrying", _options.Key);
                try
                {
                    await Task.Delay(s_watchRestartDelay, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // One plain read first, so "no ring yet" is known even from a store whose watch yields nothing for a missing key.
    private async Task ReadOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            VersionedRingDesc? current = await _store.GetAsync(_options.Key, cancellationToken);
            Apply(current?.Desc ?? new RingDesc(), current?.Version ?? -1);
        }
        catch (RingStoreUnavailableException e)
        {
            _logger.LogWarning(e, "reading the {Key} ring failed; waiting for the watch", _options.Key);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Apply(RingDesc desc, long version)
    {
        DateTimeOffset now = _time.GetUtcNow();
        State old = _state;

        // Every answer proves the store alive; only a changed descriptor needs a new token table. The content is
        // compared too, not only the version: a store recreated from scratch counts its versions from 1 again.
        bool same = version == old.Version && version >= 0 && desc.Equals(old.Desc);
        RingSnapshot snapshot = same ? old.Snapshot : new RingSnapshot(desc, _options, _liveness);
        _state = new State(snapshot, same ? old.Desc : desc, version, now);
        _ready.TrySetResult();
    }

    // Swapped as one reference so a reader sees a snapshot and the time of the same refresh.
    private sealed record State(RingSnapshot Snapshot, RingDesc Desc, long Version, DateTimeOffset LastRefresh);
}
