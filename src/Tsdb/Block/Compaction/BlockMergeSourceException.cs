namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// A source block of <see cref="BlockMerger.Merge"/> cannot be read: a damaged index or chunk, series out of order,
/// chunk data that disagrees with its meta, an unsupported chunk encoding, or an unreadable <c>meta.json</c>.
/// Names the block so the compactor can write a no-compact mark for it and go on with the others (G17).
/// </summary>
public sealed class BlockMergeSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The source block's ULID (from its <c>meta.json</c>, else its directory name).</param>
    /// <param name="directory">The source block directory.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="inner">The reader's exception, when there is one.</param>
    public BlockMergeSourceException(Ulid source, string directory, string reason, Exception? inner = null)
        : base($"source block {source} ({directory}) cannot be merged: {reason}", inner)
    {
        SourceBlock = source;
        Directory = directory;
        Reason = reason;
    }

    /// <summary>The damaged source block (<see cref="Exception.Source"/> is taken: it names the throwing assembly).</summary>
    public Ulid SourceBlock { get; }

    /// <summary>Its directory.</summary>
    public string Directory { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
