using MetricsCluster.Core;
using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>The WAL record decoders (series, samples, tombstones, metadata); they may only throw <see cref="WalRecordException"/>.</summary>
public sealed class WalRecordTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "wal-record";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        try
        {
            Decode(input);
        }
        catch (WalRecordException)
        {
        }
    }

    /// <summary>Decodes one record as replay does, dispatching on its type byte.</summary>
    internal static void Decode(ReadOnlySpan<byte> record)
    {
        switch (WalRecords.TypeOf(record))
        {
            case RecordType.Series:
                var series = new List<RefSeries>();
                WalRecords.DecodeSeries(record, series);
                foreach (var s in series)
                {
                    // Labels built from record bytes must be usable: hashed, compared, printed.
                    _ = s.Labels.Hash;
                    _ = s.Labels.ToString();
                }

                break;
            case RecordType.Samples:
                WalRecords.DecodeSamples(record, []);
                break;
            case RecordType.Tombstones:
                WalRecords.DecodeTombstones(record, []);
                break;
            case RecordType.Metadata:
                WalRecords.DecodeMetadata(record, []);
                break;
        }
    }
}
