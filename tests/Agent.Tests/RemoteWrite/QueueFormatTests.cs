using MetricsCluster.Agent.RemoteWrite;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

/// <summary>The bytes of docs/format/agent-queue.md, checked f-test style (G18).</summary>
public sealed class QueueFormatTests
{
    // Payload = type 01, count 01, labels length 0C, {aaa="bbb", c="x"} as 03 aaa 03 bbb 01 c 01 x,
    // zig-zag varint timestamp, BE64 value bits.
    private const string Prefix = "01010C" + "03616161036262620163" + "0178";

    [Theory]
    [InlineData(0, 0.0, Prefix + "00" + "0000000000000000")]
    [InlineData(-1, 1.0, Prefix + "01" + "3FF0000000000000")]
    [InlineData(64, double.PositiveInfinity, Prefix + "8001" + "7FF0000000000000")]
    [InlineData(1, double.NaN, Prefix + "02" + "FFF8000000000000")]
    public void SamplesRecordBytes(long timestamp, double value, string payloadHex)
    {
        var sample = new ScrapedSample(Labels.FromStrings("c", "x", "aaa", "bbb"), timestamp, value);
        byte[] record = QueueFormat.EncodeRecord([sample]);
        byte[] payload = Convert.FromHexString(payloadHex);
        var (length, crc) = QueueFormat.ReadRecordHeader(record);
        Assert.Equal(payload.Length, (int)length);
        Assert.Equal(Crc32C.Compute(payload), crc);
        Assert.Equal(payloadHex, Convert.ToHexString(record.AsSpan(QueueFormat.RecordHeaderSize)));
    }

    [Fact]
    public void StaleMarkerBitsAreKept()
    {
        byte[] record = QueueFormat.EncodeRecord([new ScrapedSample(Labels.FromStrings("c", "x", "aaa", "bbb"), 0, StaleMarker.Value)]);
        Assert.EndsWith("7FF0000000000002", Convert.ToHexString(record), StringComparison.Ordinal);
    }

    [Fact]
    public void RecordsRoundTripBitExactly()
    {
        var batch = QueueTestKit.Scrapes(series: 7, rounds: 3).SelectMany(b => b).ToList();
        batch.Add(new ScrapedSample(Labels.FromStrings("__name__", "neg"), -123_456, StaleMarker.Value));
        byte[] record = QueueFormat.EncodeRecord(batch);
        var decoded = new List<ScrapedSample>();
        Assert.True(QueueFormat.TryDecodeSamples(record.AsSpan(QueueFormat.RecordHeaderSize), decoded));
        Assert.Equal(batch.Select(QueueTestKit.Expected), decoded.Select(QueueTestKit.Expected));
        Assert.True(StaleMarker.Is(decoded[^1].Value));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    public void TruncatedPayloadsAreRejected(int cut)
    {
        byte[] record = QueueFormat.EncodeRecord(QueueTestKit.Scrapes(series: 2, rounds: 1)[0]);
        var payload = record.AsSpan(QueueFormat.RecordHeaderSize);
        Assert.False(QueueFormat.TryDecodeSamples(payload[..^cut], new List<ScrapedSample>()));
    }

    [Fact]
    public void MutatedPayloadsNeverThrow()
    {
        // A poor man's fuzz (G19): seeded random byte flips, truncations and insertions of a valid payload
        // must decode or be rejected, never throw, and a decode that succeeds must stay within the input.
        byte[] valid = QueueFormat.EncodeRecord(QueueTestKit.Scrapes(series: 3, rounds: 1)[0])[QueueFormat.RecordHeaderSize..];
        var random = new Random(20261122);
        var samples = new List<ScrapedSample>();
        for (int i = 0; i < 5000; i++)
        {
            var mutated = valid.ToList();
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                int at = random.Next(mutated.Count);
                switch (random.Next(3))
                {
                    case 0: mutated[at] = (byte)random.Next(256); break;
                    case 1: mutated.RemoveRange(at, mutated.Count - at); break;
                    default: mutated.Insert(at, (byte)random.Next(256)); break;
                }

                if (mutated.Count == 0)
                {
                    break;
                }
            }

            samples.Clear();
            if (QueueFormat.TryDecodeSamples(mutated.ToArray(), samples))
            {
                Assert.True(samples.Sum(s => s.Labels.Bytes.Length) < mutated.Count);
            }
        }
    }

    [Fact]
    public void SegmentNamesAreEightDigits()
    {
        Assert.Equal("00000042", QueueFormat.SegmentName(42));
        Assert.True(QueueFormat.TryParseSegmentName("00000042", out int s));
        Assert.Equal(42, s);
        Assert.False(QueueFormat.TryParseSegmentName("ack", out _));
        Assert.False(QueueFormat.TryParseSegmentName("42", out _));
        Assert.False(QueueFormat.TryParseSegmentName("ack.tmp", out _));
    }

    [Fact]
    public void AckFileRoundTripsAndRejectsCorruption()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mc-ack-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Assert.Null(AckPositionFile.TryRead(dir));
            AckPositionFile.Write(dir, new QueuePosition(7, 123_456_789_012));
            Assert.Equal(new QueuePosition(7, 123_456_789_012), AckPositionFile.TryRead(dir));
            string path = Path.Combine(dir, AckPositionFile.FileName);
            byte[] bytes = File.ReadAllBytes(path);
            Assert.Equal("4D43524101000000", Convert.ToHexString(bytes, 0, 8));
            bytes[10] ^= 1;
            File.WriteAllBytes(path, bytes);
            Assert.Null(AckPositionFile.TryRead(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
