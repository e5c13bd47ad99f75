using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Chunks;

/// <summary>A sample with its value as raw IEEE bits, so NaN payloads compare exactly.</summary>
public readonly record struct RawSample(long T, ulong Bits)
{
    public static RawSample Of(long t, double v) => new(t, BitConverter.DoubleToUInt64Bits(v));

    public double V => BitConverter.UInt64BitsToDouble(Bits);

    public override string ToString() => $"({T}, 0x{Bits:X16})";

    public static byte[] Encode(IEnumerable<RawSample> samples, int initialCapacity = 32)
    {
        var chunk = new XorChunk(initialCapacity);
        foreach (RawSample s in samples)
        {
            chunk.Append(s.T, s.V);
        }

        return chunk.ToArray();
    }

    /// <summary>Decodes every sample; fails the test if the iterator reports an error.</summary>
    public static List<RawSample> Decode(ReadOnlyMemory<byte> data)
    {
        var it = new XorIterator(data);
        var result = new List<RawSample>();
        while (it.Next())
        {
            result.Add(new RawSample(it.T, BitConverter.DoubleToUInt64Bits(it.V)));
        }

        Assert.Null(it.Error);
        return result;
    }
}
