using System.Buffers;
using System.Diagnostics;
using Google.Protobuf;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Cluster.Tests.Payload;

public sealed class PushCodecTests(ITestOutputHelper output)
{
    /// <summary>A batch with the awkward cases: negative and huge timestamps, a stale NaN, an empty series, metadata.</summary>
    internal static PushBatch SampleBatch()
    {
        var batch = new PushBatch();
        Add(batch, Labels.FromStrings("__name__", "up", "job", "api"), (1000, 1), (2000, 0));
        Add(batch, Labels.FromStrings("__name__", "temp", "city", "Zürich"), (-5, -273.15), (long.MaxValue, double.PositiveInfinity));
        Add(batch, Labels.FromStrings("__name__", "stale"), (3000, BitConverter.Int64BitsToDouble(0x7ff0000000000002)));
        Add(batch, Labels.FromStrings("__name__", "no_samples"));
        batch.Metadata.Add(new MetricMetadata("up", MetricType.Gauge, "1 if up", string.Empty));
        batch.Metadata.Add(new MetricMetadata("temp", MetricType.Unknown, string.Empty, "celsius"));
        return batch;
    }

    internal static void Add(PushBatch batch, Labels labels, params (long T, double V)[] samples)
    {
        batch.AddSeries(labels.Bytes, labels.Hash);
        foreach (var (t, v) in samples)
        {
            batch.AddSample(t, v);
        }
    }

    [Fact]
    public void Encoding_is_byte_identical_to_the_generated_message()
    {
        using var batch = SampleBatch();
        var expected = new PushRequest { Tenant = "team-a" };
        for (int i = 0; i < batch.SeriesCount; i++)
        {
            var s = batch.Series[i];
            var ps = new PushSeries { Labels = ByteString.CopyFrom(batch.LabelsOf(i)) };
            ps.Timestamps.AddRange(batch.Timestamps.Slice(s.FirstSample, s.SampleCount).ToArray());
            ps.Values.AddRange(batch.Values.Slice(s.FirstSample, s.SampleCount).ToArray());
            expected.Series.Add(ps);
        }

        expected.Metadata.AddRange(batch.Metadata.Select(m => new PushMetadata { MetricFamilyName = m.MetricFamilyName, Type = (uint)m.Type, Help = m.Help, Unit = m.Unit }));

        byte[] ours = Encode("team-a", batch);
        Assert.Equal(Convert.ToHexString(expected.ToByteArray()), Convert.ToHexString(ours));
    }

    [Fact]
    public void Worked_example_of_docs_format_rpc_md()
    {
        using var batch = new PushBatch();
        Add(batch, Labels.FromStrings("a", "1"), (10, 1.5));
        Assert.Equal("0A01741213" + "0A040161013112010A1A080000000000" + "00F83F", Convert.ToHexString(Encode("t", batch)));
    }

    [Fact]
    public void Decode_restores_the_batch_and_recomputes_hashes()
    {
        using var batch = SampleBatch();
        byte[] bytes = Encode("team-a", batch);
        using var decoded = new PushBatch();
        string tenant = PushCodec.Decode(bytes, decoded);
        PushSnapshot.Of("team-a", batch).AssertEqual(PushSnapshot.Of(tenant, decoded));
    }

