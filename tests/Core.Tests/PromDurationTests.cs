using Xunit;

namespace MetricsCluster.Core.Tests;

/// <summary>model.ParseDuration / Duration.String: the one duration primitive every component uses (G4).</summary>
public sealed class PromDurationTests
{
    [Theory]
    [InlineData("0", 0L, "0s")]
    [InlineData("0s", 0L, "0s")]
    [InlineData("324ms", 324L, "324ms")]
    [InlineData("3s", 3000L, "3s")]
    [InlineData("5m", 300_000L, "5m")]
    [InlineData("1h", 3_600_000L, "1h")]
    [InlineData("4d", 345_600_000L, "4d")]
    [InlineData("3w", 1_814_400_000L, "3w")]
    [InlineData("10y", 315_360_000_000L, "10y")]
    [InlineData("1h30m", 5_400_000L, "1h30m")]
    [InlineData("90s", 90_000L, "1m30s")]
    [InlineData("1m10s500ms", 70_500L, "1m10s500ms")]
    public void ParsesAndFormats(string s, long ms, string formatted)
    {
        var d = PromDuration.Parse(s);
        Assert.Equal(TimeSpan.FromMilliseconds(ms), d);
        Assert.Equal(formatted, PromDuration.Format(d));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.5s")]
    [InlineData("-1s")]
    [InlineData("1m1h")]
    [InlineData("1s1s")]
    [InlineData("1 s")]
    [InlineData("99999999999999999999y")]
    public void RejectsInvalid(string s) => Assert.False(PromDuration.TryParse(s, out _));

    [Fact]
    public void Parse_throws_with_prometheus_wording()
    {
        var e = Assert.Throws<FormatException>(() => PromDuration.Parse("1x"));
        Assert.Equal("not a valid duration string: \"1x\"", e.Message);
    }
}
