using FsCheck;
using FsCheck.Fluent;

namespace MetricsCluster.Tsdb.Tests.Chunks;

/// <summary>FsCheck generators for chunk contents: the awkward corners of int64 time and IEEE-754 values.</summary>
internal static class SampleGenerators
{
    private static readonly ulong[] s_specialValues =
    [
        0x7FF0000000000002, // Prometheus stale marker.
        0x7FF8000000000001, // Prometheus' normal NaN.
        BitConverter.DoubleToUInt64Bits(double.NaN),
        0xFFF8000000000000,
        0x7FF0000000000000, // +Inf.
        0xFFF0000000000000, // -Inf.
        0x8000000000000000, // -0.0.
        0x0000000000000000,
        0x0000000000000001, // Smallest subnormal.
        0x800FFFFFFFFFFFFF, // Largest negative subnormal.
        BitConverter.DoubleToUInt64Bits(double.MaxValue),
        BitConverter.DoubleToUInt64Bits(double.MinValue),
        BitConverter.DoubleToUInt64Bits(1.0),
    ];

    /// <summary>Uniform 64-bit patterns, from four 16-bit draws.</summary>
    public static Gen<ulong> Bits64 { get; } =
        from a in Gen.Choose(0, 0xFFFF)
        from b in Gen.Choose(0, 0xFFFF)
        from c in Gen.Choose(0, 0xFFFF)
        from d in Gen.Choose(0, 0xFFFF)
        select ((ulong)(uint)a << 48) | ((ulong)(uint)b << 32) | ((ulong)(uint)c << 16) | (uint)d;

    /// <summary>First timestamps: small, negative, ±2^62 and the int64 extremes.</summary>
    public static Gen<long> FirstTime { get; } = Gen.Frequency(
        (3, Gen.Choose(-100_000, 100_000).Select(x => (long)x)),
        (2, Bits64.Select(u => (long)u)),
        (2, Bits64.Select(u => (long)(u >> 1) - (1L << 62))),
        (1, Gen.Elements(long.MinValue, long.MinValue + 1, -1L, 0L, long.MaxValue - 1_000_000)));

    /// <summary>Gaps between timestamps: regular scrapes, jitter, and huge jumps that make 64-bit delta-of-deltas.</summary>
    public static Gen<ulong> Gap { get; } = Gen.Frequency(
        (40, Gen.Constant(15_000UL)),
        (40, Gen.Choose(1, 30_000).Select(x => (ulong)x)),
        (10, Gen.Choose(1, 1 << 22).Select(x => (ulong)x)),
        (4, Bits64.Select(u => (u >> 24) + 1)),
        (3, Bits64.Select(u => (u >> 2) + 1)),
        (1, Bits64.Select(u => u | 1)),
        (5, Gen.Elements(1UL, 8192UL, 65536UL, 524288UL, 524289UL)));

    /// <summary>Values as bits: specials, arbitrary patterns, subnormals and counter-like numbers.</summary>
    public static Gen<ulong> Value { get; } = Gen.Frequency(
        (3, Gen.Elements(s_specialValues)),
        (3, Bits64),
        (1, Bits64.Select(u => u & 0x800FFFFFFFFFFFFF)),
        (4, Gen.Choose(-1000, 1000).Select(i => BitConverter.DoubleToUInt64Bits(i))),
        (2, Gen.Choose(0, 100_000).Select(i => BitConverter.DoubleToUInt64Bits(i * 0.1))));

    /// <summary>1 to 120 samples with strictly increasing timestamps; a third of the values repeat the previous one.</summary>
    public static Gen<RawSample[]> Samples { get; } =
        from n in Gen.Choose(1, 120)
        from t0 in FirstTime
        from gaps in Gap.ArrayOf(n)
        from values in Value.ArrayOf(n)
        from repeats in Gen.Choose(0, 2).ArrayOf(n)
        select Build(t0, gaps, values, repeats);

    public static Arbitrary<RawSample[]> SamplesArb { get; } = Samples.ToArbitrary();

    private static RawSample[] Build(long t0, ulong[] gaps, ulong[] values, int[] repeats)
    {
        var result = new List<RawSample>(values.Length) { new(t0, values[0]) };
        long t = t0;
        for (int i = 1; i < values.Length; i++)
        {
            // Stop rather than wrap: timestamps must stay strictly increasing as int64.
            ulong room = unchecked((ulong)long.MaxValue - (ulong)t);
            if (gaps[i] > room)
            {
                break;
            }

            t = unchecked(t + (long)gaps[i]);
            result.Add(new RawSample(t, repeats[i] == 0 ? result[^1].Bits : values[i]));
        }

        return [.. result];
    }
}
