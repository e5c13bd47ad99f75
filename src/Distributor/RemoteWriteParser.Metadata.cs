using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;

namespace MetricsCluster.Distributor;

/// <summary>Metric metadata (WriteRequest field 3), cleaned and validated as Mimir's <c>cleanAndValidateMetadata</c>.</summary>
public static partial class RemoteWriteParser
{
    private const uint TagMetadataType = (1 << 3) | ProtoReader.WireVarint;
    private const uint TagMetadataName = (2 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagMetadataHelp = (4 << 3) | ProtoReader.WireLengthDelimited;
    private const uint TagMetadataUnit = (5 << 3) | ProtoReader.WireLengthDelimited;

    private static void ParseMetadata(ReadOnlySpan<byte> data, int start, int end, PushBatch batch, Limits limits, ParseReport report)
    {
        ulong type = 0;
        (int Start, int End) name = (start, start), help = (start, start), unit = (start, start);
        var reader = new ProtoReader(data, start, end);
        while (reader.TryReadTag(out uint tag))
        {
            switch (tag)
            {
                case TagMetadataType:
                    type = reader.ReadVarint();
                    break;
                case TagMetadataName:
                    name = reader.ReadLengthDelimited();
                    break;
                case TagMetadataHelp:
                    help = reader.ReadLengthDelimited();
                    break;
                case TagMetadataUnit:
                    unit = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        report.ReceivedMetadata++;
        var n = data[name.Start..name.End];
        var h = data[help.Start..help.End];
        var u = data[unit.Start..unit.End];
        int max = limits.MaxMetadataLength;
        if (n.IsEmpty)
        {
            report.RejectMetadata(ErrorId.MetadataMissingMetricName, report.WantsMetadataMessage ? ValidationMessages.MetadataMissingName() : null);
            return;
        }

        if (n.Length > max)
        {
            report.RejectMetadata(ErrorId.MetricNameTooLong, report.WantsMetadataMessage ? ValidationMessages.MetadataNameTooLong(n) : null);
            return;
        }

        if (u.Length > max)
        {
            report.RejectMetadata(ErrorId.UnitTooLong, report.WantsMetadataMessage ? ValidationMessages.MetadataUnitTooLong(u, n) : null);
            return;
        }

        if (h.Length > max)
        {
            // A long HELP is cut, not rejected; cut on a character boundary so the text stays valid UTF-8.
            h = h[..Utf8Boundary(h, max)];
        }

        var metricType = type <= (ulong)MetricType.StateSet ? (MetricType)type : MetricType.Unknown;
        batch.Metadata.Add(new MetricMetadata(Encoding.UTF8.GetString(n), metricType, Encoding.UTF8.GetString(h), Encoding.UTF8.GetString(u)));
    }

    /// <summary>The largest length ≤ <paramref name="max"/> that does not split a UTF-8 sequence.</summary>
    internal static int Utf8Boundary(ReadOnlySpan<byte> s, int max)
    {
        int i = max;
        while (i > 0 && i < s.Length && (s[i] & 0xC0) == 0x80)
        {
            i--;
        }

        return i;
    }
}
