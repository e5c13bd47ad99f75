using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;

namespace MetricsCluster.Cluster.Tests.Ring;

/// <summary>A memory store that can be switched "down": reads and writes then throw as a lost PostgreSQL would.</summary>
internal sealed class FlakyRingStore(MemoryRingStore inner) : IRingStore
{
    private volatile bool _down;
    private int _failedCalls;

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public int FailedCalls => Volatile.Read(ref _failedCalls);

    public Task<VersionedRingDesc?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.GetAsync(key, cancellationToken);
    }

    public Task<VersionedRingDesc?> CasAsync(string key, Func<RingDesc?, RingDesc?> update, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.CasAsync(key, update, cancellationToken);
    }

    public IAsyncEnumerable<VersionedRingDesc> WatchAsync(string key, CancellationToken cancellationToken) => inner.WatchAsync(key, cancellationToken);

    private void ThrowIfDown()
    {
        if (_down)
        {
            Interlocked.Increment(ref _failedCalls);
            throw new RingStoreUnavailableException("store is down (test)");
        }
    }
}

/// <summary>
/// A store whose watch yields only what the test pushes: not pushing is an outage (the watch stops yielding, as a
/// PostgreSQL watch does while the database is stopped). Reads fail, so only pushes refresh a ring client.
/// </summary>
internal sealed class ScriptedWatchStore : IRingStore
{
    private readonly Channel<VersionedRingDesc> _pushes = Channel.CreateUnbounded<VersionedRingDesc>();

    public void Push(RingDesc desc, long version) => _pushes.Writer.TryWrite(new VersionedRingDesc(desc.Clone(), version));

    public Task<VersionedRingDesc?> GetAsync(string key, CancellationToken cancellationToken) =>
        throw new RingStoreUnavailableException("scripted store answers only through its watch");

    public Task<VersionedRingDesc?> CasAsync(string key, Func<RingDesc?, RingDesc?> update, CancellationToken cancellationToken) =>
        throw new RingStoreUnavailableException("scripted store is read-only");

    public async IAsyncEnumerable<VersionedRingDesc> WatchAsync(string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            yield return await _pushes.Reader.ReadAsync(cancellationToken);
        }
    }
}
