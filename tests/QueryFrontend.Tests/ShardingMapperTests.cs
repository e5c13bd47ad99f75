using MetricsCluster.PromQL;
using MetricsCluster.QueryFrontend.Sharding;
using Xunit;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>The sharding AST mapper (src/QueryFrontend/Sharding/QueryShardingMapper.cs): what shards, what does not, and the rewrites printed.</summary>
public sealed class ShardingMapperTests
{
    private static string? Rewrite(string query, int shards = 2, int maxRegexp = 4096) =>
        QueryShardingMapper.Map(Parser.ParseExpr(query), query, shards, maxRegexp)?.ToString();

    private const string S1 = "__query_shard__=\"1_of_2\"";
    private const string S2 = "__query_shard__=\"2_of_2\"";

    public static TheoryData<string, string> Sharded() => new()
    {
        { "sum(rate(x[5m]))", $"sum(concat(sum(rate(x{{{S1}}}[5m])), sum(rate(x{{{S2}}}[5m]))))" },
        { "sum by (g) (x)", $"sum by (g) (concat(sum by (g) (x{{{S1}}}), sum by (g) (x{{{S2}}})))" },
        { "count without (i) (x{a=\"b\"})", $"sum without (i) (concat(count without (i) (x{{{S1},a=\"b\"}}), count without (i) (x{{{S2},a=\"b\"}})))" },
        { "min(x)", $"min(concat(min(x{{{S1}}}), min(x{{{S2}}})))" },
        { "max(max_over_time(x[1h] offset 5m))", $"max(concat(max(max_over_time(x{{{S1}}}[1h] offset 5m)), max(max_over_time(x{{{S2}}}[1h] offset 5m))))" },
        { "group by (g) (x)", $"group by (g) (concat(group by (g) (x{{{S1}}}), group by (g) (x{{{S2}}})))" },
        { "avg by (g) (x)", $"(sum by (g) (concat(sum by (g) (x{{{S1}}}), sum by (g) (x{{{S2}}}))) / sum by (g) (concat(count by (g) (x{{{S1}}}), count by (g) (x{{{S2}}}))))" },
        { "sum(x > 3)", $"sum(concat(sum(x{{{S1}}} > 3), sum(x{{{S2}}} > 3)))" },
        { "sum(max_over_time(rate(x[5m])[30m:1m]))", $"sum(concat(sum(max_over_time(rate(x{{{S1}}}[5m])[30m:1m])), sum(max_over_time(rate(x{{{S2}}}[5m])[30m:1m]))))" },

        // Not shardable on top, shardable inside: the outer part is evaluated by the frontend.
        { "histogram_quantile(0.9, sum by (le) (rate(x[5m])))", $"histogram_quantile(0.9, sum by (le) (concat(sum by (le) (rate(x{{{S1}}}[5m])), sum by (le) (rate(x{{{S2}}}[5m])))))" },
        { "quantile(0.5, sum by (g) (x))", $"quantile(0.5, sum by (g) (concat(sum by (g) (x{{{S1}}}), sum by (g) (x{{{S2}}}))))" },
        { "label_replace(sum by (g) (x), \"h\", \"$1\", \"g\", \"(.*)\")", $"label_replace(sum by (g) (concat(sum by (g) (x{{{S1}}}), sum by (g) (x{{{S2}}}))), \"h\", \"$1\", \"g\", \"(.*)\")" },
        { "sum(sum by (g) (x))", $"sum(sum by (g) (concat(sum by (g) (x{{{S1}}}), sum by (g) (x{{{S2}}}))))" },
        { "sum(x) / sum(y)", $"sum(concat(sum(x{{{S1}}}), sum(x{{{S2}}}))) / sum(concat(sum(y{{{S1}}}), sum(y{{{S2}}})))" },

        // What reads storage outside a sharded part is folded into one unsharded downstream query.
        { "sum by (g) (x) / on (g) group_left y", $"sum by (g) (concat(sum by (g) (x{{{S1}}}), sum by (g) (x{{{S2}}}))) / on (g) group_left () concat(y)" },
        { "sum(x) + rate(y[5m])", $"sum(concat(sum(x{{{S1}}}), sum(x{{{S2}}}))) + concat(rate(y[5m]))" },
    };

