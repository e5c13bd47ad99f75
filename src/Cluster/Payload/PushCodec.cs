using System.Buffers;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Cluster.Payload;

/// <summary>
/// Hand-written codec of <c>PushRequest</c> (ingester.proto) straight between a <see cref="PushBatch"/> and bytes (G9, G10):
/// no per-series allocation on either side. The output is byte-identical to what Google.Protobuf writes for the same
/// message (fields in number order, packed repeated scalars, proto3 defaults omitted); the decoder accepts any valid
/// encoding of the message (any field order, packed or unpacked, unknown fields skipped).
/// </summary>
internal static class PushCodec
{
    private const int TenantField = 1;
    private const int SeriesField = 2;
    private const int MetadataField = 3;
    private const int LabelsField = 1;
    private const int TimestampsField = 2;
    private const int ValuesField = 3;

    /// <summary>Exact size of the encoded request.</summary>
    public static int Measure(string tenant, PushBatch batch)
    {
        int size = tenant.Length == 0 ? 0 : WireWriter.LengthDelimitedSize(Encoding.UTF8.GetByteCount(tenant));
        var series = batch.Series;
        var ts = batch.Timestamps;
        for (int i = 0; i < series.Length; i++)
        {
            size += WireWriter.LengthDelimitedSize(SeriesSize(series[i], ts));
        }

        foreach (var m in batch.Metadata)
        {
            size += WireWriter.LengthDelimitedSize(MetadataSize(m));
        }

        return size;
    }

    /// <summary>Encodes into <paramref name="dst"/>, which must hold <see cref="Measure"/> bytes; returns the bytes written.</summary>
    public static int Encode(string tenant, PushBatch batch, Span<byte> dst)
    {
        var w = new WireWriter(dst);
        if (tenant.Length != 0)
        {
            WriteString(ref w, TenantField, tenant);
        }

        var series = batch.Series;
        var ts = batch.Timestamps;
        var vs = batch.Values;
        for (int i = 0; i < series.Length; i++)
        {
            ref readonly var s = ref series[i];
            w.WriteTag(SeriesField, WireReader.LengthDelimited);
            w.WriteVarint((ulong)SeriesSize(s, ts));
            var labels = batch.LabelsOf(i);
            if (labels.Length != 0)
            {
                w.WriteBytesField(LabelsField, labels);
            }

            if (s.SampleCount == 0)
            {
                continue;
            }

            var sts = ts.Slice(s.FirstSample, s.SampleCount);
            w.WriteTag(TimestampsField, WireReader.LengthDelimited);
            w.WriteVarint((ulong)PackedTimestampsSize(sts));
            foreach (long t in sts)
            {
                w.WriteVarint((ulong)t);
            }

            w.WriteTag(ValuesField, WireReader.LengthDelimited);
            w.WriteVarint((ulong)s.SampleCount * 8);
            foreach (double v in vs.Slice(s.FirstSample, s.SampleCount))
            {
                w.WriteDouble(v);
            }
        }

        foreach (var m in batch.Metadata)
        {
            w.WriteTag(MetadataField, WireReader.LengthDelimited);
            w.WriteVarint((ulong)MetadataSize(m));
            WriteMetadata(ref w, m);
        }

        return w.Position;
    }

    /// <summary>
    /// Decodes a request into <paramref name="batch"/> (which should be empty) and returns the tenant. Every label set is
    /// checked to be a well-formed canonical encoding with strictly increasing names, and hashed here as the distributor
    /// does (xxHash64 of the encoding), so a buggy peer cannot corrupt the head's series map.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not a valid PushRequest.</exception>
    public static string Decode(ReadOnlySpan<byte> src, PushBatch batch)
    {
        string tenant = string.Empty;
        var r = new WireReader(src);
        while (!r.End)
        {
            int field = r.ReadTag(out int wt);
            switch (field)
            {
                case TenantField when wt == WireReader.LengthDelimited:
                    tenant = Encoding.UTF8.GetString(r.ReadBytes());
                    break;
                case SeriesField when wt == WireReader.LengthDelimited:
                    DecodeSeries(r.ReadBytes(), batch);
                    break;
                case MetadataField when wt == WireReader.LengthDelimited:
                    batch.Metadata.Add(DecodeMetadata(r.ReadBytes()));
                    break;
                default:
                    r.Skip(wt);
                    break;
            }
        }

        return tenant;
    }