    [Fact]
    public void Decode_accepts_unpacked_and_split_repeated_fields()
    {
        // Protobuf parsers must accept unpacked repeated scalars and packed runs split over several occurrences.
        var labels = Labels.FromStrings("a", "1");
        var ms = new MemoryStream();
        var series = new MemoryStream();
        var cos = new CodedOutputStream(series);
        cos.WriteTag(1, WireFormat.WireType.LengthDelimited);
        cos.WriteBytes(ByteString.CopyFrom(labels.Bytes));
        cos.WriteTag(3, WireFormat.WireType.Fixed64);
        cos.WriteDouble(1.5);
        cos.WriteTag(2, WireFormat.WireType.Varint);
        cos.WriteInt64(10);
        cos.WriteTag(2, WireFormat.WireType.LengthDelimited);
        cos.WriteBytes(ByteString.CopyFrom(0x14, 0x1E)); // 20, 30
        cos.WriteTag(3, WireFormat.WireType.LengthDelimited);
        cos.WriteLength(16);
        cos.WriteDouble(2.5);
        cos.WriteDouble(3.5);
        cos.Flush();
        var outer = new CodedOutputStream(ms);
        outer.WriteTag(2, WireFormat.WireType.LengthDelimited);
        outer.WriteBytes(ByteString.CopyFrom(series.ToArray()));
        outer.WriteTag(9, WireFormat.WireType.Varint); // Unknown field: skipped.
        outer.WriteInt32(7);
        outer.Flush();

        using var decoded = new PushBatch();
        PushCodec.Decode(ms.ToArray(), decoded);
        Assert.Equal([10L, 20, 30], decoded.Timestamps.ToArray());
        Assert.Equal([1.5, 2.5, 3.5], decoded.Values.ToArray());
        Assert.Equal(labels.Hash, decoded.Series[0].Hash);
    }

    [Theory]
    [InlineData("12", "series field runs past the end")]
    [InlineData("1205", "truncated series")]
    [InlineData("1206 0A04 0162 0561", "label value whose length runs past the end")]
    [InlineData("120A 0A08 0162 0161 0161 0161", "unsorted names b, a")]
    [InlineData("1206 0A04 0000 0000", "empty label names")]
    [InlineData("1204 1202 0A14", "two timestamps, no values")]
    [InlineData("1205 1A03 000000", "packed doubles not a multiple of 8")]
    [InlineData("1204 1202 FFFF", "truncated packed varint")]
    [InlineData("0F", "wire type 7")]
    public void Decode_rejects_malformed_requests(string hex, string why)
    {
        using var batch = new PushBatch();
        var e = Assert.Throws<FormatException>(() => PushCodec.Decode(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)), batch));
        Assert.False(string.IsNullOrEmpty(e.Message), why);
    }

    [Fact]
    public void Measure_encode_and_decode_throughput()
    {
        // A measurement for the report, not a timing assertion: 2000-sample requests as remote write sends them.
        using var batch = new PushBatch();
        for (int s = 0; s < 200; s++)
        {
            var labels = Labels.FromStrings("__name__", "http_requests_total", "instance", "host-" + s, "job", "api", "code", "200");
            batch.AddSeries(labels.Bytes, labels.Hash);
            for (int i = 0; i < 10; i++)
            {
                batch.AddSample(1_700_000_000_000 + (i * 15_000), s * i);
            }
        }

        const int Rounds = 2000;
        byte[] buf = ArrayPool<byte>.Shared.Rent(PushCodec.Measure("t", batch));
        using var decoded = new PushBatch(buf.Length);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int r = 0; r < Rounds; r++)
        {
            int n = PushCodec.Encode("t", batch, buf);
            decoded.Clear();
            PushCodec.Decode(buf.AsSpan(0, n), decoded);
        }

        sw.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        // CPU time as well as wall time: on a loaded shared machine the wall figure mostly measures the other tenants.
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        ArrayPool<byte>.Shared.Return(buf);
        Assert.Equal(batch.SampleCount, decoded.SampleCount);
        double samples = (double)Rounds * batch.SampleCount;
        output.WriteLine($"push encode+decode: {samples / sw.Elapsed.TotalSeconds:N0} samples/s wall, {samples / cpu.TotalSeconds:N0} samples per CPU-second ({PushCodec.Measure("t", batch)} bytes per 2000-sample request, {allocated / Rounds} B allocated per encode+decode)");
    }

    private static byte[] Encode(string tenant, PushBatch batch)
    {
        byte[] bytes = new byte[PushCodec.Measure(tenant, batch)];
        Assert.Equal(bytes.Length, PushCodec.Encode(tenant, batch, bytes));
        return bytes;
    }
}
