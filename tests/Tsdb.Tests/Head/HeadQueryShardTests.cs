using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using MetricsCluster.Tsdb.Head;
using Xunit;
using static MetricsCluster.Tsdb.Tests.Head.TestBatch;

namespace MetricsCluster.Tsdb.Tests.Head;

/// <summary>The <c>__query_shard__</c> matcher in the head's postings (src/Tsdb/Head/MemPostings.cs).</summary>
public sealed class HeadQueryShardTests
{
    private static Tsdb.Head.Head NewHead(int series)
    {
        var head = new Tsdb.Head.Head(new HeadOptions(), wal: null);
        var all = Enumerable.Range(0, series)
            .Select(i => (L("__name__", i % 4 == 0 ? "other" : "m", "i", i.ToString(CultureInfo.InvariantCulture), "job", "j" + (i % 3).ToString(CultureInfo.InvariantCulture)), new[] { (1000L, (double)i) }))
            .ToArray();
        using var batch = Of(all);
        var result = new TestSink();
        head.Append(batch, result, 0);
        Assert.Null(result.FirstError);
        return head;
    }

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        foreach (int n in new[] { 1, 2, 3, 16 })
        {
            data.Add(n, "__name__=m");
            data.Add(n, "job!=j1");
            data.Add(n, "none");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_shards_of_a_selection_are_disjoint_and_complete(int count, string selection)
    {
        var head = NewHead(300);
        Matcher[] matchers = selection switch
        {
            "__name__=m" => [Matcher.Eq("__name__", "m")],
            "job!=j1" => [new Matcher(MatcherType.NotEqual, "job", "j1")],
            _ => [],
        };
        var whole = head.Select(0, 2000, false, matchers).Select(s => s.Labels).ToList();
        Assert.NotEmpty(whole);

        var seen = new List<Labels>();
        for (int i = 0; i < count; i++)
        {
            var shard = new QueryShard(i, count);
            var part = head.Select(0, 2000, false, [.. matchers, shard.ToMatcher()]).Select(s => s.Labels).ToList();
            Assert.All(part, l => Assert.True(shard.Contains(l)));
            Assert.Equal(whole.Where(shard.Contains).OrderBy(l => l), part.OrderBy(l => l));
            seen.AddRange(part);
        }

        Assert.Equal(whole.OrderBy(l => l), seen.OrderBy(l => l));
    }

    [Fact]
    public void Label_names_and_values_honour_the_shard()
    {
        var head = NewHead(40);
        var shard = new QueryShard(1, 3);
        var inShard = head.Select(0, 2000, false, [Matcher.Eq("__name__", "m")]).Select(s => s.Labels).Where(shard.Contains).ToList();
        var values = head.LabelValues("i", 0, 2000, [Matcher.Eq("__name__", "m"), shard.ToMatcher()]);
        Assert.Equal(inShard.Select(l => l.Get("i")).Order(StringComparer.Ordinal), values);
        Assert.DoesNotContain(QueryShard.LabelName, head.LabelNames(0, 2000, [shard.ToMatcher()]));
    }
}
