using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// The XOR chunk iterator on arbitrary bytes (chunks come from blocks in the bucket): it reports damage through
/// <see cref="XorIterator.Error"/> and never throws; <see cref="XorChunk.FromBytes"/> may only throw
/// <see cref="InvalidDataException"/>.
/// </summary>
public sealed class XorChunkTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "xor-chunk";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var data = input.ToArray();
        var it = new XorIterator(data);
        long last = long.MinValue;
        while (it.Next())
        {
            last = it.T;
            _ = it.V;
        }

        // Seek on a fresh pass exercises the other entry point.
        it.Reset(data);
        _ = it.Seek(last);
        try
        {
            var chunk = XorChunk.FromBytes(data);
            if (chunk.NumSamples > 0 && chunk.MaxTime < long.MaxValue)
            {
                chunk.Append(chunk.MaxTime + 1, 1.0);
            }
        }
        catch (InvalidDataException)
        {
        }
        catch (InvalidOperationException) when (input.Length >= 2 && ((input[0] << 8) | input[1]) == ushort.MaxValue)
        {
            // Documented: a chunk already holding 65535 samples takes no more.
        }
    }
}
