using Xunit;

namespace MetricsCluster.Core.Tests;

public class Crc32CTests
{
    [Fact]
    public void CheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    // Outputs of the hand-written CRC32C (SSE4.2 path, checked against its table path) that System.IO.Hashing's
    // Crc32ParameterSet.Crc32C replaced, computed from it before it was deleted: WAL, chunk and index checksums
    // are read by Prometheus and must stay byte-identical. Input: byte i = (i * 31 + 7) mod 256.
    public static TheoryData<int, uint> PreviousImplementation => new()
    {
        { 0, 0x00000000u },
        { 1, 0x86B737BAu },
        { 3, 0x765A7C83u },
        { 4, 0x65F1C5DCu },
        { 7, 0x5110A112u },
        { 8, 0x40795C72u },
        { 9, 0x6FE35DA6u },
        { 15, 0x9B0C1517u },
        { 16, 0xCF7845A4u },
        { 31, 0x17430993u },
        { 32, 0x9AC661B0u },
        { 33, 0xD7082B08u },
        { 63, 0xD7013350u },
        { 64, 0x2B1D65D8u },
        { 65, 0x1C1BB57Fu },
        { 100, 0xE26C441Cu },
        { 255, 0x0FD95F5Eu },
        { 1000, 0xFF52EE97u },
        { 4096, 0xE1C2F7E8u },
    };

    [Theory]
    [MemberData(nameof(PreviousImplementation))]
    public void MatchesThePreviousImplementation(int length, uint expected)
    {
        byte[] data = Enumerable.Range(0, length).Select(i => (byte)((i * 31) + 7)).ToArray();
        Assert.Equal(expected, Crc32C.Compute(data));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(9)]
    public void IncrementalEqualsOneShot(int split)
    {
        byte[] all = "123456789"u8.ToArray();
        var crc = Crc32C.CreateIncremental();
        crc.Append(all.AsSpan(0, split));
        crc.Append(all.AsSpan(split));
        Assert.Equal(0xE3069283u, crc.GetCurrentHashAsUInt32());
        crc.Reset();
        crc.Append(all);
        Assert.Equal(0xE3069283u, crc.GetCurrentHashAsUInt32());
    }
}
