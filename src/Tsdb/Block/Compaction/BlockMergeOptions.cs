using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>Optional settings of <see cref="BlockMerger.Merge"/>.</summary>
public sealed class BlockMergeOptions
{
    /// <summary>
    /// The Thanos/Mimir section of the new block (the compactor passes the tenant's labels, the resolution and
    /// source <c>compactor</c>); its <see cref="ThanosMeta.Files"/> list is filled in by the merger. Null = copy
    /// the first source's section with source <c>compactor</c>, or none when that source has none.
    /// </summary>
    public ThanosMeta? Thanos { get; set; }

    /// <summary>Chunk segment file size limit.</summary>
    public long ChunkSegmentSize { get; set; } = ChunkSegmentWriter.DefaultSegmentSize;

    /// <summary>Samples per re-cut XOR chunk; Prometheus' <c>samplesPerChunk</c> default is 120.</summary>
    public int SamplesPerChunk { get; set; } = XorChunk.MaxSamplesPerChunk;

    /// <summary>Throws when a setting is invalid (G5).</summary>
    /// <exception cref="ArgumentException">An invalid setting; the message names it.</exception>
    public void Validate()
    {
        if (ChunkSegmentSize <= ChunkSegmentWriter.HeaderSize || ChunkSegmentSize > uint.MaxValue)
        {
            throw new ArgumentException($"chunk_segment_size {ChunkSegmentSize} must be in (8, 4 GiB)");
        }

        if (SamplesPerChunk is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentException($"samples_per_chunk {SamplesPerChunk} must be in [1, 65535] (the XOR chunk header counts in 16 bits)");
        }
    }
}
