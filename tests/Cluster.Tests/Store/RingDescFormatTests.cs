using Google.Protobuf;
using MetricsCluster.Cluster.Ring;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Store;

/// <summary>The value bytes of docs/format/ring.md section 2, byte for byte (G8, G18 f-test style).</summary>
public sealed class RingDescFormatTests
{
    [Fact]
    public void Value_bytes_match_the_format_document()
    {
        Check(new RingDesc(), string.Empty);
        RingDesc ing1 = Desc(new InstanceDesc { Id = "ing-1", Addr = "10.0.0.1:9095", State = InstanceState.Active, Tokens = { 5, 100 }, Zone = "zone-a" });
        Check(ing1, "0a2d0a05696e672d3112240a0d31302e302e302e313a393039351802220205642a067a6f6e652d614205696e672d31");

        // A descriptor written before liveness came from membership carries field 2 (heartbeat_timestamp, now
        // reserved): it still parses, and without the unknown field it is the same instance.
        byte[] withHeartbeat = Convert.FromHexString("0a340a05696e672d31122b0a0d31302e302e302e313a393039351080d095ffbc311802220205642a067a6f6e652d614205696e672d31");
        Assert.Equal(ing1, RingDesc.Parser.WithDiscardUnknownFields(true).ParseFrom(withHeartbeat));
        Assert.Equal(ing1.Instances["ing-1"].Tokens, RingDesc.Parser.ParseFrom(withHeartbeat).Instances["ing-1"].Tokens);

        // PENDING is the enum's zero and, like every default, is not written.
        Check(Desc(new InstanceDesc { Id = "p", State = InstanceState.Pending }), "0a080a01701203420170");

        static void Check(RingDesc desc, string expectedHex)
        {
            byte[] bytes = desc.ToByteArray();
            Assert.Equal(expectedHex, Convert.ToHexStringLower(bytes));
            Assert.Equal(desc, RingDesc.Parser.ParseFrom(bytes));
        }
    }

    private static RingDesc Desc(InstanceDesc instance) => new() { Instances = { [instance.Id] = instance } };
}
