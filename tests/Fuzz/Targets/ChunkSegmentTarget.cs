using System.Buffers.Binary;
using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// A block chunk segment file (the input after an 8-byte chunk ref) read at that ref, as the store-gateway reads
/// chunks named by the index; it may only throw <see cref="BlockCorruptionException"/>.
/// </summary>
public sealed class ChunkSegmentTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "chunk-segment";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        if (input.Length < 8)
        {
            return;
        }

        ulong chunkRef = BinaryPrimitives.ReadUInt64BigEndian(input);
        try
        {
            using var reader = new ChunkSegmentReader([input[8..].ToArray()]);
            _ = reader.Chunk(chunkRef);
        }
        catch (BlockCorruptionException)
        {
        }
    }
}
