namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// A head chunk's reference as the head's <see cref="IChunkReader"/> hands it out (Prometheus <c>HeadChunkRef</c>):
/// series ref in the upper 32 bits, the chunk's ID in that series in the lower 32.
/// </summary>
internal static class HeadChunkRef
{
    /// <summary>Packs a series ref and a chunk ID.</summary>
    internal static ulong Make(ulong seriesRef, uint chunkId) => (seriesRef << 32) | chunkId;

    /// <summary>Unpacks <paramref name="chunkRef"/>.</summary>
    internal static (ulong SeriesRef, uint ChunkId) Split(ulong chunkRef) => (chunkRef >> 32, (uint)chunkRef);
}
