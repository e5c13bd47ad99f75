using MetricsCluster.Core;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Tests.Wal;

/// <summary>Builds encoded records and decodes replayed ones into comparable collections.</summary>
internal static class WalRecordBuilder
{
    private delegate void Writer(ref ValueBuffer b);

    public static byte[] Series(params RefSeries[] series) => Encode((ref ValueBuffer b) =>
    {
        WalRecords.BeginSeries(ref b);
        foreach (var s in series)
        {
            WalRecords.AddSeries(ref b, s.Ref, s.Labels);
        }
    });

    public static byte[] Samples(params RefSample[] samples) => Encode((ref ValueBuffer b) =>
    {
        var st = default(SamplesEncoderState);
        WalRecords.BeginSamples(ref b);
        foreach (var s in samples)
        {
            WalRecords.AddSample(ref b, ref st, s.Ref, s.T, s.V);
        }
    });

    public static byte[] Tombstones(params Tombstone[] stones) => Encode((ref ValueBuffer b) => WalRecords.EncodeTombstones(ref b, stones));

    public static byte[] Metadata(params RefMetadata[] md) => Encode((ref ValueBuffer b) => WalRecords.EncodeMetadata(ref b, md));

    /// <summary>Everything a replay produced, decoded; samples as (ref, t, value bits).</summary>
    public static Decoded Decode(IEnumerable<byte[]> records)
    {
        var d = new Decoded();
        var series = new List<RefSeries>();
        var samples = new List<RefSample>();
        var stones = new List<Tombstone>();
        var md = new List<RefMetadata>();
        foreach (var r in records)
        {
            switch (WalRecords.TypeOf(r))
            {
                case RecordType.Series:
                    WalRecords.DecodeSeries(r, series);
                    break;
                case RecordType.Samples:
                    WalRecords.DecodeSamples(r, samples);
                    break;
                case RecordType.Tombstones:
                    WalRecords.DecodeTombstones(r, stones);
                    break;
                case RecordType.Metadata:
                    WalRecords.DecodeMetadata(r, md);
                    break;
            }
        }

        d.Series.AddRange(series);
        d.Samples.AddRange(samples.Select(s => (s.Ref, s.T, BitConverter.DoubleToUInt64Bits(s.V))));
        d.Tombstones.AddRange(stones);
        foreach (var m in md)
        {
            d.Metadata[m.Ref] = m;
        }

        return d;
    }

    private static byte[] Encode(Writer write)
    {
        var b = new ValueBuffer(64);
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

    public sealed class Decoded
    {
        public List<RefSeries> Series { get; } = [];

        public List<(ulong Ref, long T, ulong Bits)> Samples { get; } = [];

        public List<Tombstone> Tombstones { get; } = [];

        public Dictionary<ulong, RefMetadata> Metadata { get; } = [];
    }
}
