using MetricsCluster.Core;
using MetricsCluster.Tsdb.Wal;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Wal;

/// <summary>Byte-exact record encodings (f-test style, G18), each re-run after a non-empty prefix.</summary>
public class WalRecordsTests
{
    private delegate void Encode(ref ValueBuffer dst);

    [Fact]
    public void SeriesRecordBytes()
    {
        Check(
            (ref ValueBuffer b) =>
            {
                WalRecords.BeginSeries(ref b);
                WalRecords.AddSeries(ref b, 1, Labels.FromStrings("__name__", "up", "job", "a"));
                WalRecords.AddSeries(ref b, 0x0102030405060708, Labels.Empty);
            },
            "01" + "0000000000000001" + "02" + "085F5F6E616D655F5F" + "027570" + "036A6F62" + "0161"
            + "0102030405060708" + "00");
    }

    [Fact]
    public void SamplesRecordBytes()
    {
        Check(
            (ref ValueBuffer b) =>
            {
                var st = default(SamplesEncoderState);
                WalRecords.BeginSamples(ref b);
                WalRecords.AddSample(ref b, ref st, 5, 1000, 1.0);
                WalRecords.AddSample(ref b, ref st, 6, 1015, BitConverter.UInt64BitsToDouble(0x7FF0000000000002));
                WalRecords.AddSample(ref b, ref st, 4, 999, -2.0);
            },
            "02" + "0000000000000005" + "00000000000003E8"
            + "00" + "00" + "3FF0000000000000"
            + "02" + "1E" + "7FF0000000000002" // Zig-zag: +1 -> 2, +15 -> 30.
            + "01" + "01" + "C000000000000000"); // Zig-zag: -1 -> 1.
        Check((ref ValueBuffer b) => WalRecords.BeginSamples(ref b), "02");
    }

    [Fact]
    public void TombstonesRecordBytes() =>
        Check(
            (ref ValueBuffer b) => WalRecords.EncodeTombstones(ref b, [new Tombstone(3, -1, 100)]),
            "03" + "0000000000000003" + "01" + "C801");

    [Fact]
    public void MetadataRecordBytes() =>
        Check(
            (ref ValueBuffer b) => WalRecords.EncodeMetadata(ref b, [new RefMetadata(300, 1, "s", "h")]),
            "06" + "AC02" + "01" + "02" + "04554E4954" + "0173" + "0448454C50" + "0168");

    [Theory]
    [InlineData("", RecordType.Unknown)]
    [InlineData("01", RecordType.Series)]
    [InlineData("02FF", RecordType.Samples)]
    [InlineData("03", RecordType.Tombstones)]
    [InlineData("04", RecordType.Exemplars)]
    [InlineData("05", RecordType.MmapMarkers)]
    [InlineData("06", RecordType.Metadata)]
    [InlineData("07", RecordType.Unknown)] // Prometheus histogram samples: not ours.
    [InlineData("00", RecordType.Unknown)]
    public void TypeOfReadsTheFirstByte(string hex, RecordType expected) =>
        Assert.Equal(expected, WalRecords.TypeOf(Convert.FromHexString(hex)));

    [Fact]
    public void StaleMarkerNaNPayloadSurvivesEncodeAndDecode()
    {
        var buf = new ValueBuffer(64);
        try
        {
            var st = default(SamplesEncoderState);
            WalRecords.BeginSamples(ref buf);
            WalRecords.AddSample(ref buf, ref st, 1, 10, BitConverter.UInt64BitsToDouble(0x7FF0000000000002));
            WalRecords.AddSample(ref buf, ref st, 1, 20, BitConverter.UInt64BitsToDouble(0x7FF8000000000001));
            var samples = new List<RefSample>();
            WalRecords.DecodeSamples(buf.Written, samples);
            Assert.Equal(0x7FF0000000000002UL, BitConverter.DoubleToUInt64Bits(samples[0].V));
            Assert.Equal(0x7FF8000000000001UL, BitConverter.DoubleToUInt64Bits(samples[1].V));
        }
        finally
        {
            buf.Dispose();
        }
    }

    [Fact]
    public void NonCanonicalSeriesLabelsAreNormalised()
    {
        // Unsorted names and an over-long varint length (0x83 0x00 = 3): Go accepts both.
        byte[] rec = Convert.FromHexString("01" + "0000000000000007" + "02" + "036A6F62" + "0161" + "8300" + "616263" + "0178");
        var series = new List<RefSeries>();
        WalRecords.DecodeSeries(rec, series);
        Assert.Equal(Labels.FromStrings("abc", "x", "job", "a"), series[0].Labels);
    }

    // Malformed input: (hex, offset named by the exception).
    [Theory]
    [InlineData("02", -1)] // Valid: an empty samples record.
    [InlineData("", 0)]
    [InlineData("01", -1)]
    [InlineData("0100000000", 1)] // Truncated ref.
    [InlineData("01000000000000000105", 9)] // Label count 5 in a 1-byte remainder.
    [InlineData("010000000000000000010261", 10)] // Label name length 2, one byte left.
    [InlineData("020000000000000001000000000000000100", 18)] // Truncated sample: missing dt.
    [InlineData("03" + "0000000000000001" + "FFFFFFFFFFFFFFFFFFFF", 9)] // Varint overflows 64 bits.
    [InlineData("06" + "01" + "01" + "0A", 3)] // 10 fields declared, none present.
    [InlineData("02" + "01", 0)] // Wrong decoder: type byte says Samples.
    public void MalformedRecordsNameTheOffset(string hex, int offset)
    {
        byte[] rec = Convert.FromHexString(hex);
        var e = Record.Exception(() => DecodeAny(rec, hex.StartsWith("0201", StringComparison.Ordinal) ? RecordType.Series : WalRecords.TypeOf(rec)));
        if (offset < 0)
        {
            Assert.Null(e);
        }
        else
        {
            Assert.Equal(offset, Assert.IsType<WalRecordException>(e).Offset);
        }
    }

    /// <summary>Decodes with the decoder for <paramref name="type"/>; Unknown uses the series decoder.</summary>
    internal static void DecodeAny(ReadOnlySpan<byte> rec, RecordType type)
    {
        switch (type)
        {
            case RecordType.Samples: WalRecords.DecodeSamples(rec, []); break;
            case RecordType.Tombstones: WalRecords.DecodeTombstones(rec, []); break;
            case RecordType.Metadata: WalRecords.DecodeMetadata(rec, []); break;
            default: WalRecords.DecodeSeries(rec, []); break;
        }
    }

    private static void Check(Encode encode, string expectedHex)
    {
        foreach (string prefix in new[] { "", "FFEE" })
        {
            var buf = new ValueBuffer(1);
            try
            {
                buf.Write(Convert.FromHexString(prefix));
                encode(ref buf);
                Assert.Equal(prefix + expectedHex, Convert.ToHexString(buf.Written));
            }
            finally
            {
                buf.Dispose();
            }
        }
    }
}
