namespace MetricsCluster.Modules;

/// <summary>
/// The start stages of the host's modules, in start order (Orleans' <c>ServiceLifecycleStage</c> idea). The host
/// starts modules in dependency order and, among modules whose dependencies have all started, the lower stage first;
/// it stops them in reverse. A module's stage is never lower than its dependencies' stages (checked by the registry),
/// so the stages only say what the graph alone cannot: e.g. that the agent, which writes through the distributor,
/// starts after and stops before the ingester it writes to.
/// </summary>
public enum ModuleStage
{
    /// <summary>The process's membership: the Orleans silo (cluster mode), the ring store and liveness, the HTTP server, the limits.</summary>
    Runtime = 0,

    /// <summary>Ring clients: they read the ring store, so they start after the silo and stop before it.</summary>
    Rings = 1,

    /// <summary>Shared storage: the blocks bucket.</summary>
    Storage = 2,

    /// <summary>
    /// The ingester's lifecycle: join PENDING, replay the WAL, ship, go ACTIVE; on stop LEAVING, stop writes, flush,
    /// ship, unregister before the shipper and the ingester stop.
    /// </summary>
    Ingester = 3,

    /// <summary>The other components and the clients and queryables of the read and write paths.</summary>
    Services = 4,

    /// <summary>The scraping agent: it writes through this process's distributor, so it stops first.</summary>
    Agent = 5,
}
