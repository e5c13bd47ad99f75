using FsCheck;
using FsCheck.Fluent;
using MetricsCluster.Core;
using MetricsCluster.Tsdb.Wal;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Wal;

/// <summary>Record codec round trips and a small decode fuzz (G19), with FsCheck.</summary>
public class WalRecordsPropertyTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static readonly Gen<ulong> s_bits64 =
        from a in Gen.Choose(0, 0xFFFF)
        from b in Gen.Choose(0, 0xFFFF)
        from c in Gen.Choose(0, 0xFFFF)
        from d in Gen.Choose(0, 0xFFFF)
        select ((ulong)(uint)a << 48) | ((ulong)(uint)b << 32) | ((ulong)(uint)c << 16) | (uint)d;

    // Refs and times: small, near each other, and arbitrary 64-bit (so deltas wrap).
    private static readonly Gen<ulong> s_ref = Gen.Frequency(
        (3, Gen.Choose(0, 1000).Select(x => (ulong)x)),
        (2, s_bits64),
        (1, Gen.Elements(0UL, ulong.MaxValue, 1UL << 63)));

    private static readonly Gen<long> s_time = Gen.Frequency(
        (3, Gen.Choose(-100_000, 100_000).Select(x => 1_700_000_000_000L + x)),
        (2, s_bits64.Select(u => (long)u)),
        (1, Gen.Elements(long.MinValue, long.MaxValue, 0L)));

    private static readonly Gen<double> s_value = Gen.Frequency(
        (2, Gen.Elements(0x7FF0000000000002UL, 0x7FF8000000000001UL, 0x8000000000000000UL, 0x7FF0000000000000UL)),
        (3, s_bits64),
        (3, Gen.Choose(-1000, 1000).Select(i => BitConverter.DoubleToUInt64Bits(i * 0.5))))
        .Select(BitConverter.UInt64BitsToDouble);

    private static readonly Gen<string> s_text =
        Gen.Elements("a", "Z", "0", "_", " ", "é", "€", "😀", "\"", "\n", "ab").ArrayOf().Select(string.Concat);

    private static readonly Gen<Labels> s_labels =
        (from name in Gen.Elements("__name__", "job", "instance", "a", "b", "zz", "é", "le")
         from value in s_text
         select new[] { name, value })
        .ArrayOf()
        .Select(pairs => Labels.FromStrings([.. pairs.SelectMany(p => p)]));

    [Fact]
    public void SeriesRoundTrip() =>
        Check.One(s_config, Prop.ForAll((from r in s_ref from l in s_labels select new RefSeries(r, l)).ArrayOf().ToArbitrary(), series =>
        {
            var got = new List<RefSeries>();
            WalRecords.DecodeSeries(Encode((ref ValueBuffer b) => EncodeSeries(ref b, series)), got);
            Assert.Equal(series, got);
        }));

    [Fact]
    public void SamplesRoundTripBitExact() =>
        Check.One(s_config, Prop.ForAll((from r in s_ref from t in s_time from v in s_value select new RefSample(r, t, v)).ArrayOf().ToArbitrary(), samples =>
        {
            var got = new List<RefSample>();
            WalRecords.DecodeSamples(Encode((ref ValueBuffer b) => EncodeSamples(ref b, samples)), got);
            Assert.Equal(samples.Select(Bits), got.Select(Bits));
        }));

    [Fact]
    public void TombstonesRoundTrip() =>
        Check.One(s_config, Prop.ForAll((from r in s_ref from a in s_time from b in s_time select new Tombstone(r, a, b)).ArrayOf().ToArbitrary(), stones =>
        {
            var got = new List<Tombstone>();
            WalRecords.DecodeTombstones(Encode((ref ValueBuffer b) => WalRecords.EncodeTombstones(ref b, stones)), got);
            Assert.Equal(stones, got);
        }));

    [Fact]
    public void MetadataRoundTrip() =>
        Check.One(s_config, Prop.ForAll((from r in s_ref from t in Gen.Choose(0, 7) from u in s_text from h in s_text select new RefMetadata(r, (byte)t, u, h)).ArrayOf().ToArbitrary(), md =>
        {
            var got = new List<RefMetadata>();
            WalRecords.DecodeMetadata(Encode((ref ValueBuffer b) => WalRecords.EncodeMetadata(ref b, md)), got);
            Assert.Equal(md, got);
        }));

    [Fact]
    public void DecodersOnlyEverThrowWalRecordException() =>
        Check.One(s_config.WithMaxTest(2000), Prop.ForAll(Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf().ToArbitrary(), Gen.Choose(1, 6).ToArbitrary(), (bytes, type) =>
        {
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)type;
            }

            var e = Record.Exception(() => WalRecordsTests.DecodeAny(bytes, (RecordType)type));
            Assert.True(e is null or WalRecordException, e?.ToString());
        }));

    [Fact]
    public void EveryTruncationOfAValidRecordDecodesOrThrowsWalRecordException()
    {
        var rnd = new Random(5);
        byte[] rec = Encode((ref ValueBuffer b) =>
        {
            WalRecords.BeginSeries(ref b);
            for (int i = 0; i < 5; i++)
            {
                WalRecords.AddSeries(ref b, (ulong)rnd.NextInt64(), Labels.FromStrings("__name__", "m" + i, "job", "j€"));
            }
        });
        for (int n = 0; n < rec.Length; n++)
        {
            var e = Record.Exception(() => WalRecords.DecodeSeries(rec.AsSpan(0, n), []));
            Assert.True(e is null or WalRecordException, e?.ToString());
        }
    }

    private static (ulong, long, ulong) Bits(RefSample s) => (s.Ref, s.T, BitConverter.DoubleToUInt64Bits(s.V));

    private static void EncodeSeries(ref ValueBuffer b, RefSeries[] series)
    {
        WalRecords.BeginSeries(ref b);
        foreach (var s in series)
        {
            WalRecords.AddSeries(ref b, s.Ref, s.Labels);
        }
    }

    private static void EncodeSamples(ref ValueBuffer b, RefSample[] samples)
    {
        var st = default(SamplesEncoderState);
        WalRecords.BeginSamples(ref b);
        foreach (var s in samples)
        {
            WalRecords.AddSample(ref b, ref st, s.Ref, s.T, s.V);
        }
    }

    private delegate void Writer(ref ValueBuffer b);

    private static byte[] Encode(Writer write)
    {
        var b = new ValueBuffer(16);
        try
        {
            write(ref b);
            return b.Written.ToArray();
        }
        finally
        {
            b.Dispose();
        }
    }
}