    private static int SeriesSize(in SeriesEntry s, ReadOnlySpan<long> ts)
    {
        int size = s.LabelsLength == 0 ? 0 : WireWriter.LengthDelimitedSize(s.LabelsLength);
        if (s.SampleCount > 0)
        {
            size += WireWriter.LengthDelimitedSize(PackedTimestampsSize(ts.Slice(s.FirstSample, s.SampleCount)));
            size += WireWriter.LengthDelimitedSize(s.SampleCount * 8);
        }

        return size;
    }

    private static int PackedTimestampsSize(ReadOnlySpan<long> ts)
    {
        int n = 0;
        foreach (long t in ts)
        {
            n += WireWriter.VarintSize((ulong)t);
        }

        return n;
    }

    private static void DecodeSeries(ReadOnlySpan<byte> msg, PushBatch batch)
    {
        // First pass: find the labels and count both repeated fields, which may each be split over several packed
        // or unpacked occurrences; the second pass walks them in step with two cursors.
        ReadOnlySpan<byte> labels = default;
        int nts = 0, nvs = 0;
        var r = new WireReader(msg);
        while (!r.End)
        {
            int field = r.ReadTag(out int wt);
            if (field == LabelsField && wt == WireReader.LengthDelimited)
            {
                labels = r.ReadBytes();
            }
            else if (field == TimestampsField && wt == WireReader.LengthDelimited)
            {
                nts += CountVarints(r.ReadBytes());
            }
            else if (field == TimestampsField && wt == WireReader.Varint)
            {
                r.ReadVarint();
                nts++;
            }
            else if (field == ValuesField && wt == WireReader.LengthDelimited)
            {
                var packed = r.ReadBytes();
                if (packed.Length % 8 != 0)
                {
                    WireReader.ThrowFormat("packed doubles not a multiple of 8 bytes");
                }

                nvs += packed.Length / 8;
            }
            else if (field == ValuesField && wt == WireReader.Fixed64)
            {
                r.ReadFixed64();
                nvs++;
            }
            else
            {
                r.Skip(wt);
            }
        }

        if (nts != nvs)
        {
            WireReader.ThrowFormat($"series has {nts} timestamps but {nvs} values");
        }

        ValidateLabels(labels);
        batch.AddSeries(labels, XxHash64.Hash(labels));
        var tsCursor = new RepeatedCursor(msg, TimestampsField);
        var vsCursor = new RepeatedCursor(msg, ValuesField);
        for (int i = 0; i < nts; i++)
        {
            batch.AddSample((long)tsCursor.Next(), BitConverter.UInt64BitsToDouble(vsCursor.Next()));
        }
    }

    private static int CountVarints(ReadOnlySpan<byte> packed)
    {
        if (packed.Length != 0 && packed[^1] >= 0x80)
        {
            WireReader.ThrowFormat("truncated packed varint");
        }

        // Every varint ends with exactly one byte below 0x80.
        int n = 0;
        foreach (byte b in packed)
        {
            n += b >> 7 ^ 1;
        }

        return n;
    }

    /// <summary>Checks the canonical label encoding: complete pairs, non-empty names, strictly increasing names.</summary>
    /// <exception cref="FormatException">The bytes are not such an encoding.</exception>
    internal static void ValidateLabels(ReadOnlySpan<byte> labels)
    {
        int pos = 0;
        ReadOnlySpan<byte> prev = default;
        bool first = true;
        while (pos < labels.Length)
        {
            var name = ReadPart(labels, ref pos);
            _ = ReadPart(labels, ref pos);
            if (name.IsEmpty || (!first && name.SequenceCompareTo(prev) <= 0))
            {
                WireReader.ThrowFormat("label names must be non-empty and strictly increasing");
            }

            prev = name;
            first = false;
        }
    }

