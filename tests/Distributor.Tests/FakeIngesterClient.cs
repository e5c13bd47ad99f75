using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Distributor.Tests;

/// <summary>Records copies of every pushed batch (the distributor disposes batches after the push).</summary>
public sealed class FakeIngesterClient : IIngesterClient
{
    private readonly Lock _lock = new();

    public List<RecordedBatch> Batches { get; } = [];

    /// <summary>Optional behaviour: inspect the batch and fill in the result, or throw.</summary>
    public Action<PushBatch, PushResult>? OnPush { get; set; }

    /// <summary>Optional: awaited before a push is recorded, so a test can hold pushes in flight.</summary>
    public Func<Task>? BeforePush { get; set; }

    public IEnumerable<RecordedSeries> AllSeries => Batches.SelectMany(b => b.Series);

    public async ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken)
    {
        if (BeforePush is { } before)
        {
            await before();
        }

        var result = new PushResult { Accepted = batch.SampleCount };
        OnPush?.Invoke(batch, result);
        lock (_lock)
        {
            Batches.Add(RecordedBatch.Copy(tenant, batch));
        }

        return result;
    }

    public IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}

public sealed record RecordedSeries(Labels Labels, ulong Hash, (long T, long VBits)[] Samples)
{
    public override string ToString() => $"{Labels} [{string.Join(", ", Samples.Select(s => $"{s.T}:{BitConverter.Int64BitsToDouble(s.VBits)}"))}]";
}

public sealed record RecordedBatch(string Tenant, List<RecordedSeries> Series, List<MetricMetadata> Metadata)
{
    public static RecordedBatch Copy(string tenant, PushBatch batch)
    {
        var series = new List<RecordedSeries>();
        for (int i = 0; i < batch.SeriesCount; i++)
        {
            var e = batch.Series[i];
            var samples = new (long, long)[e.SampleCount];
            for (int j = 0; j < e.SampleCount; j++)
            {
                samples[j] = (batch.Timestamps[e.FirstSample + j], BitConverter.DoubleToInt64Bits(batch.Values[e.FirstSample + j]));
            }

            series.Add(new RecordedSeries(Labels.FromEncoded(batch.LabelsOf(i), e.Hash), e.Hash, samples));
        }

        return new RecordedBatch(tenant, series, [.. batch.Metadata]);
    }
}
