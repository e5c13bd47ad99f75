using System.Diagnostics;
using MetricsCluster.Config;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Http;
using MetricsCluster.Querier.Api;
using MetricsCluster.WebUi;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster;

/// <summary>
/// Map step of the web UI and of the Prometheus API endpoints Grafana and tools call besides queries (issue 15,
/// items 4 and 5): status config/flags/runtimeinfo/tsdb, Mimir's cardinality API, the ruler's rules and alerts (empty
/// until the ruler exists), targets (empty without the agent) and federation.
/// </summary>
internal static class WebModule
{
    /// <summary>Maps the routes of the resolved modules.</summary>
    internal static void Map(WebApplication app, ClusterConfig config, HashSet<string> modules)
    {
        if (modules.Contains(ModuleRegistry.Querier))
        {
            var tenants = app.Services.GetRequiredService<TenantResolver>();
            var status = new ProcessStatus(
                () => ConfigDump.ToYaml(config),
                () => ConfigOption.All.ToDictionary(o => o.Flag, o => o.Get(config), StringComparer.Ordinal),
                StartTime(),
                PromDuration.Format(config.Limits.CompactorBlocksRetentionPeriod));

            // Mimir serves status/config and status/flags at the root too (stubs kept for Prometheus compatibility).
            app.MapPrometheusStatus("/prometheus", status);
            app.MapPrometheusStatus(string.Empty, status);
            app.MapEmptyRulerApi("/prometheus", tenants.Resolve);
            app.MapCardinality("/prometheus", app.Services.GetRequiredService<IIngesterClient>(), new CardinalityLimits(), tenants.Resolve);
            app.MapFederate("/prometheus", app.Services.GetRequiredService<IQueryable>(), new FederateLimits(), tenants.Resolve, app.Services.GetRequiredService<TimeProvider>());
            if (!modules.Contains(ModuleRegistry.Agent))
            {
                // The agent maps its own targets API when it runs.
                app.MapEmptyTargets("/prometheus");
                app.MapEmptyTargets(string.Empty);
            }
        }

        app.MapWebUi();
    }

    private static DateTimeOffset StartTime()
    {
        using var self = Process.GetCurrentProcess();
        return new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }
}
