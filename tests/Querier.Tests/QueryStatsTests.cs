using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using MetricsCluster.Querier.Api;
using Xunit;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Tests;

/// <summary>What <see cref="QueryStats"/> counts through its storage decorator.</summary>
public sealed class QueryStatsTests
{
    [Fact]
    public async Task Counts_series_and_the_samples_stepped_onto_per_selector()
    {
        var stats = new QueryStats();
        var storage = stats.Wrap(new TwoSeries());
        await using (var q = storage.Querier("t", 1000, 5000))
        {
            await foreach (var s in q.SelectAsync(false, new SelectHints(1000, 5000, 1000, "rate"), [Matcher.Eq("__name__", "a")], default))
            {
                var it = s.Iterator(null);
                while (it.Next())
                {
                }
            }
        }

        await using (var q = storage.Querier("t", 2000, 3000))
        {
            // Only the first sample of each series is read, and the second select reads nothing.
            await foreach (var s in q.SelectAsync(false, null, [Matcher.Eq("__name__", "b")], default))
            {
                Assert.True(s.Iterator(null).Next());
            }
        }

        var all = stats.Selectors;
        Assert.Equal(2, all.Count);
        Assert.Equal(("__name__=\"a\"", 1000L, 5000L, 1000L, "rate", 2L, 6L), (all[0].Matchers, all[0].MinTime, all[0].MaxTime, all[0].Step, all[0].Func, all[0].Series, all[0].Samples));
        Assert.Equal((2L, 2L, (string?)null), (all[1].Series, all[1].Samples, all[1].Func));
        Assert.Equal(8, stats.TotalSamples);
    }

    /// <summary>Two series of three samples each, whatever the matchers.</summary>
    private sealed class TwoSeries : IQueryable, IQuerier
    {
        public IQuerier Querier(string tenant, long mint, long maxt) => this;

        public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return new ListSeries(Labels.FromStrings("__name__", "a", "i", "1"));
            yield return new ListSeries(Labels.FromStrings("__name__", "a", "i", "2"));
        }

        public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class ListSeries(Labels labels) : ISeries
    {
        public Labels Labels => labels;

        public SampleIterator Iterator(SampleIterator? reuse) => new ThreeSamples();
    }

    private sealed class ThreeSamples : SampleIterator
    {
        private int _i;

        public override long T => _i * 1000L;

        public override double V => _i;

        public override bool Next() => ++_i <= 3;
    }
}
