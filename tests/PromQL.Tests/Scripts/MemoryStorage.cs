using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.PromQL.Tests.Scripts;

/// <summary>
/// An in-memory float store for the script runner: what a <c>load</c> block writes, the engine reads. Its series are
/// <see cref="IDetachedSeries"/> (kept and decoded at evaluation, as ingesters' and store-gateways' chunks are) unless
/// <paramref name="detached"/> is false (decoded at fetch, as a merged or stats-counting series is).
/// </summary>
public sealed class MemoryStorage(bool detached = true) : IQueryable
{
    private readonly Dictionary<Labels, SortedDictionary<long, double>> _series = [];
    private readonly bool _detached = detached;

    public void Add(Labels labels, long t, double v)
    {
        if (!_series.TryGetValue(labels, out var samples))
        {
            samples = [];
            _series[labels] = samples;
        }

        samples[t] = v;
    }

    public void Clear() => _series.Clear();

    public IQuerier Querier(string tenant, long mint, long maxt) => new MemoryQuerier(this, mint, maxt);

    private sealed class MemoryQuerier(MemoryStorage storage, long mint, long maxt) : IQuerier
    {
        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            foreach (var (labels, samples) in storage._series.OrderBy(p => p.Key, Comparer<Labels>.Create(Labels.Compare)))
            {
                if (matchers.All(m => m.Matches(labels)))
                {
                    var inRange = samples.Where(p => p.Key >= mint && p.Key <= maxt).ToArray();
                    if (inRange.Length > 0)
                    {
                        long[] t = inRange.Select(p => p.Key).ToArray();
                        double[] v = inRange.Select(p => p.Value).ToArray();
                        yield return storage._detached ? new DetachedMemorySeries(labels, t, v) : new MemorySeries(labels, t, v);
                    }
                }
            }
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>(storage._series.Keys.SelectMany(l => l.Pairs().Select(p => p.Key)).Distinct().Order(StringComparer.Ordinal).ToList());

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>(storage._series.Keys.Select(l => l.Get(name)).Where(v => v.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList());

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class MemorySeries(Labels labels, long[] t, double[] v) : ISeries
    {
        public Labels Labels => labels;

        public SampleIterator Iterator(SampleIterator? reuse) => new ArrayIterator(t, v);
    }

    private sealed class DetachedMemorySeries(Labels labels, long[] t, double[] v) : IDetachedSeries
    {
        public Labels Labels => labels;

        public SampleIterator Iterator(SampleIterator? reuse) => new ArrayIterator(t, v);
    }

    private sealed class ArrayIterator(long[] t, double[] v) : SampleIterator
    {
        private int _i = -1;

        public override long T => t[_i];

        public override double V => v[_i];

        public override bool Next() => ++_i < t.Length;
    }
}
