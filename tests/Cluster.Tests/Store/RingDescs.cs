using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Tests.Store;

/// <summary>Descriptor builders for the store tests.</summary>
internal static class RingDescs
{
    public static RingDesc With(RingDesc? desc, string id, long registered = 1)
    {
        var next = desc ?? new RingDesc();
        next.Instances[id] = new InstanceDesc
        {
            Id = id,
            Addr = "127.0.0.1:9095",
            State = InstanceState.Active,
            Tokens = { 1, 2, 3 },
            RegisteredTimestamp = registered,
        };
        return next;
    }

    /// <summary>Adds one to the counter kept in the "counter" entry's registered timestamp, and adds <paramref name="id"/>.</summary>
    public static RingDesc Increment(RingDesc? desc, string id)
    {
        var next = With(desc, id);
        long count = next.Instances.TryGetValue("counter", out var c) ? c.RegisteredTimestamp : 0;
        next.Instances["counter"] = new InstanceDesc { Id = "counter", RegisteredTimestamp = count + 1 };
        return next;
    }
}
