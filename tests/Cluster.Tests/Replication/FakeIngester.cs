using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Cluster.Tests.Replication;

/// <summary>
/// An in-memory ingester: keeps what it is pushed (per tenant, per label set), rejects negative timestamps as
/// "err-mc-too-old", can be made to fail (<see cref="Down"/>) or to hold pushes until <see cref="Release"/>, and
/// serves reads from what it holds, one chunk per <see cref="SamplesPerChunk"/> samples.
/// </summary>
internal sealed class FakeIngester(string id) : IIngesterClient, IIngesterStats
{
    public const string TooOld = "err-mc-too-old";

    private readonly Lock _lock = new();
    private TaskCompletionSource? _hold;

    public string Id { get; } = id;

    public bool Down { get; set; }

    public int SamplesPerChunk { get; set; } = 4;

    /// <summary>Tenant → labels → samples by time.</summary>
    public Dictionary<string, Dictionary<Labels, SortedDictionary<long, double>>> Data { get; } = [];

    public List<MetricMetadata> Metadata { get; } = [];

    public List<string> Names { get; } = [];

    /// <summary>Gets the batches received while held, so a test can look at them after the call ends.</summary>
    public List<PushBatch> HeldBatches { get; } = [];

    public CancellationToken LastPushToken { get; private set; }

    public int Pushes { get; private set; }

    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hold?.TrySetResult();

    public void Put(string tenant, Labels labels, IEnumerable<long> ts)
    {
        var series = Series(tenant, labels);
        foreach (long t in ts)
        {
            series[t] = t / 1000.0;
        }
    }

    public async ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Pushes++;
            LastPushToken = cancellationToken;
        }

        if (_hold is { } hold)
        {
            lock (_lock)
            {
                HeldBatches.Add(batch);
            }

            await hold.Task.WaitAsync(cancellationToken);
        }

        await Task.Yield();
        if (Down)
        {
            throw new IOException($"{Id} is down");
        }

        var result = new PushResult();
        lock (_lock)
        {
            for (int i = 0; i < batch.SeriesCount; i++)
            {
                var e = batch.Series[i];
                var series = Series(tenant, Labels.FromEncoded(batch.LabelsOf(i), e.Hash));
                for (int s = e.FirstSample; s < e.FirstSample + e.SampleCount; s++)
                {
                    if (batch.Timestamps[s] < 0)
                    {
                        result.Reject(TooOld, 1, () => $"sample too old for {Labels.FromEncoded(batch.LabelsOf(i))} ({TooOld})");
                        continue;
                    }

                    series[batch.Timestamps[s]] = batch.Values[s];
                    result.Accepted++;
                }
            }

            Metadata.AddRange(batch.Metadata);
        }

        return result;
    }

    public async IAsyncEnumerable<ChunkSeries> SelectAsync(string tenant, long mint, long maxt, bool labelsOnly, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        ThrowIfDown();
        var all = Data.TryGetValue(tenant, out var d) ? d : [];
        foreach (var (labels, samples) in all.OrderBy(kv => kv.Key))
        {
            var chunks = new List<EncodedChunk>();
            foreach (var part in samples.Where(s => s.Key >= mint && s.Key <= maxt).Chunk(SamplesPerChunk))
            {
                var c = new XorChunk();
                foreach (var (t, v) in part)
                {
                    c.Append(t, v);
                }

                chunks.Add(new EncodedChunk(part[0].Key, part[^1].Key, ChunkEncoding.Xor, c.ToArray()));
            }

            yield return new ChunkSeries(labels, labelsOnly ? [] : chunks);
        }
    }

    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(string tenant, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        await Task.Yield();
        ThrowIfDown();
        return [.. Names.Order(StringComparer.Ordinal)];
    }

    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string tenant, string name, long mint, long maxt, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken)
    {
        await Task.Yield();
        ThrowIfDown();
        return [.. Names.Select(n => name + "=" + n).Order(StringComparer.Ordinal)];
    }

    public async ValueTask<IReadOnlyList<MetricMetadata>> MetadataAsync(string tenant, string? metric, int limit, CancellationToken cancellationToken)
    {
        await Task.Yield();
        ThrowIfDown();
        return [.. Metadata.Where(m => metric is null || m.MetricFamilyName == metric)];
    }

    public async ValueTask<UserStats> UserStatsAsync(string tenant, CancellationToken cancellationToken)
    {
        await Task.Yield();
        ThrowIfDown();
        var all = Data.TryGetValue(tenant, out var d) ? d : [];
        return new UserStats(all.Count, all.Count * 10.0, all.Sum(s => s.Value.Count));
    }

    public async ValueTask<IReadOnlyList<TenantUserStats>> AllUserStatsAsync(CancellationToken cancellationToken)
    {
        var result = new List<TenantUserStats>();
        foreach (string tenant in Data.Keys.Order(StringComparer.Ordinal))
        {
            result.Add(new TenantUserStats(tenant, await UserStatsAsync(tenant, cancellationToken)));
        }

        return result;
    }

    private SortedDictionary<long, double> Series(string tenant, Labels labels)
    {
        if (!Data.TryGetValue(tenant, out var byLabels))
        {
            byLabels = [];
            Data[tenant] = byLabels;
        }

        if (!byLabels.TryGetValue(labels, out var series))
        {
            series = [];
            byLabels[labels] = series;
        }

        return series;
    }

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new IOException($"{Id} is down");
        }
    }
}
