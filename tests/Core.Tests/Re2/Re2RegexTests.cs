using MetricsCluster.Core.Re2;
using Xunit;

namespace MetricsCluster.Core.Tests.Re2;

/// <summary>Unanchored RE2 regexes: searching and Go's ReplaceAllString (expected values printed by Go 1.19).</summary>
public sealed class Re2RegexTests
{
    [Theory]
    [InlineData("a*", "x", "baaac", "xbxcx")]
    [InlineData("", "-", "abc", "-a-b-c-")]
    [InlineData("(a)|b", "<$1>", "ab", "<a><>")]
    [InlineData("(?P<n>o)", "[${n}$1$1x]", "foo", "f[oo][oo]")]
    [InlineData("x", "$$", "axb", "a$b")]
    [InlineData("b*", "-", "abc", "-a-c-")]
    [InlineData(@"(\w+):(\d+)", "$2/$1", "host:80 db:5432", "80/host 5432/db")]
    [InlineData("é", "e", "été", "ete")]
    [InlineData("^", ">", "ab", ">ab")]
    [InlineData("$", "<", "ab", "ab<")]
    [InlineData(@"\b", "|", "ab cd", "|ab| |cd|")]
    public void ReplaceAll_is_Gos_ReplaceAllString(string pattern, string template, string src, string expected) =>
        Assert.Equal(expected, Re2Regex.Compile(pattern).ReplaceAll(src, template));

    [Theory]
    [InlineData("^host", "host1", true)]
    [InlineData("ost", "host1", true)]
    [InlineData("^ost", "host1", false)]
    [InlineData("a$", "a\n", false)]
    [InlineData("(?i)HOST", "host", true)]
    public void Compile_searches_like_Gos_MatchString(string pattern, string input, bool expected) =>
        Assert.Equal(expected, Re2Regex.Compile(pattern).IsMatch(input));

    [Fact]
    public void Compile_and_CompileAnchored_are_cached_apart()
    {
        Assert.True(Re2Regex.Compile("b").IsMatch("abc"));
        Assert.False(Re2Regex.CompileAnchored("b").IsMatch("abc"));
        Assert.Throws<ArgumentException>(() => Re2Regex.Compile("(a"));
    }
}
