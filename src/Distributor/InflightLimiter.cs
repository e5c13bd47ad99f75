namespace MetricsCluster.Distributor;

/// <summary>
/// The distributor's per-instance limits on push requests in flight (Mimir's
/// <c>-distributor.instance-limits.max-inflight-push-requests</c> and <c>…-bytes</c>): a request takes its slot
/// before its body is read, and reserves bytes before each buffer it fills, so a burst of large pushes is refused
/// instead of being decoded into memory together. Thread-safe.
/// </summary>
internal sealed class InflightLimiter
{
    private readonly int _maxRequests;
    private readonly long _maxBytes;
    private long _requests;
    private long _bytes;

    /// <param name="maxRequests">Most requests in flight; 0 = unlimited.</param>
    /// <param name="maxBytes">Most bytes reserved by requests in flight; 0 = unlimited.</param>
    internal InflightLimiter(int maxRequests, long maxBytes)
    {
        _maxRequests = maxRequests;
        _maxBytes = maxBytes;
    }

    /// <summary>Requests in flight now.</summary>
    internal long Requests => Interlocked.Read(ref _requests);

    /// <summary>Bytes reserved by the requests in flight now.</summary>
    internal long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Takes a request slot; null when all are taken.</summary>
    internal PushLease? TryStart()
    {
        if (Interlocked.Increment(ref _requests) > _maxRequests && _maxRequests > 0)
        {
            Interlocked.Decrement(ref _requests);
            return null;
        }

        return new PushLease(this);
    }

    /// <summary>Adds <paramref name="bytes"/> to the total; false (and nothing added) when that would pass the limit.</summary>
    internal bool TryReserve(long bytes)
    {
        long total = Interlocked.Add(ref _bytes, bytes);
        if (_maxBytes > 0 && total > _maxBytes)
        {
            Interlocked.Add(ref _bytes, -bytes);
            return false;
        }

        return true;
    }

    /// <summary>Gives back a request slot and the bytes it reserved.</summary>
    internal void Finish(long bytes)
    {
        Interlocked.Add(ref _bytes, -bytes);
        Interlocked.Decrement(ref _requests);
    }
}

/// <summary>One admitted push: holds its request slot and every byte it reserved until disposed. Not thread-safe.</summary>
internal sealed class PushLease : IDisposable
{
    private readonly InflightLimiter _owner;
    private long _bytes;
    private bool _disposed;

    internal PushLease(InflightLimiter owner) => _owner = owner;

    /// <summary>Reserves <paramref name="bytes"/> more for this push; false when the instance limit would be passed.</summary>
    internal bool TryReserve(long bytes)
    {
        if (!_owner.TryReserve(bytes))
        {
            return false;
        }

        _bytes += bytes;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _owner.Finish(_bytes);
        }
    }
}
