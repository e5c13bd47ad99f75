namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// Where a head keeps its closed (immutable) chunks, so that a series holds only (mint, maxt, ref) per chunk
/// instead of a heap array (Prometheus' <c>ChunkDiskMapper</c>). Thread-safe.
/// </summary>
/// <remarks>
/// Lifetime rule: the memory <see cref="Read"/> returns stays valid while the caller holds the lock of the series
/// that owns the chunk. <see cref="Truncate"/> only frees chunks ending before its argument, and the head calls it
/// after every series has dropped those refs under its own lock, so no reader can still be inside one.
/// </remarks>
internal interface IHeadChunkStore : IDisposable
{
    /// <summary>Stores a closed chunk of <paramref name="seriesRef"/>; returns the reference to read it back with.</summary>
    ulong Write(ulong seriesRef, long mint, long maxt, ReadOnlySpan<byte> data);

    /// <summary>The XOR data of a chunk written earlier; valid under the owning series' lock (see remarks).</summary>
    ReadOnlyMemory<byte> Read(ulong chunkRef);

    /// <summary>Frees the storage of chunks whose max time is before <paramref name="mint"/> (whole segments on disk).</summary>
    void Truncate(long mint);
}
