using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Cluster.Tests.Rpc;

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

/// <summary>A scripted ingester: records pushes, serves a fixed series list filtered by the matchers.</summary>
internal sealed class FakeIngester : IIngesterClient, IIngesterStats
{
    public List<PushSnapshot> Pushes { get; } = [];

    public Func<string, PushBatch, CancellationToken, ValueTask<PushResult>> OnPush { get; set; } = (_, b, _) => ValueTask.FromResult(new PushResult { Accepted = b.SampleCount });

    public List<ChunkSeries> Series { get; set; } = [];

    /// <summary>Throws after this many series of a Select (null: never).</summary>
    public int? FailSelectAfter { get; set; }

    /// <summary>Runs before LabelNames answers (tests block here on the token).</summary>
    public Func<CancellationToken, Task> BeforeLabelNames { get; set; } = _ => Task.CompletedTask;

    public async ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken)
    {
        lock (Pushes)
        {
            Pushes.Add(PushSnapshot.Of(tenant, batch));
        }

        return await OnPush(tenant, batch, cancellationToken);
    }

    public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int n = 0;
        foreach (var s in Series.Where(s => matchers.All(m => m.Matches(s.Labels))))
        {
            if (n++ == FailSelectAfter)
            {
                throw new InvalidOperationException("head read failed");
            }

            await Task.Yield();
            yield return labelsOnly ? s with { Chunks = [] } : s;
        }
    }

    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        await BeforeLabelNames(cancellationToken);
        return [.. Matching(matchers).SelectMany(s => Names(s.Labels)).Distinct().Order(StringComparer.Ordinal)];
    }

    public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([.. Matching(matchers).Select(s => s.Labels.Get(name)).Where(v => v.Length > 0).Distinct().Order(StringComparer.Ordinal)]);

    public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<MetricMetadata>>([new MetricMetadata(metric ?? "all", MetricType.Counter, $"help {tenant} {limit}", "seconds")]);

    public ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new UserStats(tenant.Length, 1.5, 42));

    public ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<TenantUserStats>>([new("a", new UserStats(1, 0.25, 10)), new("b", new UserStats(2, 0, 0))]);

    private static IEnumerable<string> Names(Labels labels)
    {
        var names = new List<string>();
        foreach (var l in labels)
        {
            names.Add(System.Text.Encoding.UTF8.GetString(l.Name));
        }

        return names;
    }

    private IEnumerable<ChunkSeries> Matching(IReadOnlyList<Matcher> matchers) => Series.Where(s => matchers.All(m => m.Matches(s.Labels)));
}
