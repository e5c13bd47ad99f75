namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// A <see cref="BlockReader"/> shared by concurrent queries and one owner that may drop it (retention, a sync that
/// lost the block). Queries take a lease around every read; a dropped reader is disposed, and its directory deleted,
/// only when the last lease returns (Thanos <c>bucketBlock</c>'s pending-readers wait group). Without this, unmapping
/// a block under a running query reads freed memory.
/// </summary>
public sealed class SharedBlockReader
{
    private readonly object _lock = new();
    private int _leases;
    private bool _dropped;
    private bool _deleteDirectory;

    /// <summary>Initializes a new instance of the <see cref="SharedBlockReader"/> class.</summary>
    /// <param name="meta">The block's meta.json.</param>
    /// <param name="reader">The open reader; owned from here on.</param>
    public SharedBlockReader(BlockMeta meta, BlockReader reader)
    {
        Meta = meta;
        Reader = reader;
    }

    /// <summary>Gets the block's meta.json.</summary>
    public BlockMeta Meta { get; }

    /// <summary>Gets the reader; use it only while holding a lease.</summary>
    public BlockReader Reader { get; }

    /// <summary>Takes a lease; false once the block is dropped (the caller skips it).</summary>
    /// <returns>Whether the lease was taken.</returns>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (_dropped)
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
        bool close;
        lock (_lock)
        {
            _leases--;
            close = _dropped && _leases == 0;
        }

        if (close)
        {
            Close();
        }
    }

    /// <summary>Drops the block: closed (and its directory deleted when asked) now, or when the last lease returns.</summary>
    /// <param name="deleteDirectory">Whether to delete the block's directory after closing it.</param>
    public void Drop(bool deleteDirectory)
    {
        bool close;
        lock (_lock)
        {
            if (_dropped)
            {
                return;
            }

            _dropped = true;
            _deleteDirectory = deleteDirectory;
            close = _leases == 0;
        }

        if (close)
        {
            Close();
        }
    }

    private void Close()
    {
        Reader.Dispose();
        if (!_deleteDirectory)
        {
            return;
        }

        try
        {
            // Renamed first so a crash mid-delete leaves a directory no reader mistakes for a block.
            string doomed = Reader.Directory + ".tmp-for-deletion";
            Directory.Move(Reader.Directory, doomed);
            Directory.Delete(doomed, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover directory is removed at the next start (names that are not ULIDs are deleted or ignored).
        }
    }
}
