using MetricsCluster.EndToEnd.Tests.Infra.PromQLComparison;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>The comparator of the PromQL comparison test can fail, and only where it should.</summary>
public sealed class AnswerComparerTests
{
    private const string Two = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[100.234,"1"]},{"metric":{"a":"2"},"value":[100.234,"NaN"]}]}}""";

    [Fact]
    public void Equal_answers_match_in_any_series_order()
    {
        const string swapped = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"2"},"value":[100.234,"NaN"]},{"metric":{"a":"1"},"value":[100.234,"1.0000000000001"]}]}}""";
        Assert.Null(AnswerComparer.Difference("q", Answer(Two), Answer(swapped)));
    }

    [Theory]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[100.234,"1.001"]},{"metric":{"a":"2"},"value":[100.234,"NaN"]}]}}""", "value")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[100.234,"1"]},{"metric":{"a":"2"},"value":[100.234,"+Inf"]}]}}""", "value")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[101.234,"1"]},{"metric":{"a":"2"},"value":[100.234,"NaN"]}]}}""", "timestamp")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[100.234,"1"]}]}}""", "missing")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[]}}""", "resultType")]
    [InlineData("""{"status":"error","errorType":"bad_data","error":"x"}""", "status")]
    public void Differences_are_reported(string other, string expectedWord)
    {
        Assert.Contains(expectedWord, AnswerComparer.Difference("q", Answer(Two), Answer(other)), StringComparison.Ordinal);
    }

    [Fact]
    public void Sort_queries_compare_order_but_allow_ties_in_any_order()
    {
        const string a = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"1"]},{"metric":{"a":"3"},"value":[1,"2"]}]}}""";
        const string tieSwapped = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"2"},"value":[1,"1"]},{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"3"},"value":[1,"2"]}]}}""";
        const string reversed = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"3"},"value":[1,"2"]},{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"1"]}]}}""";
        Assert.Null(AnswerComparer.Difference("sort(x)", Answer(a), Answer(tieSwapped)));
        Assert.Contains("order", AnswerComparer.Difference("sort(x)", Answer(a), Answer(reversed)), StringComparison.Ordinal);
        Assert.Null(AnswerComparer.Difference("x", Answer(a), Answer(reversed)));
    }

    private static QueryAnswer Answer(string json) => QueryAnswer.Parse(json.Contains("error", StringComparison.Ordinal) ? 400 : 200, json);
}
