using MetricsCluster.ObjectStore;

namespace MetricsCluster.Ruler.Tests.Storage;

/// <summary>
/// A bucket whose reads wait at a gate until <c>openAt</c> of them are in flight (an explicit barrier, no sleeps), to
/// measure how many a caller runs at once; one key reads as missing, as if deleted after a listing.
/// </summary>
internal sealed class GatedBucket(IBucket inner, int openAt, string missing) : IBucket
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _maxInFlight;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public string Name => inner.Name;

    public async Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        int now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(now);
        if (now >= openAt)
        {
            _gate.TrySetResult();
        }

        try
        {
            // A caller that runs fewer than openAt reads at once never opens the gate: fail instead of hanging.
            await _gate.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return key == missing ? throw ObjectNotFoundException.For(Name, key) : await inner.GetAsync(key, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default) => inner.UploadAsync(key, content, cancellationToken);

    public Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default) =>
        inner.GetRangeAsync(key, offset, length, cancellationToken);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, recursive, cancellationToken);

    public Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default) => inner.AttributesAsync(key, cancellationToken);

    public void Dispose()
    {
    }

    private void InterlockedMax(int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, value, seen) != seen)
        {
        }
    }
}
