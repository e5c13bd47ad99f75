using System.Collections.Frozen;

namespace MetricsCluster;

/// <summary>
/// The module graph (G2, Mimir's modules.go): one constants block, one dependency map. <c>--target</c>
/// names modules; their transitive dependencies are started too. Internal modules are hidden from help.
/// </summary>
public static class ModuleRegistry
{
    /// <summary>HTTP server, /ready, /metrics, /config.</summary>
    public const string Server = "server";

    /// <summary>Per-tenant limits.</summary>
    public const string Overrides = "overrides";

    /// <summary>The ingester (internal service).</summary>
    public const string IngesterService = "ingester-service";

    /// <summary>The distributor (internal service).</summary>
    public const string DistributorService = "distributor-service";

    /// <summary>Target: distributor.</summary>
    public const string Distributor = "distributor";

    /// <summary>Target: ingester.</summary>
    public const string Ingester = "ingester";

    /// <summary>Target: querier.</summary>
    public const string Querier = "querier";

    /// <summary>
    /// Target: store-gateway. An in-process querier (<c>all</c>) reads it directly; in cluster mode it joins the
    /// store-gateway ring and serves its blocks over RPC.
    /// </summary>
    public const string StoreGateway = "store-gateway";

    /// <summary>
    /// Target: compactor. For now its blocks cleaner only: retention, deletion of marked and partial blocks, and the
    /// bucket index (docs/compactor.md); merging blocks arrives later.
    /// </summary>
    public const string Compactor = "compactor";

    /// <summary>
    /// Target: the embedded scraping agent. Alone it is Prometheus Agent mode (remote_write required); in <c>all</c> it
    /// runs when <c>--agent.config.file</c> is set (see <c>AgentModule.Expand</c>).
    /// </summary>
    public const string Agent = "agent";

    /// <summary>Aggregate target: distributor + ingester.</summary>
    public const string Write = "write";

    /// <summary>Aggregate target: querier.</summary>
    public const string Read = "read";

    /// <summary>Aggregate target: everything (the default).</summary>
    public const string All = "all";

    /// <summary>What each module needs.</summary>
    public static readonly FrozenDictionary<string, string[]> Dependencies = new Dictionary<string, string[]>
    {
        [Server] = [],
        [Overrides] = [],
        [IngesterService] = [Overrides],
        [DistributorService] = [Overrides],
        [Distributor] = [DistributorService, Server],
        [Ingester] = [IngesterService, Server],
        [Querier] = [Server],
        [StoreGateway] = [Server],
        [Compactor] = [Overrides, Server],
        [Agent] = [Server],
        [Write] = [Distributor, Ingester],
        [Read] = [Querier],
        [All] = [Distributor, Ingester, Querier, StoreGateway, Compactor],
    }.ToFrozenDictionary();

    /// <summary>Targets of the architecture that arrive with later issues; named so the error can say so.</summary>
    public static readonly FrozenSet<string> Planned =
        new[] { "query-frontend", "ruler", "backend" }.ToFrozenSet();

    /// <summary>Targets a user may name.</summary>
    public static IEnumerable<string> UserVisible => [All, Write, Read, Distributor, Ingester, Querier, StoreGateway, Compactor, Agent];

    /// <summary>Expands a comma-separated target list to the set of modules to run.</summary>
    public static HashSet<string> Resolve(string targets)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Planned.Contains(raw))
            {
                throw new Config.ConfigException($"target \"{raw}\" is not available in this version; available: {string.Join(", ", UserVisible)}");
            }

            if (!UserVisible.Contains(raw))
            {
                throw new Config.ConfigException($"unknown target \"{raw}\"; available: {string.Join(", ", UserVisible)}");
            }

            Add(raw, result);
        }

        if (result.Count == 0)
        {
            throw new Config.ConfigException("target must name at least one module");
        }

        return result;
    }

    private static void Add(string module, HashSet<string> into)
    {
        if (!into.Add(module))
        {
            return;
        }

        foreach (string dep in Dependencies[module])
        {
            Add(dep, into);
        }
    }
}
