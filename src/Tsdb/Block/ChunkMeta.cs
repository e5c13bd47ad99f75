namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// One chunk of a series as recorded in the index: the first and last sample timestamps (both
/// inclusive, ms) and the chunk reference returned by <see cref="ChunkSegmentWriter.WriteChunk"/>.
/// </summary>
/// <param name="MinTime">Timestamp of the first sample.</param>
/// <param name="MaxTime">Timestamp of the last sample.</param>
/// <param name="Ref"><c>(segment index &lt;&lt; 32) | offset</c>.</param>
public readonly record struct ChunkMeta(long MinTime, long MaxTime, ulong Ref);
