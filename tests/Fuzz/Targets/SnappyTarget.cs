using MetricsCluster.Core.Snappy;
using MetricsCluster.Fuzz.Tests.Framework;
using Xunit;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// The snappy block decoder (our wrapper over Snappier): on arbitrary bytes it may only throw
/// <see cref="InvalidDataException"/>; any bytes, compressed by the encoder, must decode back to themselves; and the
/// same bytes as a literal-only block (a second, independent encoder) must decode too.
/// </summary>
public sealed class SnappyTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "snappy";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        try
        {
            int n = SnappyDecoder.GetDecodedLength(input);

            // The caller sizes the destination; like the distributor, refuse a header no block can honour.
            if ((ulong)n <= ((ulong)input.Length * 22) + 64)
            {
                SnappyDecoder.Decode(input, new byte[n]);
            }
        }
        catch (InvalidDataException)
        {
        }

        AssertRoundTrip(input, SnappyEncoder.Encode(input));
        AssertRoundTrip(input, LiteralBlock(input));
    }

    private static void AssertRoundTrip(ReadOnlySpan<byte> input, byte[] compressed)
    {
        var roundTrip = new byte[SnappyDecoder.GetDecodedLength(compressed)];
        int written = SnappyDecoder.Decode(compressed, roundTrip);
        Assert.Equal(input.Length, written);
        Assert.True(input.SequenceEqual(roundTrip), "snappy round trip changed the bytes");
    }

    /// <summary>The block format's simplest encoding: the uvarint length, then literals of at most 65536 bytes (tag 0xF4, 2-byte length).</summary>
    private static byte[] LiteralBlock(ReadOnlySpan<byte> input)
    {
        var block = new List<byte>(input.Length + 16);
        for (uint v = (uint)input.Length; ; v >>= 7)
        {
            if (v < 0x80)
            {
                block.Add((byte)v);
                break;
            }

            block.Add((byte)(v | 0x80));
        }

        for (int i = 0; i < input.Length; i += 65536)
        {
            int len = Math.Min(65536, input.Length - i);
            block.Add(0xF4);
            block.Add((byte)(len - 1));
            block.Add((byte)((len - 1) >> 8));
            block.AddRange(input.Slice(i, len));
        }

        return [.. block];
    }
}
