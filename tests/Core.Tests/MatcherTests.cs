using MetricsCluster.Core;
using MetricsCluster.Core.Re2;
using Xunit;

namespace MetricsCluster.Core.Tests;

/// <summary>Label matchers: RE2 semantics, Prometheus 3 anchoring, and the shortcuts agreeing with the regex.</summary>
public sealed class MatcherTests
{
    private static readonly string s_a24 = new('a', 24);

    [Theory]
    [InlineData("((a+)+)+b", "aaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("((a+)+)+b", "aaaaaaaaaaaaaaaaaaaaaaab", true)]
    [InlineData("(a*)*$x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("a", "a\n", false)]
    [InlineData("a$", "a\n", false)]
    [InlineData("a\n", "a\n", true)]
    [InlineData("a.b", "a\nb", true)]
    [InlineData("a|b", "ab", false)]
    [InlineData("foo.*", "foobar", true)]
    [InlineData("foo.*", "xfoo", false)]
    [InlineData("foo.*", "foo\nbar", true)]
    [InlineData(".*foo", "xfoo", true)]
    [InlineData(".*foo.*", "xfoox", true)]
    [InlineData(".*foo.*", "fo", false)]
    [InlineData(".*", "", true)]
    [InlineData(".+", "", false)]
    [InlineData(".+", "\n", true)]
    [InlineData("a|b|c", "b", true)]
    [InlineData("a|b|c", "d", false)]
    [InlineData("a|", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    [InlineData("(?P<v>x+)", "xx", true)]
    [InlineData(@"\d+", "\u0663", false)]
    [InlineData("foo-.*-1", "foo-x-1", true)]
    [InlineData("foo-.*-1", "bar-x-1", false)]
    [InlineData("fooo?-x", "foo-x", true)]
    [InlineData("foo+-x", "foooo-x", true)]
    [InlineData("ab{0}c", "ac", true)]
    [InlineData("foo(-x)?", "foo", true)]
    [InlineData("foo-x|bar", "bar", true)]
    [InlineData("foo(-x|bar)", "foobar", true)]
    public void RegexMatchesLikePrometheus(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, new Matcher(MatcherType.Regex, "v", pattern).Matches(value));
        Assert.Equal(!expected, new Matcher(MatcherType.NotRegex, "v", pattern).Matches(value));
    }

    [Theory]
    [InlineData("foo-.*-1", "foo-")]
    [InlineData("fooo?-x", "foo")]
    [InlineData("ab{0}c", "a")]
    [InlineData("a|b", "")]
    [InlineData("(?i)foo", "")]
    [InlineData(@"foo\.bar", "foo")]
    [InlineData("foo", "foo")]
    [InlineData("f*", "")]
    public void RequiredPrefixIsOnlyWhatEveryMatchStartsWith(string pattern, string prefix) =>
        Assert.Equal(prefix, RegexShortcut.RequiredPrefix(pattern));

    [Theory]
    [InlineData("1)|(2")]
    [InlineData("(?=a)")]
    [InlineData(@"(a)\1")]
    [InlineData("(a")]
    public void InvalidRe2IsRejected(string pattern)
    {
        var e = Assert.Throws<ArgumentException>(() => new Matcher(MatcherType.Regex, "v", pattern));
        Assert.Contains("invalid regular expression", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedQuantifiersFinishOnManyValues()
    {
        // The attack of issue 12: a backtracking engine takes 2^24 steps per value and never returns here.
        var m = new Matcher(MatcherType.Regex, "v", "((a+)+)+b");
        int matched = 0;
        for (int i = 0; i < 1000; i++)
        {
            matched += m.Matches(s_a24 + (i % 2 == 0 ? "c" : "b")) ? 1 : 0;
        }

        Assert.Equal(500, matched);
    }
}
