using System.Runtime.CompilerServices;
using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Store;

/// <summary>
/// The <c>memory</c> membership store: one process (<c>--target=all</c>, tests). Every update runs under one lock
/// on a deep copy, so compare-and-swap never conflicts; descriptors handed out are copies too, so no caller can
/// change what another sees. A key never written reads as null and watches as an empty ring at version 0.
/// </summary>
public sealed class MemoryRingStore : IRingStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, VersionedRingDesc> _rings = new(StringComparer.Ordinal);
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates an empty store.</summary>
    /// <param name="pollInterval">How often a watch yields when nothing changed (1 s by default), so watchers see the store alive.</param>
    /// <param name="time">The clock the poll interval runs on (system by default).</param>
    public MemoryRingStore(TimeSpan? pollInterval = null, TimeProvider? time = null)
    {
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_pollInterval, TimeSpan.Zero, nameof(pollInterval));
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public Task<VersionedRingDesc?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_rings.TryGetValue(key, out VersionedRingDesc? v) ? Copy(v) : null);
        }
    }

    /// <inheritdoc />
    public Task<VersionedRingDesc?> CasAsync(string key, Func<RingDesc?, RingDesc?> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(update);
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource changed;
        VersionedRingDesc written;
        lock (_lock)
        {
            _rings.TryGetValue(key, out VersionedRingDesc? current);
            RingDesc? next = update(current?.Desc.Clone());
            if (next is null)
            {
                return Task.FromResult(current is null ? null : Copy(current));
            }

            written = new VersionedRingDesc(next.Clone(), (current?.Version ?? 0) + 1);
            _rings[key] = written;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return Task.FromResult<VersionedRingDesc?>(Copy(written));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<VersionedRingDesc> WatchAsync(string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task changed;
            VersionedRingDesc current;
            lock (_lock)
            {
                changed = _changed.Task;
                current = _rings.TryGetValue(key, out VersionedRingDesc? v) ? Copy(v) : new VersionedRingDesc(new RingDesc(), 0);
            }

            yield return current;

            // Wake on any write (other keys too: cheap, and the caller only sees the current value again) or after
            // the poll interval, whichever comes first.
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task delay = Task.Delay(_pollInterval, _time, poll.Token);
            await Task.WhenAny(changed, delay);
            await poll.CancelAsync();
        }
    }

    private static VersionedRingDesc Copy(VersionedRingDesc v) => new(v.Desc.Clone(), v.Version);
}
