using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using Xunit;

namespace MetricsCluster.Core.Tests;

/// <summary>The <c>__query_shard__</c> matcher (src/Core/Storage/QueryShard.cs): Mimir's form, its errors, and the partition it makes.</summary>
public sealed class QueryShardTests
{
    [Theory]
    [InlineData("1_of_1", 0, 1)]
    [InlineData("1_of_16", 0, 16)]
    [InlineData("16_of_16", 15, 16)]
    [InlineData("3_of_7", 2, 7)]
    public void Parses_mimirs_form_with_a_one_based_index(string value, int index, int count)
    {
        var shard = QueryShard.Parse(MatcherType.Equal, value);
        Assert.Equal(new QueryShard(index, count), shard);
        Assert.Equal(value, shard.Value);
        Assert.Equal(shard, new Matcher(MatcherType.Equal, QueryShard.LabelName, value).Shard);
    }

    [Theory]
    [InlineData("0_of_4")]
    [InlineData("5_of_4")]
    [InlineData("1_of_0")]
    [InlineData("1of4")]
    [InlineData("_of_4")]
    [InlineData("1_of_")]
    [InlineData("-1_of_4")]
    [InlineData(" 1_of_4")]
    [InlineData("a_of_b")]
    [InlineData("")]
    public void A_malformed_value_is_a_clear_client_error(string value)
    {
        var e = Assert.Throws<InvalidQueryShardException>(() => new Matcher(MatcherType.Equal, QueryShard.LabelName, value));
        Assert.Contains("<index>_of_<total>", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ArgumentException>(e);
    }

    [Theory]
    [InlineData(MatcherType.NotEqual)]
    [InlineData(MatcherType.Regex)]
    [InlineData(MatcherType.NotRegex)]
    public void Only_equality_selects_a_shard(MatcherType type)
    {
        var e = Assert.Throws<InvalidQueryShardException>(() => new Matcher(type, QueryShard.LabelName, "1_of_2"));
        Assert.Contains("must use \"=\"", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    public void The_shards_partition_any_set_of_series(int count)
    {
        var series = Enumerable.Range(0, 500).Select(i => Labels.FromStrings("__name__", "m", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var owners = series.Select(s => Enumerable.Range(0, count).Where(i => new QueryShard(i, count).ToMatcher().Matches(s)).ToList()).ToList();

        // Disjoint and complete: every series is in exactly one shard.
        Assert.All(owners, o => Assert.Single(o));
        if (count > 1)
        {
            // And the hash spreads them: no shard is empty over 500 series.
            Assert.Equal(count, owners.Select(o => o[0]).Distinct().Count());
        }
    }

    [Fact]
    public void Split_takes_the_shard_matchers_out_and_leaves_the_list_alone_without_one()
    {
        Matcher[] plain = [Matcher.Eq("a", "b")];
        Assert.Empty(QueryShard.Split(plain, out var others));
        Assert.Same(plain, others);

        Matcher[] mixed = [Matcher.Eq("a", "b"), new QueryShard(1, 4).ToMatcher(), Matcher.Eq("c", "d")];
        Assert.Equal([new QueryShard(1, 4)], QueryShard.Split(mixed, out others));
        Assert.Equal(["a", "c"], others.Select(m => m.Name));
    }

    [Fact]
    public void A_shard_matcher_has_no_label_value_to_test()
    {
        // A store that forgot to take it out before resolving postings must fail, not silently select nothing.
        var m = new QueryShard(0, 2).ToMatcher();
        Assert.Throws<InvalidOperationException>(() => m.Matches("1_of_2"));
        Assert.False(m.MatchesEmpty);
    }
}
