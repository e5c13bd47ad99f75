using MetricsCluster.Core.Re2;
using Xunit;

namespace MetricsCluster.Core.Tests.Re2;

/// <summary>RE2 patterns that .NET reads differently must match what Go matches.</summary>
public sealed class Re2TranslatorTests
{
    [Theory]
    [InlineData(@"\d+", "123", true)]
    [InlineData(@"\d+", "\u0663", false)]
    [InlineData(@"\w+", "é", false)]
    [InlineData(@"\s", "\u00a0", false)]
    [InlineData("[[:digit:]]+x", "12x", true)]
    [InlineData("[[:^alpha:]]", "1", null)]
    [InlineData("[a[]+", "a[a", true)]
    [InlineData("[]a]+", "]a", true)]
    [InlineData(@"\pL+", "abc", true)]
    [InlineData(@"\x{41}\x42", "AB", true)]
    [InlineData(@"\Q.*\E", ".*", true)]
    [InlineData(@"\Q.*\E", "ab", false)]
    [InlineData(@"\Q{1}[x]\E", "{1}[x]", true)]
    [InlineData(@"a\_b", "a_b", true)]
    [InlineData(@"[a\-z]+", "a-z", true)]
    [InlineData(@"[a\-z]+", "b", false)]
    [InlineData(@"\x{1F600}", "\U0001F600", true)]
    [InlineData("\\\u00e9", "\u00e9", null)]
    [InlineData("a$", "a\n", false)]
    [InlineData("(?m)a$", "a", true)]
    [InlineData("(?i)abc", "ABC", true)]
    [InlineData("(?s:.)", "\n", true)]
    [InlineData(".", "\n", false)]
    [InlineData("a{2,3}", "aaa", true)]
    [InlineData("a{,3}", "a{,3}", true)]
    [InlineData("(?<n>x)", "x", true)]
    [InlineData("(?<=a)b", "b", null)]
    [InlineData("(?>a)", "a", null)]
    [InlineData("(?=a)a", "a", null)]
    [InlineData("a(?!b)", "a", null)]
    [InlineData(@"(a)\1", "aa", null)]
    [InlineData(@"(?P<x>a)\k<x>", "aa", null)]
    [InlineData("(?P<name>a+)b", "aab", true)]
    [InlineData("1)|(2", "1", null)]
    [InlineData("a)", "a", null)]
    [InlineData("(a", "a", null)]
    [InlineData("(?i)a|b", "B", true)]
    [InlineData("(?i:a)|b)", "a", null)]
    [InlineData("[)(]+", ")(", true)]
    [InlineData(@"\)\(", ")(", true)]
    [InlineData("a|b", "ab", false)]
    [InlineData("((a+)+)+b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("(a|aa)*c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void MatchesLikeGo(string pattern, string input, bool? expected)
    {
        if (expected is null)
        {
            Assert.Throws<ArgumentException>(() => Re2Regex.CompileAnchored(pattern));
            return;
        }

        Assert.Equal(expected.Value, Re2Regex.CompileAnchored(pattern).IsMatch(input));
    }

    [Fact]
    public void NamedGroupsAreNumberedLeftToRight()
    {
        var re = Re2Regex.CompileAnchored("(?P<first>a)(b)(?<third>c)");
        var m = re.Match("abc")!;
        Assert.Equal("a|b|c|c|a", re.Expand("$1|$2|$3|${third}|$first", m));
        Assert.Equal("", re.Expand("$4$nope", m));
    }
}
