using MetricsCluster.Core;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Block;

/// <summary>A series to write into a block: its labels and its XOR chunks in time order.</summary>
/// <param name="Labels">The series' label set.</param>
/// <param name="Chunks">Non-overlapping chunks in increasing time order; at least one.</param>
public sealed record ChunkedSeries(Labels Labels, IReadOnlyList<XorChunkData> Chunks)
{
    /// <summary>
    /// Encodes raw samples into XOR chunks of at most <paramref name="samplesPerChunk"/> samples (Prometheus
    /// cuts at 120). Timestamps must strictly increase; NaN payloads (stale markers) are kept bit for bit.
    /// </summary>
    /// <exception cref="ArgumentException">No samples, or timestamps not strictly increasing.</exception>
    public static ChunkedSeries FromSamples(Labels labels, ReadOnlySpan<(long T, double V)> samples, int samplesPerChunk = XorChunk.MaxSamplesPerChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerChunk, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(samplesPerChunk, ushort.MaxValue);
        if (samples.IsEmpty)
        {
            throw new ArgumentException($"series {labels} has no samples", nameof(samples));
        }

        var chunks = new List<XorChunkData>((samples.Length + samplesPerChunk - 1) / samplesPerChunk);
        for (int start = 0; start < samples.Length; start += samplesPerChunk)
        {
            var part = samples.Slice(start, Math.Min(samplesPerChunk, samples.Length - start));
            var chunk = new XorChunk(16 + (part.Length * 2));
            foreach (var (t, v) in part)
            {
                if ((chunk.NumSamples > 0 && t <= chunk.MaxTime) || (start > 0 && chunk.NumSamples == 0 && t <= chunks[^1].MaxT))
                {
                    throw new ArgumentException($"series {labels}: timestamp {t} does not increase", nameof(samples));
                }

                chunk.Append(t, v);
            }

            chunks.Add(new XorChunkData(chunk.MinTime, chunk.MaxTime, chunk.ToArray()));
        }

        return new ChunkedSeries(labels, chunks);
    }
}
