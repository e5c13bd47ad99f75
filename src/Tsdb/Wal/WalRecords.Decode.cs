using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>Record decoders; see <see cref="WalRecords"/>.</summary>
public static partial class WalRecords
{
    /// <summary>Appends the series of a series record to <paramref name="into"/>.</summary>
    public static void DecodeSeries(ReadOnlySpan<byte> rec, List<RefSeries> into)
    {
        var d = Start(rec, RecordType.Series);
        while (d.Remaining > 0)
        {
            ulong seriesRef = d.Be64();
            int countAt = d.Position;
            ulong count = d.Uvarint();
            if (count > (ulong)d.Remaining / 2)
            {
                WalDecoder.Fail(countAt, $"label count {count} exceeds what the record can hold");
            }

            int start = d.Position;
            bool canonical = true;
            ReadOnlySpan<byte> prevName = default;
            int expectedSize = 0;
            for (ulong i = 0; i < count; i++)
            {
                var name = d.Bytes();
                var value = d.Bytes();
                canonical &= value.Length > 0 && (i == 0 || prevName.SequenceCompareTo(name) < 0);
                expectedSize += LabelsEncoding.PairSize(name.Length, value.Length);
                prevName = name;
            }

            var pairs = rec[start..d.Position];

            // Go accepts over-long varints and trusts the order; take the zero-copy path only when the
            // bytes already are our canonical encoding (minimal lengths, sorted, no empty values).
            into.Add(new RefSeries(seriesRef, canonical && expectedSize == pairs.Length ? Labels.FromEncoded(pairs) : Rebuild(pairs)));
        }
    }

    /// <summary>Appends the samples of a samples record to <paramref name="into"/>; NaN payloads are kept bit-exact.</summary>
    public static void DecodeSamples(ReadOnlySpan<byte> rec, List<RefSample> into)
    {
        var d = Start(rec, RecordType.Samples);
        if (d.Remaining == 0)
        {
            return;
        }

        ulong firstRef = d.Be64();
        long firstT = (long)d.Be64();
        while (d.Remaining > 0)
        {
            long dref = d.Varint();
            long dt = d.Varint();
            double v = BitConverter.UInt64BitsToDouble(d.Be64());
            into.Add(new RefSample(firstRef + (ulong)dref, firstT + dt, v));
        }
    }

    /// <summary>Appends the stones of a tombstones record to <paramref name="into"/>.</summary>
    public static void DecodeTombstones(ReadOnlySpan<byte> rec, List<Tombstone> into)
    {
        var d = Start(rec, RecordType.Tombstones);
        while (d.Remaining > 0)
        {
            ulong seriesRef = d.Be64();
            long mint = d.Varint();
            long maxt = d.Varint();
            into.Add(new Tombstone(seriesRef, mint, maxt));
        }
    }

    /// <summary>Appends the entries of a metadata record to <paramref name="into"/>; unknown fields are skipped.</summary>
    public static void DecodeMetadata(ReadOnlySpan<byte> rec, List<RefMetadata> into)
    {
        var d = Start(rec, RecordType.Metadata);
        while (d.Remaining > 0)
        {
            ulong seriesRef = d.Uvarint();
            byte type = d.Byte();
            int fieldsAt = d.Position;
            ulong fields = d.Uvarint();
            if (fields > (ulong)d.Remaining / 2)
            {
                WalDecoder.Fail(fieldsAt, $"field count {fields} exceeds what the record can hold");
            }

            string unit = string.Empty, help = string.Empty;
            for (ulong i = 0; i < fields; i++)
            {
                var key = d.Bytes();
                if (key.SequenceEqual(UnitKey))
                {
                    unit = d.String();
                }
                else if (key.SequenceEqual(HelpKey))
                {
                    help = d.String();
                }
                else
                {
                    // Fields added by a newer Prometheus: decode to stay aligned, then ignore.
                    d.Bytes();
                }
            }

            into.Add(new RefMetadata(seriesRef, type, unit, help));
        }
    }

    private static WalDecoder Start(ReadOnlySpan<byte> rec, RecordType expected)
    {
        if (rec.IsEmpty || rec[0] != (byte)expected)
        {
            WalDecoder.Fail(0, rec.IsEmpty ? "empty record" : $"record type {rec[0]} is not {expected} ({(byte)expected})");
        }

        var d = new WalDecoder(rec);
        d.Byte();
        return d;
    }

    private static Labels Rebuild(ReadOnlySpan<byte> pairs)
    {
        var b = new LabelsBuilder();
        var d = new WalDecoder(pairs);
        while (d.Remaining > 0)
        {
            string name = d.String();
            b.Set(name, d.String());
        }

        return b.Build();
    }
}
