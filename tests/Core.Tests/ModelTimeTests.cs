using Xunit;

namespace MetricsCluster.Core.Tests;

public class ModelTimeTests
{
    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00Z")]
    [InlineData(1L, "1970-01-01T00:00:00.001Z")]
    [InlineData(120L, "1970-01-01T00:00:00.12Z")]
    [InlineData(-1L, "1969-12-31T23:59:59.999Z")]
    [InlineData(1_704_164_645_500L, "2024-01-02T03:04:05.5Z")]
    [InlineData(951_782_400_000L, "2000-02-29T00:00:00Z")]
    [InlineData(-62_135_596_800_000L, "0001-01-01T00:00:00Z")]
    [InlineData(-62_135_596_800_001L, "0000-12-31T23:59:59.999Z")] // Before year 1: DateTimeOffset throws here.
    [InlineData(-62_198_755_200_000L, "-0001-01-01T00:00:00Z")]
    [InlineData(253_402_300_800_000L, "10000-01-01T00:00:00Z")] // After year 9999.
    [InlineData(long.MaxValue, "292278994-08-17T07:12:55.807Z")] // Go: time.UnixMilli(math.MaxInt64).
    [InlineData(long.MinValue, "-292275055-05-16T16:47:04.192Z")] // Go: time.UnixMilli(math.MinInt64).
    public void Formats_like_go_rfc3339nano(long ms, string expected)
    {
        Assert.Equal(expected, ModelTime.FormatRfc3339(ms));
    }

    [Fact]
    public void Agrees_with_the_framework_wherever_the_framework_can_format()
    {
        var random = new Random(7);
        long min = DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), max = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
        for (int i = 0; i < 10_000; i++)
        {
            long ms = random.NextInt64(min, max);
            string framework = DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(framework, ModelTime.FormatRfc3339(ms));
        }
    }
}
