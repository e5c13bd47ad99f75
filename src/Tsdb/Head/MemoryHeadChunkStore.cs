namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// Keeps closed chunks as heap arrays: the store of a head without a chunk directory (tests, replay-only
/// heads). The memory seam of G8: the head's logic is the same with either store.
/// </summary>
internal sealed class MemoryHeadChunkStore : IHeadChunkStore
{
    private readonly Dictionary<ulong, (long MaxTime, byte[] Data)> _chunks = [];
    private readonly Lock _lock = new();
    private ulong _next;

    /// <inheritdoc/>
    public ulong Write(ulong seriesRef, long mint, long maxt, ReadOnlySpan<byte> data)
    {
        var copy = data.ToArray();
        lock (_lock)
        {
            _chunks.Add(++_next, (maxt, copy));
            return _next;
        }
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Read(ulong chunkRef)
    {
        lock (_lock)
        {
            return _chunks[chunkRef].Data;
        }
    }

    /// <inheritdoc/>
    public void Truncate(long mint)
    {
        lock (_lock)
        {
            foreach (var (r, c) in _chunks)
            {
                if (c.MaxTime < mint)
                {
                    _chunks.Remove(r);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _chunks.Clear();
        }
    }
}
