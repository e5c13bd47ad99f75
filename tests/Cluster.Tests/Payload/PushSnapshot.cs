using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Cluster.Tests.Payload;

/// <summary>What an ingester saw of one push, copied out of the (pooled) batch.</summary>
internal sealed record PushSnapshot(string Tenant, string[] Labels, ulong[] Hashes, int[] SampleCounts, long[] Timestamps, long[] ValueBits, MetricMetadata[] Metadata)
{
    public static PushSnapshot Of(string tenant, PushBatch batch)
    {
        var series = batch.Series;
        var labels = new string[series.Length];
        for (int i = 0; i < series.Length; i++)
        {
            labels[i] = Convert.ToHexString(batch.LabelsOf(i));
        }

        return new PushSnapshot(
            tenant,
            labels,
            [.. series.ToArray().Select(s => s.Hash)],
            [.. series.ToArray().Select(s => s.SampleCount)],
            batch.Timestamps.ToArray(),
            [.. batch.Values.ToArray().Select(BitConverter.DoubleToInt64Bits)],
            [.. batch.Metadata]);
    }

    public void AssertEqual(PushSnapshot other)
    {
        Xunit.Assert.Equal(Tenant, other.Tenant);
        Xunit.Assert.Equal(Labels, other.Labels);
        Xunit.Assert.Equal(Hashes, other.Hashes);
        Xunit.Assert.Equal(SampleCounts, other.SampleCounts);
        Xunit.Assert.Equal(Timestamps, other.Timestamps);
        Xunit.Assert.Equal(ValueBits, other.ValueBits);
        Xunit.Assert.Equal(Metadata, other.Metadata);
    }
}
