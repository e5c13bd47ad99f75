using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.PromQL.Engine;
using Xunit;

namespace MetricsCluster.PromQL.Tests.Engine;

/// <summary>How the engine holds a selected series between fetch and evaluation (<see cref="StoredSeries"/>).</summary>
public class StoredSeriesTests
{
    [Fact]
    public void A_detached_series_is_decoded_to_its_samples_in_range_at_each_load()
    {
        var source = new CountingSeries(Labels.FromStrings("__name__", "m"), Enumerable.Range(0, 1000).Select(i => i * 10L).ToArray());
        var stored = new StoredSeries(source, 205, 5000);
        Assert.True(stored.DecodesOnLoad);
        Assert.Equal(0, source.Iterations);

        var buffer = new SampleBuffer();
        SampleIterator? reuse = null;
        var data = stored.Load(buffer, ref reuse);
        Assert.Equal(Enumerable.Range(21, 480).Select(i => i * 10L), data.T.ToArray()); // 210 ... 5000, past the buffer's first size
        Assert.Equal(Enumerable.Range(21, 480).Select(i => (double)i), data.V.ToArray());
        long[] first = data.T.ToArray();
        Assert.Equal(first, stored.Load(buffer, ref reuse).T.ToArray());
        Assert.Equal(2, source.Iterations);
    }

    [Fact]
    public async Task A_query_decodes_each_detached_series_when_evaluation_reaches_it()
    {
        var series = Enumerable.Range(0, 3)
            .Select(i => new CountingSeries(Labels.FromStrings("__name__", "m", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Enumerable.Range(0, 20).Select(j => j * 15_000L).ToArray()))
            .ToList();
        using var engine = new QueryEngine(new EngineOptions());
        var r = await engine.RangeQueryAsync(new ListStore(series), "t", "sum(rate(m[1m]))", 60_000, 285_000, 15_000, CancellationToken.None);
        Assert.Null(r.Error);
        var points = Assert.Single(Assert.IsType<MatrixValue>(r.Value).Series).Floats;
        Assert.All(points, p => Assert.Equal(3 * (1.0 / 15), p.F, 9));

        // Decoded once, when evaluation reached it: never held decoded for the whole query.
        Assert.All(series, s => Assert.Equal(1, s.Iterations));
    }

    /// <summary>Value i at the i-th timestamp; counts how often it is iterated.</summary>
    private sealed class CountingSeries(Labels labels, long[] t) : IDetachedSeries
    {
        public int Iterations { get; private set; }

        public Labels Labels => labels;

        public SampleIterator Iterator(SampleIterator? reuse)
        {
            Iterations++;
            return new Iter(t);
        }

        private sealed class Iter(long[] t) : SampleIterator
        {
            private int _i = -1;

            public override long T => t[_i];

            public override double V => _i;

            public override bool Next() => ++_i < t.Length;
        }
    }

    private sealed class ListStore(IReadOnlyList<ISeries> series) : Core.Storage.IQueryable
    {
        public IQuerier Querier(string tenant, long mint, long maxt) => new Q(series);

        private sealed class Q(IReadOnlyList<ISeries> series) : IQuerier
        {
            public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
            {
                await Task.CompletedTask;
                foreach (var s in series)
                {
                    yield return s;
                }
            }

            public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>([]);

            public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>([]);

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
