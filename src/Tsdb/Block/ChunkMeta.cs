using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Block;

/// <summary>Where one chunk of a series lives and which samples it holds (Prometheus <c>chunks.Meta</c>).</summary>
/// <param name="MinT">Timestamp (ms) of the chunk's first sample.</param>
/// <param name="MaxT">Timestamp (ms) of the chunk's last sample (inclusive).</param>
/// <param name="Ref">Chunk reference: segment file position &lt;&lt; 32 | byte offset in that file.</param>
public readonly record struct ChunkMeta(long MinT, long MaxT, ulong Ref)
{
    /// <summary>True when the chunk may hold samples in [<paramref name="mint"/>, <paramref name="maxt"/>].</summary>
    public bool Overlaps(long mint, long maxt) => MinT <= maxt && MaxT >= mint;
}

/// <summary>One series entry of an index file: its labels and chunk metas in time order.</summary>
/// <param name="Labels">The label set.</param>
/// <param name="Chunks">Chunk metas, strictly increasing and non-overlapping in time.</param>
public sealed record IndexSeries(Labels Labels, IReadOnlyList<ChunkMeta> Chunks);
