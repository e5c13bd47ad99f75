using System.Runtime.CompilerServices;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using Xunit;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Tests;

public sealed class MergeQueryableTests
{
    private const long Hour = 3_600_000;
    private const long Now = 100 * Hour;
    private const long Step = 60_000;

    private static readonly Labels s_a = Labels.FromStrings("__name__", "up", "job", "a");
    private static readonly Labels s_b = Labels.FromStrings("__name__", "up", "job", "b");

    [Theory]
    // Head-only: the range ends and starts within 12h, so the store is not asked.
    [InlineData(Now - (2 * Hour), Now, true, false)]
    // Block-only: the range ends before now - 13h, so the ingesters are not asked.
    [InlineData(Now - (20 * Hour), Now - (14 * Hour), false, true)]
    // Both: the range spans the two horizons.
    [InlineData(Now - (20 * Hour), Now, true, true)]
    public async Task Each_side_is_asked_only_for_its_part_of_the_range(long mint, long maxt, bool ingesters, bool store)
    {
        var (q, ing, sg) = Create();

        await SelectAsync(q, mint, maxt);

        Assert.Equal(ingesters ? [(Math.Max(mint, Now - (13 * Hour)), maxt)] : [], ing.Calls);
        Assert.Equal(store ? [(mint, Math.Min(maxt, Now - (12 * Hour)))] : [], sg.Calls);
    }

    [Fact]
    public async Task Head_only_block_only_and_overlapping_data_come_back_once_merged_by_time()
    {
        var (q, ing, sg) = Create();

        // Head: the last 13h of job a, and job b only there. Blocks: 30h..11h ago of job a, so the 2h
        // overlap [13h, 11h) ago is in both (the store is asked up to 12h ago); plus samples at +30s just after 13h ago only in blocks.
        ing.Add(s_a, Samples(Now - (13 * Hour), Now, Step, v: t => t));
        ing.Add(s_b, Samples(Now - Hour, Now, Step, v: t => -t));
        sg.Add(s_a, [.. Samples(Now - (30 * Hour), Now - (11 * Hour), Step, v: t => t), .. Samples(Now - (13 * Hour) + 30_000, Now - (13 * Hour) + (10 * Step), Step, v: t => t)]);

        var all = await SelectAsync(q, Now - (30 * Hour), Now);

        Assert.Equal([s_a, s_b], all.Select(s => s.Labels));
        var expectedA = Samples(Now - (30 * Hour), Now, Step, v: t => t)
            .Concat(Samples(Now - (13 * Hour) + 30_000, Now - (13 * Hour) + (10 * Step), Step, v: t => t))
            .OrderBy(s => s.T);
        Assert.Equal(expectedA, all[0].Samples);
        Assert.Equal(Samples(Now - Hour, Now, Step, v: t => -t), all[1].Samples);

        // Block-only and head-only windows.
        var old = await SelectAsync(q, Now - (30 * Hour), Now - (20 * Hour));
        Assert.Equal(Samples(Now - (30 * Hour), Now - (20 * Hour), Step, v: t => t), Assert.Single(old).Samples);
        var recent = await SelectAsync(q, Now - (30 * 60_000), Now);
        Assert.Equal([s_a, s_b], recent.Select(s => s.Labels));
    }

    [Fact]
    public async Task Label_names_and_values_are_the_union_of_both_sides()
    {
        var (q, ing, sg) = Create();
        ing.Add(s_b, Samples(Now - Hour, Now, Step, v: t => 1));
        sg.Add(Labels.FromStrings("__name__", "old", "zone", "z"), Samples(Now - (20 * Hour), Now - (19 * Hour), Step, v: t => 1));

        await using var querier = q.Querier("t", Now - (30 * Hour), Now);

        Assert.Equal(["__name__", "job", "zone"], await querier.LabelNamesAsync([], CancellationToken.None));
        Assert.Equal(["old", "up"], await querier.LabelValuesAsync("__name__", [], CancellationToken.None));
    }

