namespace MetricsCluster.Tsdb.Block;

/// <summary>Optional settings of <see cref="BlockWriter.Write"/>.</summary>
public sealed class BlockWriteOptions
{
    /// <summary>Block lower bound (inclusive, ms); null = the first sample's timestamp.</summary>
    public long? MinTime { get; set; }

    /// <summary>Block upper bound (exclusive, ms); null = the last sample's timestamp + 1.</summary>
    public long? MaxTime { get; set; }

    /// <summary>
    /// The Thanos/Mimir section to write into <c>meta.json</c> (e.g. labels <c>__org_id__</c> = tenant),
    /// or null for a plain Prometheus block. Its <see cref="ThanosMeta.Files"/> list is filled in by the writer.
    /// </summary>
    public ThanosMeta? Thanos { get; set; }

    /// <summary>Chunk segment file size limit.</summary>
    public long ChunkSegmentSize { get; set; } = ChunkSegmentWriter.DefaultSegmentSize;

    /// <summary>Throws when a setting is invalid (G5).</summary>
    /// <exception cref="ArgumentException">An invalid setting; the message names it.</exception>
    public void Validate()
    {
        if (MinTime is { } min && MaxTime is { } max && max <= min)
        {
            throw new ArgumentException($"block max_time {max} must be greater than min_time {min}");
        }

        if (ChunkSegmentSize <= ChunkSegmentWriter.HeaderSize || ChunkSegmentSize > uint.MaxValue)
        {
            throw new ArgumentException($"chunk_segment_size {ChunkSegmentSize} must be in (8, 4 GiB)");
        }
    }
}
