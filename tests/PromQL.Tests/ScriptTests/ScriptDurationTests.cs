using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;

namespace MetricsCluster.PromQL.Tests.ScriptTests;

public class ScriptDurationTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1m", 60_000L)]
    [InlineData("10s", 10_000L)]
    [InlineData("1h30m", 5_400_000L)]
    [InlineData("5m1ms", 300_001L)]
    [InlineData("100ms", 100L)]
    [InlineData("1d", 86_400_000L)]
    [InlineData("1w", 604_800_000L)]
    [InlineData("1y", 31_536_000_000L)]
    [InlineData("0s", 0L)]
    [InlineData("90m", 5_400_000L)]
    [InlineData("1y2w3d4h5m6s7ms", 31_536_000_000L + 1_209_600_000L + 259_200_000L + 14_400_000L + 300_000L + 6_000L + 7L)]
    public void Parses(string text, long ms)
    {
        Assert.True(ScriptDuration.TryParse(text, out long got));
        Assert.Equal(ms, got);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.5m")]
    [InlineData("-1m")]
    [InlineData("30m1h")]
    [InlineData("1x")]
    [InlineData("m")]
    [InlineData(" 1m")]
    [InlineData("99999999999999999999y")]
    public void Rejects(string text) => Assert.False(ScriptDuration.TryParse(text, out _));

    [Theory]
    [InlineData("-1m", -60_000L)]
    [InlineData("+1s", 1_000L)]
    [InlineData("-0ms", 0L)]
    [InlineData("2h", 7_200_000L)]
    public void ParsesSigned(string text, long ms)
    {
        Assert.True(ScriptDuration.TryParseSigned(text, out long got));
        Assert.Equal(ms, got);
    }
}
