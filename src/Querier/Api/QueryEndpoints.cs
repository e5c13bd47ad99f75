using MetricsCluster.PromQL;
using MetricsCluster.PromQL.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// <c>query</c>, <c>query_range</c> and <c>query_exemplars</c> under a prefix (Mimir's <c>/prometheus</c>), with
/// Prometheus' parameter checks, messages, status codes and JSON (<c>web/api/v1/api.go</c>).
/// </summary>
public static class QueryEndpoints
{
    /// <summary>Prometheus' cap on the points per series of a range query ("sufficient for 60s resolution for a week").</summary>
    internal const long MaxPointsPerSeries = 11_000;

    /// <summary>
    /// Maps the endpoints. <paramref name="resolveTenant"/> returns the tenant or an error result, as for the other
    /// endpoints; <paramref name="time"/> supplies "now" for <c>query</c> without <c>time</c>;
    /// <paramref name="engineTimeout"/> is the engine's own limit, which a longer <c>timeout</c> parameter cannot extend.
    /// </summary>
    public static IEndpointRouteBuilder MapPrometheusQueryApi(
        this IEndpointRouteBuilder app,
        string prefix,
        IQueryRunner runner,
        Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant,
        TimeProvider time,
        TimeSpan engineTimeout)
    {
        string[] getPost = ["GET", "POST"];
        var h = new Handlers(runner, time, engineTimeout);
        app.MapMethods(prefix + "/api/v1/query", getPost, ctx => Respond(ctx, resolveTenant, h.InstantAsync));
        app.MapMethods(prefix + "/api/v1/query_range", getPost, ctx => Respond(ctx, resolveTenant, h.RangeAsync));
        app.MapMethods(prefix + "/api/v1/query_exemplars", getPost, ctx => Respond(ctx, resolveTenant, Handlers.ExemplarsAsync));
        return app;
    }

    private static async Task Respond(HttpContext ctx, Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant,
        Func<HttpContext, string, ApiParams, Task<(int Status, ReadOnlyMemory<byte>? Body)>> handler)
    {
        var (tenant, error) = resolveTenant(ctx);
        if (error is not null)
        {
            await error.ExecuteAsync(ctx);
            return;
        }

        (int status, ReadOnlyMemory<byte>? body) reply;
        try
        {
            reply = await handler(ctx, tenant!, await ApiParams.ReadAsync(ctx.Request));
        }
        catch (ApiException e)
        {
            reply = (400, QueryResponse.Error("bad_data", e.Message));
        }

        if (ctx.RequestAborted.IsCancellationRequested)
        {
            // Nobody is listening; Prometheus would answer 499 into the void.
            return;
        }

        ctx.Response.StatusCode = reply.status;
        if (reply.body is { } bytes)
        {
            ctx.Response.ContentType = "application/json";

            // The whole body is known: with its length, Kestrel sends it as is rather than in chunked framing.
            ctx.Response.ContentLength = bytes.Length;
            await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
        }
    }

    /// <summary>The per-endpoint logic, holding what the mapping captured.</summary>
    private sealed class Handlers(IQueryRunner runner, TimeProvider time, TimeSpan engineTimeout)
    {
        internal async Task<(int, ReadOnlyMemory<byte>?)> InstantAsync(HttpContext ctx, string tenant, ApiParams p)
        {
            long ts = p.OptionalTime("time", time.GetUtcNow().ToUnixTimeMilliseconds());
            var aborted = ctx.RequestAborted;
            using var timeout = RequestTimeout(p, time, engineTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout?.Token ?? CancellationToken.None);
            string query = p.One("query") ?? string.Empty;
            long? maxResolution = SourceResolution.Parse(p);
            var stats = StatsReport.Requested(p, runner, query);
            var result = maxResolution is { } limit
                ? await ResolutionRunner().InstantQueryAsync(tenant, query, ts, limit, stats?.Stats, linked.Token)
                : stats is null
                ? await runner.InstantQueryAsync(tenant, query, ts, linked.Token)
                : await stats.Runner.InstantQueryAsync(tenant, query, ts, stats.Stats, linked.Token);
            return Render(result, timeout, aborted, stats?.Stop());
        }

