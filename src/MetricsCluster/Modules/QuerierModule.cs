using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using MetricsCluster.Config;
using MetricsCluster.Core;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Http;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier;
using MetricsCluster.Querier.Api;
using Microsoft.Extensions.DependencyInjection.Extensions;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Modules;

/// <summary>
/// The querier: the PromQL engine over the queryable, the Prometheus query, metadata and remote-read APIs, and the
/// endpoints Grafana and tools call besides queries (issue 15, items 4 and 5): status config/flags/runtimeinfo/tsdb,
/// Mimir's cardinality API, the ruler's rules and alerts (empty when no ruler runs in the process), targets (empty without the
/// agent) and federation.
/// </summary>
internal sealed class QuerierModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.Querier;

    /// <inheritdoc/>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Server, ModuleRegistry.Overrides, ModuleRegistry.Queryable, ModuleRegistry.IngesterClient];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        var config = context.Config;

        // One engine per process: its max-concurrent gate must be shared by every query endpoint.
        services.AddSingleton(sp =>
        {
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("querier");
            return new QueryEngine(config.EngineOptions() with
            {
                OnInternalError = (query, e) => log.LogError(e, "query failed with an internal error: {Query}", query),
            });
        });
        // Every query runs under its tenant's fetch limits (max_fetched_series_per_query and the chunk limits).
        // TryAdd: a query-frontend in this process binds the query endpoints to its own runner, whichever registers first.
        services.TryAddSingleton<IQueryRunner>(sp => new EngineQueryRunner(sp.GetRequiredService<QueryEngine>(), sp.GetRequiredService<IQueryable>(), sp.GetRequiredService<IOverrides>()));

        // Compiles the query path before /ready (QueryWarmup says why).
        services.AddSingleton<QueryWarmup>();
        services.AddHostedService(sp => sp.GetRequiredService<QueryWarmup>());
    }

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context)
    {
        var tenants = app.Services.GetRequiredService<TenantResolver>();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        app.MapPrometheusMetadataApi(
            "/prometheus",
            app.Services.GetRequiredService<IQueryable>(),
            app.Services.GetRequiredService<IIngesterClient>(),
            tenants.Resolve);
        app.MapRemoteRead("/prometheus", app.Services.GetRequiredService<IQueryable>(), tenants.Resolve);
        app.MapFormatQuery("/prometheus");
        var engine = app.Services.GetRequiredService<QueryEngine>();
        app.MapPrometheusQueryApi(
            "/prometheus",
            app.Services.GetRequiredService<IQueryRunner>(),
            tenants.Resolve,
            app.Services.GetRequiredService<TimeProvider>(),
            engine.Options.Timeout);

        // Kestrel waits up to --server.graceful-shutdown-timeout for in-flight requests; queries are cancelled
        // when stopping begins so they answer at once instead of running (and holding the wait) to the end.
        lifetime.ApplicationStopping.Register(engine.CancelAllQueries);

        // Mimir serves buildinfo under the Prometheus prefix and at the root; Grafana asks the former.
        var buildInfo = HostBuildInfo();
        app.MapBuildInfo("/prometheus", buildInfo);
        app.MapBuildInfo(string.Empty, buildInfo);
        MapStatusApis(app, context.Config, tenants, context.Has(ModuleRegistry.Agent), context.Has(ModuleRegistry.Ruler));
    }

    private static void MapStatusApis(WebApplication app, ClusterConfig config, TenantResolver tenants, bool agent, bool ruler)
    {
        var status = new ProcessStatus(
            () => ConfigDump.ToYaml(config),
            () => ConfigOption.All.ToDictionary(o => o.Flag, o => o.Get(config), StringComparer.Ordinal),
            StartTime(),
            PromDuration.Format(config.Limits.CompactorBlocksRetentionPeriod));

        // Mimir serves status/config and status/flags at the root too (stubs kept for Prometheus compatibility).
        app.MapPrometheusStatus("/prometheus", status);
        app.MapPrometheusStatus(string.Empty, status);
        if (!ruler)
        {
            // The ruler maps the real rules and alerts APIs when it runs in this process.
            app.MapEmptyRulerApi("/prometheus", tenants.Resolve);
        }

        app.MapCardinality("/prometheus", app.Services.GetRequiredService<IIngesterClient>(), new CardinalityLimits(), tenants.Resolve);
        app.MapFederate("/prometheus", app.Services.GetRequiredService<IQueryable>(), new FederateLimits(), tenants.Resolve, app.Services.GetRequiredService<TimeProvider>());
        if (!agent)
        {
            // The agent maps its own targets API when it runs.
            app.MapEmptyTargets("/prometheus");
            app.MapEmptyTargets(string.Empty);
        }
    }

    private static DateTimeOffset StartTime()
    {
        using var self = Process.GetCurrentProcess();
        return new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }

    /// <summary>
    /// Build facts of this binary. The version is the Mimir release whose API we follow, because Grafana compares
    /// it as semver against Mimir versions (docs/query-api.md); the revision is the commit the SDK stamps into the
    /// informational version.
    /// </summary>
    private static BuildInfo HostBuildInfo()
    {
        var assembly = typeof(QuerierModule).Assembly;
        string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? string.Empty;
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        string revision = plus >= 0 ? informational[(plus + 1)..] : "unknown";
        string date = File.Exists(assembly.Location)
            ? File.GetLastWriteTimeUtc(assembly.Location).ToString("yyyyMMdd-HH:mm:ss", CultureInfo.InvariantCulture)
            : "unknown";
        return new BuildInfo(BuildInfoEndpoint.MimirCompatibleVersion, revision, "unknown", Environment.UserName, date, RuntimeInformation.FrameworkDescription);
    }
}
