namespace MetricsCluster.Cluster.Ring;

/// <summary>What the ring page shows, computed once per request from the ring client's current snapshot.</summary>
/// <param name="Key">The ring's key.</param>
/// <param name="Now">When the page was built.</param>
/// <param name="StoreReachable">Whether the store answered recently.</param>
/// <param name="LastRefresh">When the store last answered.</param>
/// <param name="Rows">One per instance, by id.</param>
internal sealed record RingPageModel(string Key, DateTimeOffset Now, bool StoreReachable, DateTimeOffset LastRefresh, IReadOnlyList<RingPageRow> Rows)
{
    /// <summary>Reads the ring client once.</summary>
    public static RingPageModel Build(RingClient ring, string key, DateTimeOffset now)
    {
        IReadOnlyDictionary<string, InstanceDesc> instances = ring.Instances;
        IReadOnlyDictionary<string, double> ownership = TokenOwnership.Compute(instances);
        var rows = instances.Values
            .OrderBy(i => i.Id, StringComparer.Ordinal)
            .Select(i => new RingPageRow(
                i.Id,
                i.Zone,
                i.State,
                i.Addr,
                i.HttpAddr,
                ring.Liveness.Describe(i.Id),
                DateTimeOffset.FromUnixTimeMilliseconds(i.RegisteredTimestamp),
                i.Tokens.Count,
                ownership.GetValueOrDefault(i.Id) * 100,
                ring.IsHealthy(i, RingOperation.Reporting)))
            .ToList();
        return new RingPageModel(key, now, ring.StoreReachable, ring.LastRefresh, rows);
    }
}

/// <summary>One instance on the ring page.</summary>
internal sealed record RingPageRow(
    string Id,
    string Zone,
    InstanceState State,
    string Address,
    string HttpAddress,
    string Silo,
    DateTimeOffset Registered,
    int Tokens,
    double OwnershipPercent,
    bool Healthy);
