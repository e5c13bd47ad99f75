using Google.Protobuf;
using MetricsCluster.Cluster.Rpc;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Rpc;

public sealed class FrameReaderTests
{
    [Theory]

    // Found by tests/Fuzz (rpc-stream crash 7d32c035): an unknown group holding a field of length 0xFFFFFFFF made
    // Google.Protobuf 3.25 throw ArgumentOutOfRangeException, which FrameReader turns into InvalidDataException
    // ("malformed frame"). Google.Protobuf 3.36 reports both crash inputs as InvalidProtocolBufferException itself,
    // the other malformed-frame outcome FrameReader documents; either passes, anything else fails.
    [InlineData("XwpdCjAKFQhfX25hbWVfXwJ1cANqb2IEbm9kZRL/////B/uA0JX/vDEQmMWW/7wxGAEiBQACAQIDCikKDghfX25hbWX//390ZW1wEhcIgNCV/7wxEJjFlv+8MRgBIgUAAgECAwIaAA==", "malformed frame")]
    [InlineData("XwpdCjAKFQiAX25hbWVfXwJ1cANqb2IEbm9kZRL/////B/uA0JX/vDEQASIFAAIBAgMKKQoOCF9fbmFtZf//f3RlbXCYxZb/vDEYASIFAAIBAgMKKQoOCF9fbmFtZf//f3RlbXASFwiA0JX/vDEQmMWW/7wxGAEiBQAC0gID", "malformed frame")] // Crash 5e1f6e45: IndexOutOfRangeException.
    [InlineData("gICAgIAB", "longer than 5 bytes")]
    public async Task Malformed_stream_is_invalid_data(string base64, string expected)
    {
        using var reader = new FrameReader(new MemoryStream(Convert.FromBase64String(base64)));
        var e = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadAsync(CancellationToken.None) is not null)
            {
            }
        });
        if (e is InvalidProtocolBufferException && expected == "malformed frame")
        {
            return;
        }

        Assert.IsType<InvalidDataException>(e);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
