using MetricsCluster.Agent.Config;
using Xunit;

namespace MetricsCluster.Agent.Tests.Config;

/// <summary>units.ParseBase2Bytes (durations moved to Core with PromDuration).</summary>
public sealed class ByteSizeTests
{
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
