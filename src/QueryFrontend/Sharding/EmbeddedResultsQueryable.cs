using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.PromQL.Engine;
using IQueryable = MetricsCluster.Core.Storage.IQueryable;
using Sample = MetricsCluster.Core.Storage.Sample;

namespace MetricsCluster.QueryFrontend.Sharding;

/// <summary>
/// Storage for the frontend's engine when it evaluates a rewritten query: a stand-in selector
/// (<see cref="EmbeddedQuery.Selector"/>) reads the concatenated series of its queries' downstream answers. A
/// range answer has a point at some steps only; a stale marker is put at the step after each point that has no
/// successor there, so the engine's lookback never carries a value to a step where the downstream query had none.
/// An instant answer (a vector) is one point per series at the query's time.
/// </summary>
/// <param name="answers">The answers of each embedded query, by <see cref="EmbeddedQuery.Key"/>.</param>
/// <param name="end">The last step of the range the answers cover.</param>
/// <param name="step">The range's step (0 for instant answers).</param>
internal sealed class EmbeddedResultsQueryable(IReadOnlyDictionary<string, IReadOnlyList<QueryResult>> answers, long end, long step) : IQueryable, IQuerier
{
    public IQuerier Querier(string tenant, long mint, long maxt) => this;

    public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var key = matchers.FirstOrDefault(m => m.Name == EmbeddedQuery.QueriesLabel && m.Type == MatcherType.Equal)?.Value;
        if (key is null || !answers.TryGetValue(key, out var results))
        {
            // The rewrite only ever selects its own stand-ins; anything else is a bug in the mapper.
            throw new InvalidOperationException("query sharding: a selector of the rewritten query has no embedded answer: " + string.Join(",", matchers));
        }

        var series = new List<SampleArraySeries>();
        foreach (var r in results)
        {
            if (r.Value is VectorValue vector)
            {
                foreach (var s in vector.Samples)
                {
                    series.Add(new SampleArraySeries(s.Metric, [new Sample(s.T, s.F)]));
                }

                continue;
            }

            foreach (var s in ((MatrixValue)r.Value!).Series)
            {
                series.Add(new SampleArraySeries(s.Metric, WithStaleMarkers(s.Floats)));
            }
        }

        if (sorted)
        {
            // Stable: series with equal labels (one per shard) keep shard order, so the combination is deterministic.
            series = [.. series.OrderBy(s => s.Labels)];
        }

        foreach (var s in series)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return s;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The points, each followed by a stale marker one step later when the next point is not there (and that step is in range).</summary>
    internal Sample[] WithStaleMarkers(IReadOnlyList<FPoint> points)
    {
        var samples = new List<Sample>(points.Count + 1);
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            samples.Add(new Sample(p.T, p.F));
            long next = p.T + step;
            if (next <= end && (i + 1 == points.Count || points[i + 1].T != next))
            {
                samples.Add(new Sample(next, StaleMarker.Value));
            }
        }

        return [.. samples];
    }

    public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the frontend's engine only selects series");

    public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the frontend's engine only selects series");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
