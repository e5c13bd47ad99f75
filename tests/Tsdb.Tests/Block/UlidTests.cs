using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Block;

public class UlidTests
{
    [Theory]
    [InlineData(0L, "00000000000000000000000000")]
    [InlineData(1469918176385L, "01ARYZ6S41")] // oklog/ulid's README example timestamp.
    [InlineData((1L << 48) - 1, "7ZZZZZZZZZ")]
    public void TimestampIsTheFirstTenCharacters(long ms, string prefix)
    {
        var u = Ulid.FromParts(ms, new byte[10]);
        Assert.StartsWith(prefix, u.ToString(), StringComparison.Ordinal);
        Assert.Equal(26, u.ToString().Length);
        Assert.Equal(ms, u.TimestampMs);
    }

    [Fact]
    public void RoundTripsAndOrders()
    {
        var rnd = new Random(7);
        var a = Ulid.New(1_700_000_000_000, rnd);
        var b = Ulid.New(1_700_000_000_001, rnd);
        Assert.True(a < b);
        Assert.Equal(a, Ulid.Parse(a.ToString()));
        Assert.Equal(a, Ulid.Parse(a.ToString().ToLowerInvariant()));
        Assert.Equal("01DXXFZDYD1MQW6079WK0K6EDQ", Ulid.Parse("01DXXFZDYD1MQW6079WK0K6EDQ").ToString());
        Assert.EndsWith("ZZZZZZZZZZZZZZZZ", Ulid.FromParts(0, [255, 255, 255, 255, 255, 255, 255, 255, 255, 255]).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")] // First character above '7' overflows 128 bits.
    [InlineData("01DXXFZDYD1MQW6079WK0K6ED")]
    [InlineData("01DXXFZDYD1MQW6079WK0K6EDU")] // U is not Crockford base32.
    public void RejectsInvalid(string s) => Assert.False(Ulid.TryParse(s, out _));
}
