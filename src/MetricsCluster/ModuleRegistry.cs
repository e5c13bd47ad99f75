using System.Collections.Frozen;
using MetricsCluster.Modules;

namespace MetricsCluster;

/// <summary>
/// The module graph (G2, Mimir's modules.go): one constants block and one table of modules, each declaring its
/// dependencies and start stage and registering itself (<see cref="IModule"/>). <c>--target</c> names modules; their
/// transitive dependencies run too. The host registers the resolved modules in <see cref="StartOrder"/>, so hosted
/// services start in dependency order and stop in reverse. Internal modules are hidden from help.
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

    /// <summary>
    /// Target: the ruler. Recording and alerting rules per tenant, one evaluation owner per group (a grain in a
    /// cluster, a loop in one process), output through the distributor, alerts to Alertmanager (docs/ruler.md).
    /// </summary>
    public const string Ruler = "ruler";

    /// <summary>
    /// Target: the query-frontend. Splits range queries by day, caches their results and queues every tenant's
    /// queries fairly in front of the querier (docs/query-frontend.md). With <c>--query-frontend.downstream-url</c> it
    /// forwards to remote queriers over HTTP; without, its downstream is a querier in the same process, which the
    /// target then runs too (<c>QueryFrontendModule.Expand</c>).
    /// </summary>
    public const string QueryFrontend = "query-frontend";

    /// <summary>Aggregate target: distributor + ingester.</summary>
    public const string Write = "write";

    /// <summary>Aggregate target: querier.</summary>
    public const string Read = "read";

    /// <summary>Aggregate target: everything (the default).</summary>
    public const string All = "all";

    /// <summary>
    /// The Orleans engine (internal): the silo in cluster mode, the ring store and the liveness every ring reads. The
    /// server needs it, so every process has it and it starts first and stops last.
    /// </summary>
    public const string Engine = "engine";

    /// <summary>The ingester ring's client (internal).</summary>
    public const string IngesterRing = "ingester-ring";

    /// <summary>The store-gateway ring's client (internal).</summary>
    public const string StoreGatewayRing = "store-gateway-ring";

    /// <summary>The compactor ring's client (internal).</summary>
    public const string CompactorRing = "compactor-ring";

    /// <summary>The blocks bucket (internal).</summary>
    public const string BlocksBucket = "blocks-bucket";

    /// <summary>The distributor's and querier's ingester client: in process or replicated over grains (internal).</summary>
    public const string IngesterClient = "ingester-client";

    /// <summary>The querier's view of the ingesters (internal).</summary>
    public const string IngesterQueryable = "ingester-queryable";

    /// <summary>The querier's view of the blocks through the store-gateways (internal).</summary>
    public const string StoreQueryable = "store-queryable";

    /// <summary>The querier's queryable: ingesters merged with blocks (internal).</summary>
    public const string Queryable = "queryable";

    /// <summary>Every module by name: the one graph <c>--target</c> resolution and the wiring both read.</summary>
    internal static readonly FrozenDictionary<string, IModule> Modules = new IModule[]
    {
        new EngineModule(),
        new ServerModule(),
        new OverridesModule(),
        RingModule.Ingester,
        RingModule.StoreGateway,
        RingModule.Compactor,
        new BlocksBucketModule(),
        new IngesterServiceModule(),
        new AggregateModule(Ingester, [IngesterService, Server]),
        new IngesterClientModule(),
        new DistributorServiceModule(),
        new DistributorModule(),
        new StoreGatewayModule(),
        new CompactorModule(),
        new IngesterQueryableModule(),
        new StoreQueryableModule(),
        new QueryableModule(),
        new QuerierModule(),
        new AgentModule(),
        new RulerModule(),
        new QueryFrontendModule(),
        new AggregateModule(Write, [Distributor, Ingester]),
        new AggregateModule(Read, [Querier]),
        new AggregateModule(All, [Distributor, Ingester, Querier, QueryFrontend, StoreGateway, Compactor, Ruler]),
    }.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>What each module needs (read from <see cref="Modules"/>).</summary>
    public static readonly FrozenDictionary<string, string[]> Dependencies =
        Modules.ToFrozenDictionary(m => m.Key, m => m.Value.Dependencies.ToArray(), StringComparer.Ordinal);

    /// <summary>Targets of the architecture that arrive with later issues; named so the error can say so.</summary>
    public static readonly FrozenSet<string> Planned =
        new[] { "backend" }.ToFrozenSet();

    /// <summary>Targets a user may name.</summary>
    public static IEnumerable<string> UserVisible => [All, Write, Read, Distributor, Ingester, Querier, QueryFrontend, StoreGateway, Compactor, Ruler, Agent];

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

    /// <summary>
    /// Adds the modules the configuration implies to a resolved set: the agent in <c>all</c> with an agent config
    /// file, the query-frontend's in-process querier when it has no downstream URL.
    /// </summary>
    /// <exception cref="Config.ConfigException">A module cannot run with this configuration.</exception>
    public static void Expand(HashSet<string> modules, Config.ClusterConfig config)
    {
        AgentModule.Expand(modules, config);
        QueryFrontendModule.Expand(modules, config);
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

    /// <summary>The start stage of a module.</summary>
    /// <param name="module">A module name.</param>
    public static ModuleStage StageOf(string module) => Modules[module].Stage;

    /// <summary>
    /// The start order of <paramref name="modules"/> (a resolved set): every module after its dependencies; among the
    /// modules whose dependencies have all started, the lowest stage first, then by name, so the order is
    /// deterministic. Stop order is the reverse.
    /// </summary>
    /// <param name="modules">A set closed under <see cref="Dependencies"/>.</param>
    /// <exception cref="InvalidOperationException">The set misses a dependency, a module's stage is below a dependency's, or the graph has a cycle.</exception>
    public static IReadOnlyList<string> StartOrder(IReadOnlySet<string> modules)
    {
        var pending = new List<IModule>();
        foreach (string name in modules)
        {
            var module = Modules[name];
            foreach (string dep in module.Dependencies)
            {
                if (!modules.Contains(dep))
                {
                    throw new InvalidOperationException($"module {name} needs {dep}, which is not resolved");
                }

                if (Modules[dep].Stage > module.Stage)
                {
                    throw new InvalidOperationException($"module {name} (stage {module.Stage}) depends on {dep} of the later stage {Modules[dep].Stage}");
                }
            }

            pending.Add(module);
        }

        var started = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>(pending.Count);
        while (pending.Count > 0)
        {
            var next = pending
                .Where(m => m.Dependencies.All(started.Contains))
                .OrderBy(m => m.Stage)
                .ThenBy(m => m.Name, StringComparer.Ordinal)
                .FirstOrDefault()
                ?? throw new InvalidOperationException($"the module graph has a cycle among {string.Join(", ", pending.Select(m => m.Name).Order(StringComparer.Ordinal))}");
            pending.Remove(next);
            started.Add(next.Name);
            order.Add(next.Name);
        }

        return order;
    }

    /// <summary>The modules of <paramref name="modules"/> in start order.</summary>
    internal static IReadOnlyList<IModule> Ordered(IReadOnlySet<string> modules) => [.. StartOrder(modules).Select(n => Modules[n])];
}
