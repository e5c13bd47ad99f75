using MetricsCluster.Core;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Tsdb;

/// <summary>
/// What the head and every persisted block expose to readers (G7; Prometheus <c>tsdb.BlockReader</c>): an index
/// (symbols, postings, series with chunk metas, label names and values) and a chunk reader, over a time range. Queries
/// (<see cref="BlockReaders.Select"/>) and block writing (<see cref="Block.Compaction.BlockMerger"/>) take any of them,
/// so head compaction and block compaction share one code path.
/// </summary>
public interface IBlockReader
{
    /// <summary>Lowest timestamp (ms, inclusive) a sample read through this reader may have.</summary>
    long MinTime { get; }

    /// <summary>Highest timestamp (ms, inclusive) a sample read through this reader may have; later samples a chunk holds are not part of it.</summary>
    long MaxTime { get; }

    /// <summary>The index. Valid as long as the reader is.</summary>
    IIndexReader Index();

    /// <summary>The chunks the index's chunk metas point to. Valid as long as the reader is.</summary>
    IChunkReader Chunks();
}

/// <summary>The index part of an <see cref="IBlockReader"/> (Prometheus <c>IndexReader</c>).</summary>
public interface IIndexReader
{
    /// <summary>Every label name and value, UTF-8, strictly increasing byte-wise.</summary>
    IEnumerable<ReadOnlyMemory<byte>> Symbols();

    /// <summary>Refs of the series matching every matcher (all series when there are none), in label order.</summary>
    /// <param name="matchers">The matchers (<c>__query_shard__</c> matchers included).</param>
    /// <param name="cancellationToken">Checked while the postings are evaluated.</param>
    ulong[] SortedSeriesRefs(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);

    /// <summary>
    /// The labels of series <paramref name="seriesRef"/> and, appended to <paramref name="chunks"/>, its chunk metas in
    /// time order that overlap the reader's range. False when the series is gone (the head dropped it since the refs
    /// were read).
    /// </summary>
    bool Series(ulong seriesRef, out Labels labels, List<ChunkMeta> chunks);

    /// <summary>Label names, sorted byte-wise; of the series matching <paramref name="matchers"/> when there are any.</summary>
    IReadOnlyList<string> LabelNames(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);

    /// <summary>Values of <paramref name="name"/>, sorted byte-wise; of the series matching <paramref name="matchers"/> when there are any.</summary>
    IReadOnlyList<string> LabelValues(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken);
}

/// <summary>The chunk part of an <see cref="IBlockReader"/> (Prometheus <c>ChunkReader</c>).</summary>
public interface IChunkReader
{
    /// <summary>
    /// The chunk <paramref name="meta"/> points to. <see cref="ChunkBytes.Data"/> is empty when the head dropped the
    /// chunk since its meta was read: the head drops only chunks a block already holds.
    /// </summary>
    /// <exception cref="BlockCorruptionException">A block's chunk is damaged.</exception>
    ChunkBytes Chunk(in ChunkMeta meta);
}

/// <summary>One chunk read through an <see cref="IChunkReader"/>.</summary>
/// <param name="Encoding">The chunk encoding byte (<see cref="Chunks.ChunkEncoding"/>).</param>
/// <param name="Data">The encoded chunk.</param>
/// <param name="MinT">Timestamp of its first sample.</param>
/// <param name="MaxT">Timestamp of its last sample: the head's open chunk may have grown since its meta was read.</param>
/// <param name="IsCopy">
/// True when <paramref name="Data"/> is a private copy the caller may keep (the head's); false when it is a slice of a
/// memory-mapped block, valid only while the block is open.
/// </param>
public readonly record struct ChunkBytes(byte Encoding, ReadOnlyMemory<byte> Data, long MinT, long MaxT, bool IsCopy);
