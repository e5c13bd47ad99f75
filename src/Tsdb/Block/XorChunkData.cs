using System.Buffers.Binary;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Block;

/// <summary>One encoded XOR chunk of a series: first and last sample timestamps (inclusive) and the chunk data (<see cref="XorChunk.Bytes"/>).</summary>
/// <param name="MinT">Timestamp of the first sample, ms.</param>
/// <param name="MaxT">Timestamp of the last sample, ms.</param>
/// <param name="Data">XOR chunk data starting with the BE16 sample count.</param>
public readonly record struct XorChunkData(long MinT, long MaxT, byte[] Data)
{
    /// <summary>The sample count from the chunk's BE16 header.</summary>
    public int NumSamples => BinaryPrimitives.ReadUInt16BigEndian(Data);
}
