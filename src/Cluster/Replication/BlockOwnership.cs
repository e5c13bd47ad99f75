using MetricsCluster.Cluster.Ring;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// Which blocks one store-gateway loads (Mimir's ShuffleShardingStrategy.FilterBlocks with the default shard
/// size): those whose replication set for <see cref="RingOperation.BlocksSync"/> contains this instance, so each
/// block is loaded by RF store-gateways. The store-gateway's sync asks it for every listed block.
/// </summary>
/// <param name="storeGatewayRing">The store-gateway ring.</param>
/// <param name="instanceId">This store-gateway's ring id.</param>
public sealed class BlockOwnership(IReadRing storeGatewayRing, string instanceId)
{
    private readonly IReadRing _ring = storeGatewayRing ?? throw new ArgumentNullException(nameof(storeGatewayRing));
    private readonly string _instanceId = instanceId ?? throw new ArgumentNullException(nameof(instanceId));

    /// <summary>
    /// Whether this instance should load <paramref name="block"/>. When the ring is empty or holds only this
    /// instance every block is owned: a lone store-gateway (or one starting before its ring entry is visible) must
    /// serve everything rather than nothing. When the ring cannot place the block (too few healthy instances), the
    /// block is kept too: loading a block in excess costs disk, dropping one fails queries.
    /// </summary>
    /// <param name="block">The block.</param>
    /// <returns>True when the block is this instance's to load.</returns>
    public bool Owns(Ulid block)
    {
        var instances = _ring.Instances;
        if (instances.Count == 0 || (instances.Count == 1 && instances.ContainsKey(_instanceId)))
        {
            return true;
        }

        try
        {
            var set = _ring.Get(BlockShardKey.Of(block), RingOperation.BlocksSync);
            foreach (var i in set.Instances)
            {
                if (i.Id == _instanceId)
                {
                    return true;
                }
            }

            return false;
        }
        catch (RingUnavailableException)
        {
            return true;
        }
    }
}
