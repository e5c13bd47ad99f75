using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Tsdb.Block;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Replication;

public sealed class BlockOwnershipTests
{
    [Fact]
    public void An_instance_owns_exactly_the_blocks_whose_set_contains_it()
    {
        var ring = FakeRing.Of(5);
        var blocks = Enumerable.Range(0, 200).Select(i => Ulid.New(1_700_000_000_000 + i, new Random(i))).ToList();

        foreach (var instance in ring.List)
        {
            var ownership = new BlockOwnership(ring, instance.Id);
            Assert.All(blocks, b => Assert.Equal(ring.Owns(BlockShardKey.Of(b), instance.Id), ownership.Owns(b)));
        }

        // RF 3 of 5: every block is loaded by exactly three store-gateways.
        Assert.All(blocks, b => Assert.Equal(3, ring.List.Count(i => new BlockOwnership(ring, i.Id).Owns(b))));
    }

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "me" }, true)]
    [InlineData(new[] { "other" }, false)]
    public void An_empty_ring_or_one_holding_only_this_instance_owns_everything(string[] instances, bool owns)
    {
        var ring = new FakeRing([.. instances.Select(id => FakeRing.Instance(id))]) { ReplicationFactor = 1 };

        Assert.Equal(owns, new BlockOwnership(ring, "me").Owns(Ulid.New(1_700_000_000_000, new Random(1))));
    }

    [Fact]
    public void The_block_key_hashes_the_16_binary_bytes_of_the_ulid()
    {
        byte[] random = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var id = Ulid.FromParts(0x0102_0304_0506, random);
        Span<byte> bytes = stackalloc byte[16];

        BlockShardKey.Write(id, bytes);

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, bytes.ToArray());
        Assert.Equal(ShardKey.ForBlock(bytes), BlockShardKey.Of(id));
    }
}