    [Theory]
    [MemberData(nameof(Sharded))]
    public void Shardable_aggregations_are_rewritten_into_shards(string query, string expected) => Assert.Equal(expected, Rewrite(query));

    [Theory]
    [InlineData("x")]
    [InlineData("rate(x[5m])")]
    [InlineData("quantile(0.9, x)")]
    [InlineData("stddev(x)")]
    [InlineData("count_values(\"v\", x)")]
    [InlineData("topk(3, sum by (g) (x))")]
    [InlineData("bottomk(3, x)")]
    [InlineData("sum(x / y)")]
    [InlineData("sum(x * on (a) group_left y)")]
    [InlineData("sum(x * scalar(y))")]
    [InlineData("sum(absent(x))")]
    [InlineData("sum(label_replace(x, \"a\", \"b\", \"c\", \"d\"))")]
    [InlineData("sum(histogram_quantile(0.9, x))")]
    [InlineData("sum(vector(1))")]
    [InlineData("max_over_time(sum(x)[1h:1m])")]
    [InlineData("sum(x{__query_shard__=\"1_of_2\"})")]
    [InlineData("sum(x) + scalar(y)")]
    [InlineData("1 + 2")]
    public void Unshardable_queries_are_left_alone(string query) => Assert.Null(Rewrite(query));

    [Fact]
    public void A_regex_longer_than_the_limit_disables_sharding()
    {
        string query = "sum(x{a=~\"" + new string('a', 40) + "\"})";
        Assert.Null(Rewrite(query, maxRegexp: 39));
        Assert.NotNull(Rewrite(query, maxRegexp: 40));
        Assert.NotNull(Rewrite(query, maxRegexp: 0));
    }

    [Fact]
    public void Every_shard_gets_its_matcher_on_every_selector()
    {
        var q = QueryShardingMapper.Map(Parser.ParseExpr("sum(rate(x[5m]) * 2 + x)"), "sum(rate(x[5m]) * 2 + x)", 16, 0);
        Assert.Null(q); // x + x is vector/vector: not per series.

        string text = "sum(rate(x[5m]) * 2)";
        var sharded = QueryShardingMapper.Map(Parser.ParseExpr(text), text, 16, 0)!;
        var queries = Assert.Single(sharded.Embedded).Queries;
        Assert.Equal(16, queries.Count);
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal($"sum(rate(x{{__query_shard__=\"{i + 1}_of_16\"}}[5m]) * 2)", queries[i]);
        }
    }

    [Fact]
    public void Annotation_positions_of_a_shard_query_map_back_to_the_users_query()
    {
        string text = "1 + sum by (g) (rate(foo[5m]))";
        var sharded = QueryShardingMapper.Map(Parser.ParseExpr(text), text, 2, 0)!;
        var e = Assert.Single(sharded.Embedded);

        // rate( starts at 1:17 in the user's query; in "sum by (g) (rate(foo{...}[5m]))" it starts at 1:13.
        Assert.Equal("PromQL info: metric might not be a counter (1:17)", AnnotationPositions.Remap("PromQL info: metric might not be a counter (1:13)", e.Positions[0]));
    }

    [Theory]
    [InlineData("x{__query_shard__=\"0_of_2\"}", "invalid __query_shard__ value \"0_of_2\"")]
    [InlineData("x{__query_shard__=~\"1_of_2\"}", "the __query_shard__ matcher must use \"=\"")]
    public async Task A_malformed_shard_matcher_is_a_bad_data_error(string query, string message)
    {
        var e = Assert.Throws<PromQLParseException>(() => Parser.ParseExpr(query));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);

        using var engine = new PromQL.Engine.QueryEngine(new PromQL.Engine.EngineOptions());
        var r = await engine.RangeQueryAsync(new PromQL.Tests.Scripts.MemoryStorage(), "t", query, 0, 60_000, 15_000, CancellationToken.None);
        Assert.Equal(PromQL.Engine.QueryErrorType.BadData, r.Error!.Type);
        Assert.Contains(message, r.Error.Message, StringComparison.Ordinal);
    }
}
