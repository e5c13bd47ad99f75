using System.Runtime.CompilerServices;
using MetricsCluster.Cluster.Tests.Payload;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Cluster.Tests.Engine;

/// <summary>
/// The local ingester of one test silo (its <see cref="MetricsCluster.Cluster.Engine.LocalIngester"/>): records every
/// push it is given, serves <see cref="Series"/> filtered by the matchers, and can fail a select part-way.
/// </summary>
internal sealed class RecordingIngester(string name) : IIngesterClient, IIngesterStats
{
    private readonly Lock _lock = new();
    private readonly List<PushSnapshot> _pushes = [];

    public string Name => name;

    /// <summary>What selects serve; set before the silo starts.</summary>
    public List<ChunkSeries> Series { get; } = [];

    /// <summary>Throws after this many series of a select (null: never).</summary>
    public int? FailSelectAfter { get; set; }

    public PushSnapshot[] Pushes
    {
        get
        {
            lock (_lock)
            {
                return [.. _pushes];
            }
        }
    }

    /// <summary>Every (series labels as hex, timestamp) pushed to this ingester, over all pushes.</summary>
    public HashSet<(string Labels, long T)> Samples()
    {
        var samples = new HashSet<(string, long)>();
        foreach (PushSnapshot p in Pushes)
        {
            int next = 0;
            for (int i = 0; i < p.Labels.Length; i++)
            {
                for (int s = 0; s < p.SampleCounts[i]; s++)
                {
                    samples.Add((p.Labels[i], p.Timestamps[next++]));
                }
            }
        }

        return samples;
    }

    public ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _pushes.Add(PushSnapshot.Of(tenant, batch));
        }

        return ValueTask.FromResult(new PushResult { Accepted = batch.SampleCount });
    }

    public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int n = 0;
        foreach (ChunkSeries s in Series.Where(s => matchers.All(m => m.Matches(s.Labels))))
        {
            if (n++ == FailSelectAfter)
            {
                throw new InvalidOperationException($"head read failed on {name} (test)");
            }

            await Task.Yield();
            yield return labelsOnly ? s with { Chunks = [] } : s;
        }
    }

    public ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([]);

    public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([]);

    public ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<MetricMetadata>>([]);

    public ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new UserStats(Series.Count, 0, Pushes.Sum(p => (long)p.Timestamps.Length)));

    public ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<TenantUserStats>>([]);
}
