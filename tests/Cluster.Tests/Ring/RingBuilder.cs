using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Tests.Ring;

/// <summary>Builds ring descriptors by hand for replication-set tests.</summary>
internal static class RingBuilder
{
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static InstanceDesc Instance(string id, uint[] tokens, InstanceState state = InstanceState.Active, string zone = "")
    {
        var d = new InstanceDesc
        {
            Id = id,
            Addr = id + ":9095",
            HttpAddr = id + ":8080",
            Zone = zone,
            State = state,
            RegisteredTimestamp = (Now - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds(),
        };
        d.Tokens.AddRange(tokens);
        return d;
    }

    public static RingDesc Desc(params InstanceDesc[] instances)
    {
        var desc = new RingDesc();
        foreach (var i in instances)
        {
            desc.Instances[i.Id] = i;
        }

        return desc;
    }

    /// <summary>A snapshot in which the instances named in <paramref name="dead"/> have no live process.</summary>
    public static RingSnapshot Snapshot(RingDesc desc, int rf = 3, bool zoneAware = false, params string[] dead) =>
        new(desc, new RingOptions { ReplicationFactor = rf, ZoneAwarenessEnabled = zoneAware }, new FakeLiveness(dead));

    public static string[] Ids(ReplicationSet set) => [.. set.Instances.Select(i => i.Id)];
}
