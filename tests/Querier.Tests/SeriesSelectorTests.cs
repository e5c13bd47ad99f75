using MetricsCluster.Core;
using MetricsCluster.Querier.Api;
using Xunit;

namespace MetricsCluster.Querier.Tests;

public sealed class SeriesSelectorTests
{
    [Theory]
    [InlineData("up", "__name__=\"up\"")]
    [InlineData("up{job=\"a\"}", "__name__=\"up\",job=\"a\"")]
    [InlineData("{job=~\"a.*\", env!=\"dev\"}", "job=~\"a.*\",env!=\"dev\"")]
    [InlineData("node:cpu:rate5m{instance!~'x'}", "__name__=\"node:cpu:rate5m\",instance!~\"x\"")]
    [InlineData("m{l=\"a\\\"b\\n\"}", "__name__=\"m\",l=\"a\\\"b\n\"")]
    [InlineData("m{l=`raw\\n`}", "__name__=\"m\",l=\"raw\\\\n\"")]
    [InlineData("m{ }", "__name__=\"m\"")]
    [InlineData("{\"quoted name\"=\"v\"}", "quoted name=\"v\"")]
    public void Parses_selectors(string input, string expected) =>
        // Matcher order carries no meaning (Prometheus appends the __name__ matcher last), so compare as sets.
        Assert.Equal(expected.Split(",").Order(StringComparer.Ordinal), SeriesSelector.Parse(input).Select(m => m.ToString()).Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("up{job=\"a\"", "unexpected end of input inside braces")]
    [InlineData("up{job=a}", "expected string")]
    [InlineData("up{job=~\"(\"}", "error parsing regexp")]
    [InlineData("", "unexpected end of input")]
    [InlineData("up{job==\"a\"}", "expected string")]
    // Prometheus 2.42's /api/v1/series answers: the selector grammar stops at the first token after the selector.
    [InlineData("up(", "1:3: parse error: unexpected \"(\"")]
    [InlineData("rate(x[5m])", "1:5: parse error: unexpected \"(\"")]
    [InlineData("up[5m]", "1:3: parse error: unexpected \"[\"")]
    [InlineData("up offset 5m", "1:4: parse error: unexpected <offset>")]
    [InlineData("up{a=\"b\"} + 1", "1:11: parse error: unexpected <op:+>")]
    [InlineData("sum(up)", "1:4: parse error: unexpected \"(\"")]
    [InlineData("1", "1:1: parse error: unexpected number \"1\"")]
    [InlineData("up{a=\"b\"", "1:9: parse error: unexpected end of input inside braces")]
    public void Rejects_bad_selectors_with_prometheus_wording(string input, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => SeriesSelector.Parse(input)).Message);

    [Fact]
    public void Regex_matchers_are_fully_anchored()
    {
        var m = SeriesSelector.Parse("{job=~\"ab\"}")[0];
        Assert.True(m.Matches("ab"));
        Assert.False(m.Matches("xab"));
        Assert.False(m.Matches("abx"));
        Assert.True(new Matcher(MatcherType.Regex, "x", "a.b").Matches("a\nb"));
    }

    [Theory]
    [InlineData("{}", 0, false)]
    [InlineData("{job=\"\"}", 1, false)]
    [InlineData("{job=~\".*\", a!~\".+\"}", 2, false)]
    [InlineData("{job=~\".*\", a=\"b\"}", 2, true)]
    [InlineData("up", 1, true)]
    public void Accepts_selectors_matching_the_empty_string_and_tells_them_apart(string input, int matchers, bool nonEmpty)
    {
        // As Prometheus' ParseMetricSelector: the non-empty rule is the endpoints' (they word it differently), not the parser's.
        var set = SeriesSelector.Parse(input);
        Assert.Equal((matchers, nonEmpty), (set.Count, SeriesSelector.HasNonEmptyMatcher(set)));
    }
}
