using System.Diagnostics;

namespace MetricsCluster.Tools.LoadGen;

/// <summary>
/// Builds remote-write 1.0 request bodies (snappy block of a <c>prometheus.WriteRequest</c>) for one
/// writer. Owns one reusable protobuf buffer; only the snappy output is a fresh array per request,
/// because <c>Snappier.Snappy.CompressToArray</c> returns one (the HTTP content keeps it). None of its methods are thread-safe.
/// </summary>
internal sealed class RequestEncoder
{
    private readonly SeriesSet _series;
    private readonly Timeline _timeline;
    private readonly byte[] _buffer;

    public RequestEncoder(SeriesSet series, Timeline timeline, int maxSeriesPerRequest)
    {
        _series = series;
        _timeline = timeline;
        // Per series: key (1) + length (<= 3) + labels + samples key (1) + length (1)
        // + value key and double (9) + timestamp key and varint (<= 11) = labels + 26; round up.
        _buffer = new byte[checked(maxSeriesPerRequest * (series.MaxLabelBytes + 32))];
    }

    /// <summary>Time spent building protobuf bytes, in <see cref="Stopwatch"/> ticks.</summary>
    public long ProtobufTicks { get; private set; }

    /// <summary>Time spent in snappy, in <see cref="Stopwatch"/> ticks.</summary>
    public long SnappyTicks { get; private set; }

    /// <summary>Uncompressed protobuf bytes produced so far.</summary>
    public long RawBytes { get; private set; }

    /// <summary>
    /// Encodes sample number <paramref name="round"/> of series <c>[from, to)</c> as one request:
    /// one <c>TimeSeries</c> with one <c>Sample</c> per series.
    /// </summary>
    public byte[] Encode(int round, int from, int to)
    {
        long t0 = Stopwatch.GetTimestamp();
        int length = EncodeProtobuf(round, from, to, _buffer);
        long t1 = Stopwatch.GetTimestamp();
        byte[] body = Snappier.Snappy.CompressToArray(_buffer.AsSpan(0, length));
        long t2 = Stopwatch.GetTimestamp();
        ProtobufTicks += t1 - t0;
        SnappyTicks += t2 - t1;
        RawBytes += length;
        return body;
    }

    /// <summary>Runs the encode path once without counting it, so the timed run does not pay for the JIT.</summary>
    public void WarmUp(int from, int to)
    {
        int length = EncodeProtobuf(0, from, to, _buffer);
        _ = Snappier.Snappy.CompressToArray(_buffer.AsSpan(0, length));
    }

    /// <summary>Writes the uncompressed <c>WriteRequest</c> into <paramref name="dst"/>; returns its length.</summary>
    public int EncodeProtobuf(int round, int from, int to, Span<byte> dst)
    {
        var writer = new ProtoWriter(dst);
        for (int i = from; i < to; i++)
        {
            ReadOnlySpan<byte> labels = _series.Labels(i);
            long timestamp = _timeline.Timestamp(i, round);
            // Sample = 0x09 + 8-byte double + 0x10 + varint(timestamp); always < 128 bytes.
            int sampleLength = 10 + ProtoWriter.VarintSize((ulong)timestamp);
            int seriesLength = labels.Length + 2 + sampleLength;

            writer.WriteByte(ProtoWriter.Field1Bytes);
            writer.WriteVarint((ulong)seriesLength);
            writer.WriteRaw(labels);
            writer.WriteByte(ProtoWriter.Field2Bytes);
            writer.WriteByte((byte)sampleLength);
            writer.WriteByte(ProtoWriter.SampleValueKey);
            writer.WriteDouble(Value(i, round));
            writer.WriteByte(ProtoWriter.SampleTimestampKey);
            writer.WriteVarint((ulong)timestamp);
        }

        return writer.Position;
    }

    /// <summary>
    /// The value of series <paramref name="series"/> at round <paramref name="round"/>: even series
    /// are counters (monotonic integer steps), odd ones gauges (bounded, quarter steps), as a real
    /// mix compresses differently from constants.
    /// </summary>
    public static double Value(int series, int round)
    {
        uint hash = (uint)series * 2654435761u;
        double baseValue = hash % 100_000;
        if ((series & 1) == 0)
        {
            return baseValue + ((double)round * (1 + ((hash >> 20) % 50)));
        }

        return (baseValue * 0.001) + (((hash >> 8) ^ ((uint)round * 40503u)) % 1000 * 0.25);
    }
}

/// <summary>
/// Timestamps: round <c>r</c> of series <c>i</c> is at <c>start + r × interval + i × interval / series</c>,
/// so each series' timestamps are strictly increasing, series are spread over the interval as scrapes
/// are, and the last round is still before <c>now</c>.
/// </summary>
internal sealed class Timeline
{
    private readonly int _seriesCount;

    public Timeline(long startMs, long intervalMs, int seriesCount)
    {
        StartMs = startMs;
        IntervalMs = intervalMs;
        _seriesCount = seriesCount;
    }

    public long StartMs { get; }

    public long IntervalMs { get; }

    public long Timestamp(int series, int round) =>
        StartMs + (round * IntervalMs) + (series * IntervalMs / _seriesCount);
}
