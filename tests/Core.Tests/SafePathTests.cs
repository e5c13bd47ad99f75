using Xunit;

namespace MetricsCluster.Core.Tests;

public sealed class SafePathTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "safepath-root");

    [Theory]
    [InlineData("team-a", "team-a")]
    [InlineData(".a", ".a")]
    [InlineData("x.tmp|wal", "x.tmp/wal")]
    [InlineData("a/b/../c", "a/c")]
    [InlineData("...|x", ".../x")]
    public void Combine_keeps_paths_below_the_root(string joined, string relative)
    {
        string[] parts = joined.Split('|');
        string expected = Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));
        Assert.Equal(expected, SafePath.Combine(Root, parts));
        Assert.Equal(expected, SafePath.Combine(Root + Path.DirectorySeparatorChar, parts));
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("..")]
    [InlineData("a|../..")]
    [InlineData("/abs")]
    [InlineData("a|/etc/passwd")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a\0b")]
    [InlineData("../safepath-root-evil")]
    public void Combine_refuses_paths_that_leave_or_are_the_root(string joined)
    {
        string[] parts = joined.Split('|');
        var e = Assert.Throws<UnsafePathException>(() => SafePath.Combine(Root, parts));
        Assert.Contains("escapes its root directory", e.Message, StringComparison.Ordinal);
        Assert.Equal(Root, e.Root);
    }
}