    [Theory]
    [InlineData(12, 12)]
    [InlineData(12, 13)]
    [InlineData(-1, 0)]
    public void Horizons_that_leave_a_gap_are_rejected(int ingestersWithinHours, int storeAfterHours)
    {
        var options = new MergeQueryableOptions { QueryIngestersWithin = TimeSpan.FromHours(ingestersWithinHours), QueryStoreAfter = TimeSpan.FromHours(storeAfterHours) };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    private static (MergeQueryable Q, FakeQueryable Ingesters, FakeQueryable Store) Create()
    {
        var ing = new FakeQueryable();
        var sg = new FakeQueryable();
        return (new MergeQueryable(ing, sg, new MergeQueryableOptions(), new FixedTime(Now)), ing, sg);
    }

    private static Sample[] Samples(long from, long to, long step, Func<long, double> v) =>
        [.. Enumerable.Range(0, (int)((to - from) / step) + 1).Select(i => from + (i * step)).Select(t => new Sample(t, v(t)))];

    private static async Task<List<(Labels Labels, List<Sample> Samples)>> SelectAsync(IQueryable q, long mint, long maxt)
    {
        var result = new List<(Labels, List<Sample>)>();
        await using var querier = q.Querier("t", mint, maxt);
        await foreach (var s in querier.SelectAsync(true, null, [Matcher.Eq("__name__", "up")], CancellationToken.None))
        {
            var samples = new List<Sample>();
            var it = s.Iterator(null);
            while (it.Next())
            {
                samples.Add(new Sample(it.T, it.V));
            }

            result.Add((s.Labels, samples));
        }

        return result;
    }

    private sealed class FixedTime(long unixMs) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
    }

    /// <summary>An in-memory side that records the ranges it was asked for and answers within them.</summary>
    private sealed class FakeQueryable : IQueryable
    {
        private readonly Dictionary<Labels, List<Sample>> _series = [];

        public List<(long Mint, long Maxt)> Calls { get; } = [];

        public void Add(Labels labels, Sample[] samples)
        {
            if (!_series.TryGetValue(labels, out var list))
            {
                list = [];
                _series[labels] = list;
            }

            list.AddRange(samples);
            list.Sort((x, y) => x.T.CompareTo(y.T));
        }

        public IQuerier Querier(string tenant, long mint, long maxt)
        {
            Calls.Add((mint, maxt));
            return new FakeQuerier(this, mint, maxt);
        }

        private sealed class FakeQuerier(FakeQueryable q, long mint, long maxt) : IQuerier
        {
            public async IAsyncEnumerable<ISeries> SelectAsync(bool sorted, SelectHints? hints, IReadOnlyList<Matcher> matchers, [EnumeratorCancellation] CancellationToken cancellationToken)
            {
                await Task.Yield();
                foreach (var (labels, samples) in q._series.OrderBy(kv => kv.Key, Comparer<Labels>.Create(Labels.Compare)))
                {
                    var inRange = samples.Where(s => s.T >= mint && s.T <= maxt).ToArray();
                    if (inRange.Length > 0 && matchers.All(m => m.Matches(labels)))
                    {
                        yield return new SampleArraySeries(labels, inRange);
                    }
                }
            }

            public ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
                ValueTask.FromResult<IReadOnlyList<string>>([.. Live().SelectMany(l => Names(l)).Distinct().Order(StringComparer.Ordinal)]);

            public ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<Matcher> matchers, CancellationToken cancellationToken) =>
                ValueTask.FromResult<IReadOnlyList<string>>([.. Live().Select(l => l.Get(name)).Where(v => v.Length > 0).Distinct().Order(StringComparer.Ordinal)]);

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;

            private IEnumerable<Labels> Live() => q._series.Where(kv => kv.Value.Any(s => s.T >= mint && s.T <= maxt)).Select(kv => kv.Key);

            private static IEnumerable<string> Names(Labels l)
            {
                foreach (string n in new[] { "__name__", "job", "zone" })
                {
                    if (l.Get(n).Length > 0)
                    {
                        yield return n;
                    }
                }
            }
        }
    }
}
