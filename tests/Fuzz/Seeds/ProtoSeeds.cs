using System.Buffers.Binary;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Snappy;

namespace MetricsCluster.Fuzz.Tests.Seeds;

/// <summary>Seeds for the wire decoders: remote-write protobuf (raw and snappy), snappy blocks and the push codec.</summary>
internal static class ProtoSeeds
{
    private const long T0 = 1_700_000_000_000;

    /// <summary>Small remote-write 1.0 WriteRequests, by name.</summary>
    public static IEnumerable<(string Name, byte[] Data)> WriteRequests()
    {
        yield return ("one-series", WriteRequest(Series(["__name__", "up", "job", "node"], (T0, 1))));
        yield return ("two-series-stale", WriteRequest(
            Series(["__name__", "http_requests_total", "code", "200", "job", "api"], (T0, 10), (T0 + 15_000, 12)),
            Series(["__name__", "up", "instance", "a:9100"], (T0, BitConverter.UInt64BitsToDouble(0x7ff0000000000002)))));
        yield return ("metadata", [.. WriteRequest(Series(["__name__", "x"], (T0, 0.5))), .. Metadata("x", 1, "help text", "seconds")]);
        yield return ("unsorted-and-unknown-fields", [.. WriteRequest(Series(["job", "b", "__name__", "a"], (T0, 2))), .. Field(9, [1, 2, 3])]);
    }

    /// <summary>The same requests snappy-compressed, as a push body.</summary>
    public static IEnumerable<(string Name, byte[] Data)> Bodies() =>
        WriteRequests().Select(r => (r.Name, SnappyEncoder.Encode(r.Data)));

    /// <summary>Snappy blocks: compressible, incompressible and run-heavy input.</summary>
    public static IEnumerable<(string Name, byte[] Data)> SnappyBlocks()
    {
        yield return ("text", SnappyEncoder.Encode("abcabcabcabc hello hello hello snappy snappy"u8));
        yield return ("runs", SnappyEncoder.Encode(new byte[300]));
        var random = new byte[200];
        new Random(7).NextBytes(random);
        yield return ("incompressible", SnappyEncoder.Encode(random));
        yield return ("write-request", SnappyEncoder.Encode(WriteRequests().First().Data));
    }

    /// <summary>Encoded PushRequests of the cluster RPC.</summary>
    public static IEnumerable<(string Name, byte[] Data)> PushRequests()
    {
        using var batch = new PushBatch();
        AddSeries(batch, Labels.FromStrings("__name__", "up", "job", "node"), (T0, 1), (T0 + 15_000, 0));
        AddSeries(batch, Labels.FromStrings("__name__", "temp", "room", "a"), (T0, 21.5));
        batch.Metadata.Add(new MetricMetadata("temp", MetricType.Gauge, "temperature", "celsius"));
        byte[] data = new byte[PushCodec.Measure("team-a", batch)];
        PushCodec.Encode("team-a", batch, data);
        yield return ("two-series-metadata", data);
    }

    /// <summary>A streamed Select reply as the grain-stream target reads it: a one-series batch frame, then the end frame.</summary>
    public static IEnumerable<(string Name, byte[] Data)> GrainStreams()
    {
        var batch = new Cluster.Payload.Wire.SeriesBatch();
        var labels = Labels.FromStrings("__name__", "up", "job", "node");
        var s = new Cluster.Payload.Wire.StreamSeries { Labels = Google.Protobuf.ByteString.CopyFrom(labels.Bytes) };
        s.Chunks.Add(new Cluster.Payload.Wire.Chunk { MinTime = T0, MaxTime = T0 + 15_000, Encoding = 1, Data = Google.Protobuf.ByteString.CopyFrom([0, 2, 1, 2, 3]) });
        batch.Series.Add(s);
        byte[] first = Google.Protobuf.MessageExtensions.ToByteArray(new Cluster.Payload.Wire.StreamFrame { Batch = batch });
        byte[] end = Google.Protobuf.MessageExtensions.ToByteArray(new Cluster.Payload.Wire.StreamFrame { End = new Cluster.Payload.Wire.EndFrame { Frames = 1 } });
        yield return ("batch-end", [(byte)first.Length, .. first, (byte)end.Length, .. end]);
    }

    private static void AddSeries(PushBatch batch, Labels labels, params (long T, double V)[] samples)
    {
        batch.AddSeries(labels.Bytes, labels.Hash);
        foreach (var (t, v) in samples)
        {
            batch.AddSample(t, v);
        }
    }

    private static byte[] WriteRequest(params byte[][] series) => [.. series.SelectMany(s => Field(1, s))];

    private static byte[] Series(string[] labels, params (long T, double V)[] samples)
    {
        var b = new List<byte>();
        for (int i = 0; i < labels.Length; i += 2)
        {
            b.AddRange(Field(1, [.. Field(1, System.Text.Encoding.UTF8.GetBytes(labels[i])), .. Field(2, System.Text.Encoding.UTF8.GetBytes(labels[i + 1]))]));
        }

        foreach (var (t, v) in samples)
        {
            var sample = new List<byte> { (1 << 3) | 1 };
            var bits = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(bits, v);
            sample.AddRange(bits);
            sample.Add(2 << 3);
            sample.AddRange(Varint((ulong)t));
            b.AddRange(Field(2, [.. sample]));
        }

        return [.. b];
    }

    private static byte[] Metadata(string family, int type, string help, string unit) => Field(3,
    [
        .. Varint(1 << 3), .. Varint((ulong)type), .. Field(2, System.Text.Encoding.UTF8.GetBytes(family)),
        .. Field(4, System.Text.Encoding.UTF8.GetBytes(help)), .. Field(5, System.Text.Encoding.UTF8.GetBytes(unit)),
    ]);

    private static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)((number << 3) | 2)), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Varint(ulong v)
    {
        var b = new List<byte>();
        for (; v >= 0x80; v >>= 7)
        {
            b.Add((byte)(v | 0x80));
        }

        b.Add((byte)v);
        return [.. b];
    }
}
