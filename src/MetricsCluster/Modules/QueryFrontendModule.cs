using System.Text.Json;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier.Api;
using MetricsCluster.QueryFrontend;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Modules;

/// <summary>
/// The query-frontend (issue 18, item 2; docs/query-frontend.md) in front of this process's querier: the querier's
/// query endpoints keep parsing, checking and rendering, and their runner becomes the frontend's pipeline (limits,
/// split by interval, results cache, per-tenant fair queue) over the querier's engine. The frontend reaches the
/// engine through its own <see cref="IQueryDownstream"/> (G3), bound here to the querier's runner.
/// </summary>
internal sealed partial class QueryFrontendModule : IModule
{
    /// <inheritdoc/>
    public string Name => ModuleRegistry.QueryFrontend;

    /// <inheritdoc/>
    /// <remarks>The querier joins through <see cref="Expand"/> unless the frontend forwards to a downstream URL.</remarks>
    public IReadOnlyList<string> Dependencies => [ModuleRegistry.Server];

    /// <inheritdoc/>
    public ModuleStage Stage => ModuleStage.Services;

    /// <inheritdoc/>
    public void Register(IServiceCollection services, ModuleContext context)
    {
        if (context.Config.QueryFrontendDownstream() is { } downstream)
        {
            RegisterStandalone(services, context, downstream);
            return;
        }

        var options = context.Config.QueryFrontendOptions();
        services.AddSingleton(sp =>
        {
            var queryEngine = sp.GetRequiredService<QueryEngine>();
            var engine = new EngineQueryRunner(queryEngine, sp.GetRequiredService<IQueryable>(), sp.GetRequiredService<IOverrides>());
            var frontend = new QueryFrontendRunner(options, new QuerierDownstream(engine), cache: null, sp.GetRequiredService<TimeProvider>(), queryEngine.Options);
            QueryFrontendMetrics.Register(sp.GetRequiredService<MetricsRegistry>(), frontend);
            return frontend;
        });

        // Registered after the querier's (the graph orders it so): the query endpoints resolve this runner.
        services.AddSingleton<IQueryRunner>(sp => new FrontendQueryRunner(
            sp.GetRequiredService<QueryFrontendRunner>(),
            new EngineQueryRunner(sp.GetRequiredService<QueryEngine>(), sp.GetRequiredService<IQueryable>(), sp.GetRequiredService<IOverrides>())));
    }

    /// <inheritdoc/>
    public void Map(WebApplication app, ModuleContext context)
    {
        // The frontend's refusals pass through the querier's endpoints as exceptions and are answered here as Mimir
        // answers them: 429 with its plain-text message, and bad_data (400) for a query-length limit.
        app.Use(async (ctx, next) =>
        {
            try
            {
                await next(ctx);
            }
            catch (TooManyOutstandingRequestsException e) when (!ctx.Response.HasStarted)
            {
                ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync(e.Message, ctx.RequestAborted);
            }
            catch (FrontendLimitException e) when (!ctx.Response.HasStarted)
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                ctx.Response.ContentType = "application/json";
                await using var json = new Utf8JsonWriter(ctx.Response.Body);
                json.WriteStartObject();
                json.WriteString("status", "error");
                json.WriteString("errorType", e.Error.TypeName);
                json.WriteString("error", e.Error.Message);
                json.WriteEndObject();
            }
        });
        if (context.Config.QueryFrontendDownstream() is { } downstream)
        {
            MapStandalone(app, context, downstream);
        }
    }

    /// <summary>The querier's runner as the frontend's downstream.</summary>
    private sealed class QuerierDownstream(IQueryRunner querier) : IQueryDownstream
    {
        public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
            querier.InstantQueryAsync(tenant, query, timeMs, cancellationToken);

        public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken) =>
            querier.RangeQueryAsync(tenant, query, startMs, endMs, stepMs, cancellationToken);
    }

    /// <summary>
    /// The frontend as the query endpoints' runner. Queries asking for <c>stats</c> are checked against the limits
    /// and then run unsplit on the engine, whose counters describe one evaluation (splitting stats is not done yet).
    /// </summary>
    private sealed class FrontendQueryRunner(QueryFrontendRunner frontend, EngineQueryRunner engine) : IStatsQueryRunner, IResolutionQueryRunner
    {
        // An explicit max_source_resolution runs unsplit on the engine, like stats: the frontend's results cache and
        // split queries do not carry it, and a cached raw answer must never stand in for a downsampled one or back.
        public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, long maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken) =>
            engine.InstantQueryAsync(tenant, query, timeMs, maxSourceResolutionMs, stats, cancellationToken);

        public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, long maxSourceResolutionMs, QueryStats? stats, CancellationToken cancellationToken)
        {
            CheckLimits(startMs, endMs);
            return engine.RangeQueryAsync(tenant, query, startMs, endMs, stepMs, maxSourceResolutionMs, stats, cancellationToken);
        }

        public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
            frontend.InstantQueryAsync(tenant, query, timeMs, cancellationToken);

        public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
        {
            CheckLimits(startMs, endMs);
            return frontend.RangeQueryAsync(tenant, query, startMs, endMs, stepMs, cancellationToken);
        }

        public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, QueryStats stats, CancellationToken cancellationToken) =>
            engine.InstantQueryAsync(tenant, query, timeMs, stats, cancellationToken);

        public Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, QueryStats stats, CancellationToken cancellationToken)
        {
            CheckLimits(startMs, endMs);
            return engine.RangeQueryAsync(tenant, query, startMs, endMs, stepMs, stats, cancellationToken);
        }

        // The querier words bad_data errors as a bad "query" parameter; Mimir's limit message stands alone.
        private void CheckLimits(long startMs, long endMs)
        {
            if (frontend.CheckLimits(startMs, endMs) is { } error)
            {
                throw new FrontendLimitException(error);
            }
        }
    }

    /// <summary>A frontend limit refused the query; answered by the middleware above.</summary>
    private sealed class FrontendLimitException(QueryError error) : Exception(error.Message)
    {
        public QueryError Error { get; } = error;
    }
}
