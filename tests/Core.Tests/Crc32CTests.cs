using System.Text;
using Xunit;

namespace MetricsCluster.Core.Tests;

public class Crc32CTests
{
    [Fact]
    public void CheckValueOnBothPaths()
    {
        var data = "123456789"u8;
        Assert.Equal(0xE3069283u, Crc32C.Compute(data));
        Assert.Equal(0xE3069283u, Crc32C.ComputeWithTable(data));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1000)]
    public void IntrinsicAndTablePathsAgree(int length)
    {
        byte[] data = Enumerable.Range(0, length).Select(i => (byte)(i * 31)).ToArray();
        Assert.Equal(Crc32C.ComputeWithTable(data), Crc32C.Compute(data));
    }

    [Fact]
    public void AppendContinues()
    {
        byte[] all = Encoding.ASCII.GetBytes("123456789");
        uint partial = Crc32C.Append(Crc32C.Compute(all.AsSpan(0, 4)), all.AsSpan(4));
        Assert.Equal(0xE3069283u, partial);
    }
}
