namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// The chunk encoding byte stored before every chunk in a segment file (Prometheus
/// <c>tsdb/chunkenc/chunk.go</c>). Values are part of the on-disk format and are never reused;
/// see <c>docs/format/chunks.md</c>.
/// </summary>
public static class ChunkEncoding
{
    /// <summary>No encoding; invalid in a segment file.</summary>
    public const byte None = 0;

    /// <summary>Gorilla XOR float chunk (<see cref="XorChunk"/>); what this project writes for floats.</summary>
    public const byte Xor = 1;

    /// <summary>Native integer histogram chunk (not implemented yet).</summary>
    public const byte Histogram = 2;

    /// <summary>Native float histogram chunk (not implemented yet).</summary>
    public const byte FloatHistogram = 3;

    /// <summary>XOR2 float chunk with start timestamps; written only by a Prometheus configured for it.</summary>
    public const byte Xor2 = 4;

    /// <summary>
    /// Thanos' aggregate chunk (<c>ChunkEncAggr</c>, 0xff) of downsampled blocks: five XOR sub-chunks (count, sum,
    /// min, max, counter) in one chunk (<see cref="AggrChunk"/>, <c>docs/format/chunks.md</c> §4). Only blocks whose
    /// <c>meta.json</c> has a non-zero <c>thanos.downsample.resolution</c> hold it.
    /// </summary>
    public const byte Aggr = 0xff;
}