        internal async Task<(int, ReadOnlyMemory<byte>?)> RangeAsync(HttpContext ctx, string tenant, ApiParams p)
        {
            long start = p.RequiredTime("start");
            long end = p.RequiredTime("end");
            if (end < start)
            {
                throw new ApiException("invalid parameter \"end\": end timestamp must not be before start time");
            }

            long stepNs = p.DurationNs("step");
            if (stepNs <= 0)
            {
                throw new ApiException("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
            }

            // Go divides time.Durations: nanoseconds, with end.Sub(start) saturating at MaxInt64 (about 292 years).
            long spanNs = (long)Int128.Min((Int128)(end - start) * 1_000_000, long.MaxValue);
            if (spanNs / stepNs > MaxPointsPerSeries)
            {
                throw new ApiException("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
            }

            var aborted = ctx.RequestAborted;
            using var timeout = RequestTimeout(p, time, engineTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout?.Token ?? CancellationToken.None);

            // The engine works in whole milliseconds; a sub-millisecond step (accepted above, as by Prometheus) becomes 1 ms.
            long stepMs = Math.Max(1, stepNs / 1_000_000);
            string query = p.One("query") ?? string.Empty;
            long? maxResolution = SourceResolution.Parse(p);
            var stats = StatsReport.Requested(p, runner, query);
            var result = maxResolution is { } limit
                ? await ResolutionRunner().RangeQueryAsync(tenant, query, start, end, stepMs, limit, stats?.Stats, linked.Token)
                : stats is null
                ? await runner.RangeQueryAsync(tenant, query, start, end, stepMs, linked.Token)
                : await stats.Runner.RangeQueryAsync(tenant, query, start, end, stepMs, stats.Stats, linked.Token);
            return Render(result, timeout, aborted, stats?.Stop());
        }

        // An explicit max_source_resolution needs a runner that passes it to the engine; 'auto' (the default) needs none.
        private IResolutionQueryRunner ResolutionRunner() => runner as IResolutionQueryRunner
            ?? throw new ApiException($"invalid parameter \"{SourceResolution.Parameter}\": not supported by this querier");

        /// <summary>Exemplars are not stored yet: the parameters are checked as Prometheus checks them and the answer is empty.</summary>
        internal static Task<(int, ReadOnlyMemory<byte>?)> ExemplarsAsync(HttpContext ctx, string tenant, ApiParams p) => Task.FromResult(Exemplars(p));

        private static (int, ReadOnlyMemory<byte>?) Exemplars(ApiParams p)
        {
            long start = p.OptionalTime("start", ApiParams.MinTime);
            long end = p.OptionalTime("end", ApiParams.MaxTime);
            if (end < start)
            {
                // Prometheus words this one differently from query_range and does not wrap it.
                throw new ApiException("end timestamp must not be before start timestamp");
            }

            Expr expr;
            try
            {
                expr = Parser.ParseExpr(p.One("query") ?? string.Empty);
            }
            catch (PromQLParseException e)
            {
                throw new ApiException(e.Message);
            }

            // Without a selector Prometheus returns no data at all, which its API turns into 204 No Content.
            return HasSelector(expr) ? (200, QueryResponse.Success(w => w.Raw("[]"u8), [], [])) : (204, null);
        }
    }

    private static bool HasSelector(Expr e) => e is VectorSelector || Ast.Children(e).Any(HasSelector);

    /// <summary>
    /// The <c>timeout</c> parameter as a token source, or null when absent or not shorter than the engine's own
    /// limit (the effective timeout is the smaller of the two). Zero or negative times out at once, as a past
    /// deadline does in Go.
    /// </summary>
    private static CancellationTokenSource? RequestTimeout(ApiParams p, TimeProvider time, TimeSpan engineTimeout)
    {
        if (string.IsNullOrEmpty(p.One("timeout")))
        {
            return null;
        }

        var timeout = TimeSpan.FromTicks(p.DurationNs("timeout") / 100);
        if (timeout >= engineTimeout)
        {
            return null;
        }

        if (timeout <= TimeSpan.Zero)
        {
            var expired = new CancellationTokenSource();
            expired.Cancel();
            return expired;
        }

        return new CancellationTokenSource(timeout, time);
    }

    private static (int, ReadOnlyMemory<byte>?) Render(QueryResult result, CancellationTokenSource? timeout, CancellationToken aborted, StatsReport? stats = null)
    {
        if (result.Error is { } error)
        {
            if (error.Type == QueryErrorType.Canceled && timeout is { IsCancellationRequested: true } && !aborted.IsCancellationRequested)
            {
                // The engine sees a cancelled token; it was our deadline, so it is a timeout as in Prometheus.
                error = new QueryError(QueryErrorType.Timeout, error.Message.Replace("query was canceled in", "query timed out in", StringComparison.Ordinal));
            }
            else if (error.Type == QueryErrorType.BadData)
            {
                // Prometheus fails these in NewInstantQuery/NewRangeQuery and wraps them as a bad "query" parameter.
                error = error with { Message = "invalid parameter \"query\": " + error.Message };
            }

            return (QueryResponse.StatusCode(error.Type), QueryResponse.Error(error.TypeName, error.Message));
        }

        if (result.Value is not { } value)
        {
            return (500, QueryResponse.Error("internal", "query returned neither a value nor an error"));
        }

        return (200, QueryResponse.Success(w => QueryResponse.WriteQueryData(w, value, stats is null ? null : stats.Write), result.Warnings, result.Infos, QueryResponse.SizeHint(value)));
    }
}
