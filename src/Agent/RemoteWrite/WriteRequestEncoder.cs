using System.Text;
using Google.Protobuf;
using MetricsCluster.Core;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Core.Wire.Prompb;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// Builds a remote-write 1.0 body: a <c>prometheus.WriteRequest</c> with one <c>TimeSeries</c> per
/// distinct label set (samples in batch order, so per-series order is kept), snappy block encoded.
/// </summary>
internal static class WriteRequestEncoder
{
    /// <summary>Encodes <paramref name="batch"/>; returns the snappy-compressed body.</summary>
    public static byte[] Encode(IReadOnlyList<PendingSample> batch)
    {
        var request = new WriteRequest();
        var bySeries = new Dictionary<Labels, TimeSeries>();
        for (int i = 0; i < batch.Count; i++)
        {
            var s = batch[i].Sample;
            if (!bySeries.TryGetValue(s.Labels, out var series))
            {
                series = new TimeSeries();
                foreach (var label in s.Labels)
                {
                    series.Labels.Add(new Label { Name = Encoding.UTF8.GetString(label.Name), Value = Encoding.UTF8.GetString(label.Value) });
                }

                bySeries.Add(s.Labels, series);
                request.Timeseries.Add(series);
            }

            series.Samples.Add(new Sample { Timestamp = s.TimestampMs, Value = s.Value });
        }

        return SnappyEncoder.Encode(request.ToByteArray());
    }
}
