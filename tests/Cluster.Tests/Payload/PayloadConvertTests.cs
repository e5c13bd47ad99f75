using Google.Protobuf;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Payload;

public sealed class RpcConvertTests
{
    [Fact]
    public void Series_labels_round_trip()
    {
        var labels = Labels.FromStrings("__name__", "up", "job", "a");
        var back = PayloadConvert.FromWire(new StreamSeries { Labels = ByteString.CopyFrom(labels.Bytes) });
        Assert.Equal(labels, back.Labels);
    }

    [Theory]
    [InlineData("085F5F6E616D65FFFF7F74656D70", "runs past its end")] // Found by tests/Fuzz (rpc-stream crash 1af08820): it threw ArgumentOutOfRangeException later, in Labels.ToString.
    [InlineData("01620161016101 61", "strictly increasing")]
    [InlineData("00000161", "non-empty")]
    public void Damaged_series_labels_are_a_format_error(string hex, string expected)
    {
        var s = new StreamSeries { Labels = ByteString.CopyFrom(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))) };
        var e = Assert.Throws<FormatException>(() => PayloadConvert.FromWire(s));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
