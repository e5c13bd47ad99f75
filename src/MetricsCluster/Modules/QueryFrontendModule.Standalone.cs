using MetricsCluster.Config;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Http;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier.Api;
using MetricsCluster.QueryFrontend;

namespace MetricsCluster.Modules;

/// <summary>
/// The query-frontend as its own process (<c>--query-frontend.downstream-url</c>, Mimir's flag): no querier runs here;
/// the pipeline's downstream is <see cref="HttpQueryDownstream"/> to the queriers' Prometheus API, the query endpoints
/// are mapped by the frontend itself, and every other read endpoint is proxied there unchanged
/// (<see cref="DownstreamProxy"/>).
/// </summary>
internal sealed partial class QueryFrontendModule
{
    /// <summary>The key of the one <see cref="HttpClient"/> the frontend uses for the downstream (connection reuse).</summary>
    private const string DownstreamClientKey = "query-frontend-downstream";

    /// <summary>Adds the querier to the process when the frontend's downstream is in process (no downstream URL).</summary>
    /// <param name="modules">The resolved modules; changed in place.</param>
    /// <param name="config">The configuration.</param>
    internal static void Expand(HashSet<string> modules, ClusterConfig config)
    {
        if (modules.Contains(ModuleRegistry.QueryFrontend) && config.QueryFrontendDownstreamUrl.Length == 0)
        {
            modules.UnionWith(ModuleRegistry.Resolve(ModuleRegistry.Querier));
        }
    }

    private static void RegisterStandalone(IServiceCollection services, ModuleContext context, Uri downstream)
    {
        var config = context.Config;
        var options = config.QueryFrontendOptions();

        // No automatic decompression: query answers are asked uncompressed, and proxied bodies pass through as encoded.
        services.AddKeyedSingleton(DownstreamClientKey, (_, _) => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = config.QueryFrontendDownstreamTimeout,
        });
        services.AddSingleton(sp =>
        {
            var http = sp.GetRequiredKeyedService<HttpClient>(DownstreamClientKey);
            var frontend = new QueryFrontendRunner(options, new HttpQueryDownstream(http, downstream, config.QueryFrontendDownstreamMaxResponseBytes), cache: null, sp.GetRequiredService<TimeProvider>());
            QueryFrontendMetrics.Register(sp.GetRequiredService<MetricsRegistry>(), frontend);
            return frontend;
        });
        services.AddSingleton<IQueryRunner>(sp => new StandaloneQueryRunner(sp.GetRequiredService<QueryFrontendRunner>()));
    }

    private static void MapStandalone(WebApplication app, ModuleContext context, Uri downstream)
    {
        var http = app.Services.GetRequiredKeyedService<HttpClient>(DownstreamClientKey);
        if (!context.Has(ModuleRegistry.Querier))
        {
            // With a querier in the process (e.g. all), its query endpoints already use the frontend's runner.
            app.MapPrometheusQueryApi(
                "/prometheus",
                app.Services.GetRequiredService<IQueryRunner>(),
                app.Services.GetRequiredService<TenantResolver>().Resolve,
                app.Services.GetRequiredService<TimeProvider>(),
                context.Config.QuerierTimeout);
        }

        app.MapDownstreamProxy("/prometheus", http, downstream, context.Config.QueryFrontendDownstreamMaxResponseBytes);
    }

    /// <summary>
    /// The frontend as the query endpoints' runner when the engine is remote. Not an <see cref="IStatsQueryRunner"/>:
    /// <c>stats=all</c> queries are answered without statistics (the queriers' numbers would describe each split).
    /// </summary>
    private sealed class StandaloneQueryRunner(QueryFrontendRunner frontend) : IQueryRunner
    {
        public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
            frontend.InstantQueryAsync(tenant, query, timeMs, cancellationToken);

        public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
        {
            // The querier words bad_data errors as a bad "query" parameter; Mimir's limit message stands alone.
            if (frontend.CheckLimits(startMs, endMs) is { } error)
            {
                throw new FrontendLimitException(error);
            }

            return frontend.RangeQueryAsync(tenant, query, startMs, endMs, stepMs, cancellationToken);
        }
    }
}
