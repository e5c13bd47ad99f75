using System.Text;
using Xunit;

namespace MetricsCluster.Core.Tests;

public class XxHash64Tests
{
    // Reference values from the xxHash project's own CLI (xxhsum -H1, seed 0).
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", 0xBF2CD639B4143B80UL)] // Exactly one 32-byte stripe.
    [InlineData("Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1UL)] // Stripe + 8 + 4 + tail bytes.
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 0xD5000C4AC53D14A0UL)]
    public void MatchesReferenceVectors(string input, ulong expected)
    {
        Assert.Equal(expected, XxHash64.Hash(Encoding.UTF8.GetBytes(input)));
    }

    [Fact]
    public void MatchesReferenceForBytes0To99()
    {
        byte[] data = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        Assert.Equal(0x6AC1E58032166597UL, XxHash64.Hash(data));
    }

    [Fact]
    public void SeedChangesTheHash()
    {
        Assert.NotEqual(XxHash64.Hash("abc"u8), XxHash64.Hash("abc"u8, 1));
    }
}
