using System.Runtime.InteropServices;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Block.Compaction;

/// <summary>
/// Re-encodes one series' merged samples into XOR chunks of at most <c>samplesPerChunk</c> samples and writes each
/// full chunk to the segment files at once, keeping only the open chunk and the series' chunk metas in memory.
/// Reused for every series; not thread-safe.
/// </summary>
internal sealed class ChunkCutter(ChunkSegmentWriter writer, int samplesPerChunk)
{
    private readonly List<ChunkMeta> _metas = [];
    private XorChunk? _open;

    /// <summary>Samples appended since the writer was created.</summary>
    public ulong TotalSamples { get; private set; }

    /// <summary>Lowest timestamp appended since the writer was created; long.MaxValue before the first.</summary>
    public long MinTime { get; private set; } = long.MaxValue;

    /// <summary>Highest timestamp appended since the writer was created; long.MinValue before the first.</summary>
    public long MaxTime { get; private set; } = long.MinValue;

    /// <summary>Starts a new series.</summary>
    public void Reset()
    {
        _metas.Clear();
        _open = null;
    }

    /// <summary>Appends a sample; the caller guarantees timestamps strictly increase within a series.</summary>
    public void Append(long t, double v)
    {
        // 120 samples of a regular scrape take ~1.4 bytes each; start small and let the chunk grow.
        _open ??= new XorChunk(16 + (2 * samplesPerChunk));
        _open.Append(t, v);
        TotalSamples++;
        MinTime = Math.Min(MinTime, t);
        MaxTime = Math.Max(MaxTime, t);
        if (_open.NumSamples == samplesPerChunk)
        {
            Flush();
        }
    }

    /// <summary>Writes the open chunk, if any, and returns the series' chunk metas (valid until <see cref="Reset"/>).</summary>
    public ReadOnlySpan<ChunkMeta> Finish()
    {
        Flush();
        return CollectionsMarshal.AsSpan(_metas);
    }

    private void Flush()
    {
        if (_open is not { NumSamples: > 0 } chunk)
        {
            return;
        }

        _metas.Add(new ChunkMeta(chunk.MinTime, chunk.MaxTime, writer.WriteChunk(ChunkEncoding.Xor, chunk.Bytes)));
        _open = null;
    }
}
