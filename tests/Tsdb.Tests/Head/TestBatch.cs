using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Tsdb.Tests.Head;

/// <summary>Builds push batches for head tests.</summary>
internal static class TestBatch
{
    internal static PushBatch Of(params (Labels Labels, (long T, double V)[] Samples)[] series)
    {
        var b = new PushBatch();
        foreach (var (labels, samples) in series)
        {
            b.AddSeries(labels.Bytes, labels.Hash);
            foreach (var (t, v) in samples)
            {
                b.AddSample(t, v);
            }
        }

        return b;
    }

    internal static Labels L(params string[] kv) => Labels.FromStrings(kv);
}
