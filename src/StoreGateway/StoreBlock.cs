using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// A downloaded block opened for reading, with a lease count: a sync that drops the block only closes it once
/// the last query reading it has let go (Thanos <c>bucketBlock</c> with its pending-readers wait group).
/// </summary>
internal sealed class StoreBlock
{
    private readonly object _lock = new();
    private int _leases;
    private bool _closing;

    public StoreBlock(BlockMeta meta, BlockReader reader)
    {
        Meta = meta;
        Reader = reader;
    }

    public BlockMeta Meta { get; }

    public BlockReader Reader { get; }

    /// <summary>Whether the block may hold samples in [mint, maxt]; inclusive at both ends, which at worst reads one block too many.</summary>
    public bool Overlaps(long mint, long maxt) => Meta.MinTime <= maxt && mint <= Meta.MaxTime;

    /// <summary>Takes a lease; false once the block is being dropped.</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (_closing)
            {
                return false;
            }

            _leases++;
            return true;
        }
    }

    /// <summary>Returns a lease taken with <see cref="TryAcquire"/>.</summary>
    public void Release()
    {
        bool dispose;
        lock (_lock)
        {
            _leases--;
            dispose = _closing && _leases == 0;
        }

        if (dispose)
        {
            Close();
        }
    }

    /// <summary>Marks the block dropped; it is closed and its directory deleted now or when the last lease returns.</summary>
    public void Drop()
    {
        bool dispose;
        lock (_lock)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            dispose = _leases == 0;
        }

        if (dispose)
        {
            Close();
        }
    }

    private void Close()
    {
        Reader.Dispose();
        try
        {
            Directory.Delete(Reader.Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover directory is removed by the next start's cleanup.
        }
    }
}
