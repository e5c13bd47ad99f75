using System.Net.Http.Headers;
using MetricsCluster.Agent.RemoteWrite;
using Xunit;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("5", 5.0)]
    [InlineData("0", 0.0)]
    [InlineData("Sun, 22 Nov 2026 06:00:30 GMT", 30.0)]
    [InlineData("Sun, 22 Nov 2026 05:59:00 GMT", 0.0)]
    [InlineData(null, null)]
    public void DelayFromHeader(string? header, double? seconds)
    {
        var parsed = header is null ? null : RetryConditionHeaderValue.Parse(header);
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), RetryAfter.From(parsed, s_now));
    }
}
