using MetricsCluster.Agent.Config;
using Xunit;

namespace MetricsCluster.Agent.Tests.Config;

/// <summary>model.ParseDuration / Duration.String and units.ParseBase2Bytes.</summary>
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

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("100B", 100L)]
    [InlineData("10KB", 10_240L)]
    [InlineData("10KiB", 10_240L)]
    [InlineData("10MB", 10_485_760L)]
    [InlineData("1GB512MB", 1_610_612_736L)]
    [InlineData("1.5KB", 1_536L)]
    public void ParsesBytes(string s, long bytes)
    {
        Assert.True(ByteSize.TryParse(s, out long b));
        Assert.Equal(bytes, b);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("10mb")]
    [InlineData("MB")]
    [InlineData("10MBx")]
    public void RejectsInvalidBytes(string s) => Assert.False(ByteSize.TryParse(s, out _));
}
