using MetricsCluster.Cluster.Engine;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Http;
using MetricsCluster.ObjectStore;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Ruler;
using MetricsCluster.Ruler.Alerting;
using MetricsCluster.Ruler.Api;
using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.Notifier;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Scheduling;
using MetricsCluster.Ruler.Storage;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Modules;

/// <summary>
/// The ruler (issue 17): rule storage and Mimir's config API, the evaluation of every group (one grain per group in a
/// cluster, one loop per group in a single process; the evaluation code is the same), queries through this process's
/// queryable (ingesters and store-gateways), output through its distributor, alerts to <c>--ruler.alertmanager-url</c>,
/// and Prometheus' rules and alerts APIs.
/// </summary>
internal sealed class RulerModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Ruler;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Overrides, ModuleRegistry.Server, ModuleRegistry.Queryable, ModuleRegistry.DistributorService];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        var config = context.Config;
        services.AddSingleton(config.RulerOptions());
        services.AddSingleton<RulerMetrics>();
        services.AddSingleton<IRuleStore>(sp => config.RulerStorageLocalDirectory.Length > 0
            ? new LocalRuleStore(config.RulerStorageLocalDirectory, sp.GetRequiredService<ILogger<LocalRuleStore>>())
            : new BucketRuleStore(
                BucketFactory.Create(config.RulerBucketConfig(), sp.GetRequiredService<MetricsRegistry>(), timeProvider: sp.GetRequiredService<TimeProvider>()),
                sp.GetRequiredService<ILogger<BucketRuleStore>>()));
        services.AddSingleton<IRuleSampleWriter>(sp => new DistributorRuleWriter(sp.GetRequiredService<Distributor.Distributor>()));
        services.AddSingleton(sp => new AlertNotifier(
            sp.GetRequiredService<RulerOptions>(), sp.GetRequiredService<RulerMetrics>(), new HttpClient(), sp.GetRequiredService<ILogger<AlertNotifier>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AlertNotifier>());
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IQueryable>();

            // The ruler's own engine: its concurrency gate is not shared with the query API's.
            var query = new RuleQuery(new QueryEngine(config.EngineOptions()), storage);
            var options = sp.GetRequiredService<RulerOptions>();
            return new RuleGroupServices(
                query,
                storage,
                sp.GetRequiredService<IRuleSampleWriter>(),
                sp.GetRequiredService<AlertNotifier>(),
                tenant => TemplateExpansion.For(tenant, query, options),
                options,
                sp.GetRequiredService<RulerMetrics>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("ruler"));
        });
        services.AddSingleton(sp => new RuleDefinitions(LoadTenant(sp.GetRequiredService<IRuleStore>())));
        services.AddSingleton<RuleGroupRuntimes>();
        if (context.IsCluster)
        {
            // The group grains evaluate through this process's runtimes when the group is placed here.
            services.AddSingleton(sp =>
            {
                var runtimes = sp.GetRequiredService<RuleGroupRuntimes>();
                return new LocalRuler(runtimes.EvaluateAsync, runtimes.StatusJson, runtimes.Release);
            });
            services.AddSingleton<IRuleGroupScheduler, GrainRuleScheduler>();
        }
        else
        {
            services.AddSingleton<IRuleGroupScheduler, LocalRuleScheduler>();
        }

        services.AddSingleton(sp => new RuleSyncService(
            RuleStoreReads.AllGroups(sp.GetRequiredService<IRuleStore>()),
            sp.GetRequiredService<RuleDefinitions>(),
            sp.GetRequiredService<IRuleGroupScheduler>(),
            sp.GetRequiredService<RulerOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RuleSyncService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RuleSyncService>());
    }

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context)
    {
        var tenants = app.Services.GetRequiredService<TenantResolver>();
        var store = app.Services.GetRequiredService<IRuleStore>();
        var sync = app.Services.GetRequiredService<RuleSyncService>();
        app.MapRulesApi(
            "/prometheus",
            LoadTenant(store),
            app.Services.GetRequiredService<IRuleGroupScheduler>(),
            app.Services.GetRequiredService<RulerOptions>(),
            tenants.Resolve);
        app.MapRulerConfigApi("/prometheus", store, app.Services.GetRequiredService<Core.Limits.IOverrides>(), tenants.Resolve, _ => sync.Trigger());
    }

    private static Func<string, CancellationToken, Task<IReadOnlyList<TenantRuleGroup>>> LoadTenant(IRuleStore store) =>
        (tenant, ct) => store.ListGroupsAsync(tenant, null, ct);
}
