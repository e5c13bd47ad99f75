using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// A block being served, with a lease count: a sync that drops the block only deletes its local directory (the
/// index-header) once the last query reading it has let go (Thanos <c>bucketBlock</c> with its pending-readers
/// wait group). Queries read the block's index and chunks from the bucket, so a query still running on a block
/// the compactor has just deleted fails on the missing object, as in Mimir.
/// </summary>
internal sealed class StoreBlock
{
    private readonly object _lock = new();
    private int _leases;
    private bool _closing;

    public StoreBlock(BucketBlock block, string directory)
    {
        Block = block;
        Directory = directory;
    }

    public BlockMeta Meta => Block.Meta;

    public BucketBlock Block { get; }

    /// <summary>The local directory holding meta.json and the index-header.</summary>
    public string Directory { get; }

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

    /// <summary>Marks the block dropped; its directory is deleted now or when the last lease returns.</summary>
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
        Block.HeaderSlot.Close();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover directory is removed by the next sync's cleanup.
        }
    }
}
