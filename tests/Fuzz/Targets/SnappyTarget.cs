using MetricsCluster.Core.Snappy;
using MetricsCluster.Fuzz.Tests.Framework;
using Xunit;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// The snappy block decoder: on arbitrary bytes it may only throw <see cref="InvalidDataException"/>; and any bytes,
/// compressed by the reference encoder (IronSnappy), must decode back to themselves.
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

        byte[] compressed = IronSnappy.Snappy.Encode(input);
        var roundTrip = new byte[SnappyDecoder.GetDecodedLength(compressed)];
        int written = SnappyDecoder.Decode(compressed, roundTrip);
        Assert.Equal(input.Length, written);
        Assert.True(input.SequenceEqual(roundTrip), "snappy round trip changed the bytes");
    }
}
