using Google.Protobuf;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Core.Wire.Prompb;
using MetricsCluster.Ruler.Evaluation;

namespace MetricsCluster.Ruler;

/// <summary>
/// Rule output through the distributor's push path (issue 17, item 3): one remote-write request per rule evaluation,
/// so recorded series and ALERTS pass the same validation, limits and replication as any client's samples. Lives in
/// the host because only the host sees both components (G3, G4).
/// </summary>
internal sealed class DistributorRuleWriter(Distributor.Distributor distributor) : IRuleSampleWriter
{
    /// <inheritdoc/>
    public async Task WriteAsync(string tenant, IReadOnlyList<RuleSample> samples, CancellationToken cancellationToken)
    {
        var request = new WriteRequest();
        foreach (var s in samples)
        {
            var series = new TimeSeries();
            foreach (var (name, value) in s.Labels.Pairs())
            {
                series.Labels.Add(new Label { Name = name, Value = value });
            }

            series.Samples.Add(new Sample { Timestamp = s.TimestampMs, Value = s.Value });
            request.Timeseries.Add(series);
        }

        byte[] body = SnappyEncoder.Encode(request.ToByteArray());
        var outcome = await distributor.PushAsync(tenant, body, "application/x-protobuf", "snappy", cancellationToken);
        if (outcome.StatusCode / 100 != 2)
        {
            throw new RuleWriteException(outcome.StatusCode, outcome.Message ?? $"push failed with status {outcome.StatusCode}");
        }
    }
}
