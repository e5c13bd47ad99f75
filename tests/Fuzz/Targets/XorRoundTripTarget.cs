using System.Buffers.Binary;
using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Tsdb.Chunks;
using Xunit;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// XOR chunk encode then decode (G19): the input is read as samples (a BE32 timestamp delta and the BE64 bits of
/// the value, 12 bytes each), and every timestamp and value bit pattern, NaN payloads such as the stale marker
/// included, must come back exactly; so must a chunk re-opened with <see cref="XorChunk.FromBytes"/> and appended to.
/// </summary>
public sealed class XorRoundTripTarget : IFuzzTarget
{
    private const int SampleSize = 12;

    /// <inheritdoc/>
    public static string Name => "xor-roundtrip";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var samples = ReadSamples(input);
        if (samples.Count == 0)
        {
            return;
        }

        // Split the samples: the first part is encoded, re-opened from bytes, then the rest appended.
        int split = samples.Count / 2;
        var chunk = new XorChunk();
        foreach (var (t, bits) in samples.Take(split))
        {
            chunk.Append(t, BitConverter.UInt64BitsToDouble(bits));
        }

        var reopened = split == 0 ? new XorChunk() : XorChunk.FromBytes(chunk.Bytes);
        foreach (var (t, bits) in samples.Skip(split))
        {
            chunk.Append(t, BitConverter.UInt64BitsToDouble(bits));
            reopened.Append(t, BitConverter.UInt64BitsToDouble(bits));
        }

        Assert.True(chunk.Bytes.SequenceEqual(reopened.Bytes), "a re-opened chunk encodes differently from one appended in one go");
        var it = new XorIterator(chunk.ToArray());
        foreach (var (t, bits) in samples)
        {
            Assert.True(it.Next(), $"iterator ended early: {it.Error?.Message}");
            Assert.Equal(t, it.T);
            Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(it.V));
        }

        Assert.False(it.Next());
        Assert.Null(it.Error);
    }

    private static List<(long T, ulong Bits)> ReadSamples(ReadOnlySpan<byte> input)
    {
        // Timestamps strictly increase (the appender's contract) and start at a realistic epoch.
        var samples = new List<(long, ulong)>();
        long t = 1_700_000_000_000;
        for (int i = 0; i + SampleSize <= input.Length && samples.Count < XorChunk.MaxSamplesPerChunk; i += SampleSize)
        {
            t += BinaryPrimitives.ReadUInt32BigEndian(input[i..]) % int.MaxValue + 1;
            samples.Add((t, BinaryPrimitives.ReadUInt64BigEndian(input[(i + 4)..])));
        }

        return samples;
    }
}