    private static ReadOnlySpan<byte> ReadPart(ReadOnlySpan<byte> labels, scoped ref int pos)
    {
        var r = new WireReader(labels[pos..]);
        ulong len = r.ReadVarint();
        int header = WireWriter.VarintSize(len);
        if (len > (ulong)(labels.Length - pos - header))
        {
            WireReader.ThrowFormat("label encoding runs past its end");
        }

        var part = labels.Slice(pos + header, (int)len);
        pos += header + (int)len;
        return part;
    }

    private static int MetadataSize(MetricMetadata m)
    {
        int size = StringFieldSize(m.MetricFamilyName) + StringFieldSize(m.Help) + StringFieldSize(m.Unit);
        return m.Type == MetricType.Unknown ? size : size + 1 + WireWriter.VarintSize((ulong)m.Type);
    }

    private static int StringFieldSize(string s) => s.Length == 0 ? 0 : WireWriter.LengthDelimitedSize(Encoding.UTF8.GetByteCount(s));

    private static void WriteMetadata(ref WireWriter w, MetricMetadata m)
    {
        WriteString(ref w, 1, m.MetricFamilyName);
        if (m.Type != MetricType.Unknown)
        {
            w.WriteTag(2, WireReader.Varint);
            w.WriteVarint((ulong)m.Type);
        }

        WriteString(ref w, 3, m.Help);
        WriteString(ref w, 4, m.Unit);
    }

    private static void WriteString(ref WireWriter w, int field, string s)
    {
        if (s.Length == 0)
        {
            return;
        }

        int n = Encoding.UTF8.GetByteCount(s);
        byte[] tmp = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            Encoding.UTF8.GetBytes(s, tmp);
            w.WriteBytesField(field, tmp.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tmp);
        }
    }

    private static MetricMetadata DecodeMetadata(ReadOnlySpan<byte> msg)
    {
        string name = string.Empty, help = string.Empty, unit = string.Empty;
        var type = MetricType.Unknown;
        var r = new WireReader(msg);
        while (!r.End)
        {
            int field = r.ReadTag(out int wt);
            switch (field)
            {
                case 1 when wt == WireReader.LengthDelimited: name = Encoding.UTF8.GetString(r.ReadBytes()); break;
                case 2 when wt == WireReader.Varint: type = (MetricType)(int)r.ReadVarint(); break;
                case 3 when wt == WireReader.LengthDelimited: help = Encoding.UTF8.GetString(r.ReadBytes()); break;
                case 4 when wt == WireReader.LengthDelimited: unit = Encoding.UTF8.GetString(r.ReadBytes()); break;
                default: r.Skip(wt); break;
            }
        }

        return new MetricMetadata(name, type, help, unit);
    }

    /// <summary>Walks the elements of one repeated scalar field across all its occurrences, packed or not.</summary>
    private ref struct RepeatedCursor
    {
        private readonly int _field;
        private WireReader _msg;
        private WireReader _packed;
        private bool _inPacked;

        public RepeatedCursor(ReadOnlySpan<byte> msg, int field)
        {
            _msg = new WireReader(msg);
            _field = field;
            _packed = default;
            _inPacked = false;
        }

        /// <summary>The next element's raw bits (varint value or fixed64); the first pass guaranteed there is one.</summary>
        public ulong Next()
        {
            bool isDouble = _field == ValuesField;
            while (true)
            {
                if (_inPacked)
                {
                    if (!_packed.End)
                    {
                        return isDouble ? _packed.ReadFixed64() : _packed.ReadVarint();
                    }

                    _inPacked = false;
                }

                int field = _msg.ReadTag(out int wt);
                if (field != _field)
                {
                    _msg.Skip(wt);
                }
                else if (wt == WireReader.LengthDelimited)
                {
                    _packed = new WireReader(_msg.ReadBytes());
                    _inPacked = true;
                }
                else
                {
                    return isDouble ? _msg.ReadFixed64() : _msg.ReadVarint();
                }
            }
        }
    }
}
