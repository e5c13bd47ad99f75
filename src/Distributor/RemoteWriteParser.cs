using System.Buffers;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;

namespace MetricsCluster.Distributor;

/// <summary>
/// Walks a snappy-decoded remote-write 1.0 <c>WriteRequest</c> and fills a <see cref="PushBatch"/>,
/// validating as it goes (G10): labels are slices of the input, the canonical label encoding is
/// written into one pooled scratch buffer and hashed once, and a rejected series is removed from
/// the batch and recorded in the <see cref="ParseReport"/> while the rest of the request goes on.
/// On a repeat request the steady state allocates nothing per series, label or sample (only the
/// message strings of rejections and the metadata records).
/// </summary>
/// <remarks>
/// Follows the protobuf rules a generated parser follows: fields in any order, unknown fields of
/// every wire type skipped, a repeated singular field's last value wins. Exemplars (TimeSeries field
/// 3) are skipped and native histograms (field 4) counted and skipped. Malformed input throws
/// <see cref="RemoteWriteFormatException"/> naming the byte offset; the batch is then in an
/// unspecified state and must be discarded.
/// </remarks>
public static partial class RemoteWriteParser
{
    // Tags are (field << 3) | wire type; matching the whole tag makes a known field number sent
    // with an unexpected wire type an unknown field, as generated parsers treat it.
    private const uint TagWriteRequestTimeseries = (1 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagWriteRequestMetadata = (3 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagSeriesLabel = (1 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagSeriesSample = (2 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagSeriesExemplar = (3 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagSeriesHistogram = (4 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagLabelName = (1 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagLabelValue = (2 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagSampleValue = (1 << 3) | ProtoReader.WireFixed64;
    private const uint TagSampleTimestamp = (2 << 3) | ProtoReader.WireVarint;

    /// <summary>Parses and validates <paramref name="data"/> into <paramref name="batch"/>.</summary>
    /// <param name="data">The snappy-decoded protobuf; it must outlive the call only.</param>
    /// <param name="batch">Receives the valid series, samples and metadata (appended).</param>
    /// <param name="limits">The tenant's limits (only the validation ones are read).</param>
    /// <param name="nowMs">"Now" in Unix milliseconds, for the grace periods.</param>
    /// <param name="report">Receives counts and rejections (added to what it holds).</param>
    /// <exception cref="RemoteWriteFormatException">The bytes are not a well-formed WriteRequest.</exception>
    public static void Parse(ReadOnlySpan<byte> data, PushBatch batch, Limits limits, long nowMs, ParseReport report)
    {
        var scratch = new Scratch(limits, nowMs);
        try
        {
            var reader = new ProtoReader(data, 0, data.Length);
            while (reader.TryReadTag(out uint tag))
            {
                switch (tag)
                {
                    case TagWriteRequestTimeseries:
                        var (start, end) = reader.ReadLengthDelimited();
                        ParseSeries(data, start, end, batch, ref scratch, report);
                        break;
                    case TagWriteRequestMetadata:
                        var (ms, me) = reader.ReadLengthDelimited();
                        ParseMetadata(data, ms, me, batch, limits, report);
                        break;
                    default:
                        reader.SkipField(tag);
                        break;
                }
            }
        }
        finally
        {
            scratch.Dispose();
        }
    }

    private static void ParseSeries(ReadOnlySpan<byte> data, int start, int end, PushBatch batch, ref Scratch scratch, ParseReport report)
    {
        // Pass 1: collect the labels (they may follow the samples on the wire) and count samples.
        int labelCount = 0, sampleCount = 0, firstSampleAt = -1;
        var reader = new ProtoReader(data, start, end);
        while (true)
        {
            int at = reader.Position;
            if (!reader.TryReadTag(out uint tag))
            {
                break;
            }

            switch (tag)
            {
                case TagSeriesLabel:
                    var (ls, le) = reader.ReadLengthDelimited();
                    var slot = ReadLabel(data, ls, le);
                    if (slot.ValueLength > 0)
                    {
                        // Prometheus drops empty-valued labels: the series is as if they were absent.
                        scratch.AddLabel(slot, labelCount++);
                    }

                    break;
                case TagSeriesSample:
                    firstSampleAt = firstSampleAt < 0 ? at : firstSampleAt;
                    reader.ReadLengthDelimited();
                    sampleCount++;
                    break;
                case TagSeriesExemplar:
                    var (es, ee) = reader.ReadLengthDelimited();
                    SkipMessage(data, es, ee);
                    report.IgnoredExemplars++;
                    break;
                case TagSeriesHistogram:
                    var (hs, he) = reader.ReadLengthDelimited();
                    SkipMessage(data, hs, he);
                    report.IgnoredHistograms++;
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        report.ReceivedSeries++;
        report.ReceivedSamples += sampleCount;
        var labels = scratch.Labels.AsSpan(0, labelCount);
        var check = SeriesValidator.CheckLabels(data, labels, scratch.Limits, out int bad);
        bool added = false;
        if (check != SeriesCheck.Ok)
        {
            Reject(check, data, labels, bad, 0, sampleCount, ref scratch, report);
        }
        else if (sampleCount > 0)
        {
            // Valid labels are already in canonical order, so the encoding is a straight copy.
            scratch.Encoded.Length = 0;
            foreach (var l in labels)
            {
                LabelsEncoding.WritePair(ref scratch.Encoded, l.Name(data), l.Value(data));
            }

            batch.AddSeries(scratch.Encoded.Written, XxHash64.Hash(scratch.Encoded.Written));
            added = true;
        }

        if (sampleCount > 0)
        {
            // Pass 2: the samples. They are decoded even for a rejected series so that a malformed
            // sample fails the request exactly as a generated parser would.
            ReadSamples(data, firstSampleAt, end, batch, added, sampleCount, labels, ref scratch, report);
        }
    }

    private static void ReadSamples(ReadOnlySpan<byte> data, int start, int end, PushBatch batch, bool added, int sampleCount, ReadOnlySpan<LabelSlot> labels, ref Scratch scratch, ParseReport report)
    {
        var reader = new ProtoReader(data, start, end);
        while (reader.TryReadTag(out uint tag))
        {
            if (tag != TagSeriesSample)
            {
                reader.SkipField(tag);
                continue;
            }

            var (ss, se) = reader.ReadLengthDelimited();
            var (t, v) = ReadSample(data, ss, se);
            if (!added)
            {
                continue;
            }

            var check = SeriesValidator.CheckTimestamp(t, scratch.MaxTimestampMs, scratch.MinTimestampMs);
            if (check != SeriesCheck.Ok)
            {
                // Mimir drops the whole series when one of its samples is out of bounds.
                batch.RemoveLastSeries();
                added = false;
                Reject(check, data, labels, -1, t, sampleCount, ref scratch, report);
                continue;
            }

            batch.AddSample(t, v);
        }
    }

    private static void Reject(SeriesCheck check, ReadOnlySpan<byte> data, ReadOnlySpan<LabelSlot> labels, int index, long timestampMs, int samples, ref Scratch scratch, ParseReport report)
    {
        string? message = report.WantsSeriesMessage
            ? ValidationMessages.ForSeries(check, data, labels, index, scratch.Limits, timestampMs)
            : null;
        report.RejectSeries(check.Id(), samples, message);
    }

    private static LabelSlot ReadLabel(ReadOnlySpan<byte> data, int start, int end)
    {
        int ns = start, nl = 0, vs = start, vl = 0;
        var reader = new ProtoReader(data, start, end);
        while (reader.TryReadTag(out uint tag))
        {
            switch (tag)
            {
                case TagLabelName:
                    (ns, int ne) = reader.ReadLengthDelimited();
                    nl = ne - ns;
                    break;
                case TagLabelValue:
                    (vs, int ve) = reader.ReadLengthDelimited();
                    vl = ve - vs;
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        return new LabelSlot(ns, nl, vs, vl);
    }

    private static (long Timestamp, double Value) ReadSample(ReadOnlySpan<byte> data, int start, int end)
    {
        long t = 0;
        ulong bits = 0;
        var reader = new ProtoReader(data, start, end);
        while (reader.TryReadTag(out uint tag))
        {
            switch (tag)
            {
                case TagSampleValue:
                    bits = reader.ReadFixed64();
                    break;
                case TagSampleTimestamp:
                    t = (long)reader.ReadVarint();
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        // Bit-exact: stale markers are a NaN payload that arithmetic would lose.
        return (t, BitConverter.UInt64BitsToDouble(bits));
    }

    /// <summary>Checks that a skipped message is a well-formed field sequence (one level deep).</summary>
    private static void SkipMessage(ReadOnlySpan<byte> data, int start, int end)
    {
        var reader = new ProtoReader(data, start, end);
        while (reader.TryReadTag(out uint tag))
        {
            reader.SkipField(tag);
        }
    }

    /// <summary>Per-request scratch state: pooled buffers rented once and reused for every series.</summary>
    private struct Scratch : IDisposable
    {
        public LabelSlot[] Labels;
        public ValueBuffer Encoded;
        public readonly Limits Limits;
        public readonly long MaxTimestampMs;
        public readonly long MinTimestampMs;

        public Scratch(Limits limits, long nowMs)
        {
            Labels = ArrayPool<LabelSlot>.Shared.Rent(64);
            Encoded = new ValueBuffer(1024);
            Limits = limits;
            MaxTimestampMs = SaturatingAdd(nowMs, (long)limits.CreationGracePeriod.TotalMilliseconds);
            MinTimestampMs = limits.PastGracePeriod > TimeSpan.Zero
                ? SaturatingAdd(nowMs, -(long)limits.PastGracePeriod.TotalMilliseconds)
                : long.MinValue;
        }

        public void AddLabel(LabelSlot slot, int index)
        {
            if (index == Labels.Length)
            {
                var bigger = ArrayPool<LabelSlot>.Shared.Rent(index * 2);
                Labels.AsSpan().CopyTo(bigger);
                ArrayPool<LabelSlot>.Shared.Return(Labels);
                Labels = bigger;
            }

            Labels[index] = slot;
        }

        public void Dispose()
        {
            ArrayPool<LabelSlot>.Shared.Return(Labels);
            Labels = [];
            Encoded.Dispose();
        }

        private static long SaturatingAdd(long a, long b)
        {
            long r = a + b;
            return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? long.MaxValue : long.MinValue) : r;
        }
    }
}
