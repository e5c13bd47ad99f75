using MetricsCluster.Core.Storage;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// Runs PromQL queries against an <see cref="IQueryable"/>: parse, admission (max concurrent), fetch the selected
/// series, evaluate, and turn every failure into a <see cref="QueryError"/> at this one boundary (G15).
/// </summary>
public sealed class QueryEngine : IDisposable
{
    private readonly SemaphoreSlim _gate;

    // Cancelled once at shutdown: running queries stop at their next check instead of holding the host's
    // graceful-shutdown wait (30 s) for a result nobody will read.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates an engine.</summary>
    public QueryEngine(EngineOptions options)
    {
        Options = options;
        _gate = new SemaphoreSlim(Math.Max(1, options.MaxConcurrent));
    }

    /// <summary>The settings.</summary>
    public EngineOptions Options { get; }

    /// <summary>Queries waiting for or holding an evaluation slot.</summary>
    public int QueriesInFlight => Options.MaxConcurrent - _gate.CurrentCount;

    /// <summary>Evaluates <paramref name="query"/> at one instant.</summary>
    public Task<QueryResult> InstantQueryAsync(IQueryable storage, string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
        ExecAsync(storage, tenant, query, timeMs, timeMs, 0, null, cancellationToken);

    /// <summary>
    /// As <see cref="InstantQueryAsync(IQueryable, string, string, long, CancellationToken)"/>, reading downsampled
    /// data of at most <paramref name="maxSourceResolutionMs"/> (0 = raw only; null = automatic, step / 5).
    /// </summary>
    public Task<QueryResult> InstantQueryAsync(IQueryable storage, string tenant, string query, long timeMs, long? maxSourceResolutionMs, CancellationToken cancellationToken) =>
        ExecAsync(storage, tenant, query, timeMs, timeMs, 0, maxSourceResolutionMs, cancellationToken);

    /// <summary>
    /// As <see cref="RangeQueryAsync(IQueryable, string, string, long, long, long, CancellationToken)"/>, reading
    /// downsampled data of at most <paramref name="maxSourceResolutionMs"/> (0 = raw only; null = automatic, step / 5).
    /// </summary>
    public Task<QueryResult> RangeQueryAsync(IQueryable storage, string tenant, string query, long startMs, long endMs, long stepMs,
        long? maxSourceResolutionMs, CancellationToken cancellationToken) =>
        ExecAsync(storage, tenant, query, startMs, endMs, stepMs, maxSourceResolutionMs, cancellationToken);

    /// <summary>Evaluates <paramref name="query"/> at every step from <paramref name="startMs"/> to <paramref name="endMs"/>.</summary>
    public Task<QueryResult> RangeQueryAsync(IQueryable storage, string tenant, string query, long startMs, long endMs, long stepMs,
        CancellationToken cancellationToken) =>
        ExecAsync(storage, tenant, query, startMs, endMs, stepMs, null, cancellationToken);

    /// <summary>
    /// Evaluates an already-parsed <paramref name="expr"/> at one instant (the query-frontend's rewritten query);
    /// annotations are positioned in <paramref name="text"/>, the query the user sent.
    /// </summary>
    public Task<QueryResult> InstantQueryAsync(IQueryable storage, string tenant, Expr expr, string text, long timeMs, CancellationToken cancellationToken) =>
        ExecAsync(storage, tenant, expr, text, timeMs, timeMs, 0, null, cancellationToken);

    /// <summary>
    /// Evaluates an already-parsed <paramref name="expr"/> at every step (the query-frontend's rewritten query,
    /// which has no text of its own); annotations are positioned in <paramref name="text"/>, the query the user sent,
    /// whose positions the rewritten nodes keep.
    /// </summary>
    public Task<QueryResult> RangeQueryAsync(IQueryable storage, string tenant, Expr expr, string text, long startMs, long endMs, long stepMs,
        CancellationToken cancellationToken) =>
        ExecAsync(storage, tenant, expr, text, startMs, endMs, stepMs, null, cancellationToken);

    /// <summary>
    /// Cancels every running and waiting query, and every query started later (the process is stopping). They
    /// end with <see cref="QueryErrorType.Canceled"/>. Idempotent.
    /// </summary>
    public void CancelAllQueries()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing runs any more.
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stopping.Dispose();
        _gate.Dispose();
    }

    private Task<QueryResult> ExecAsync(IQueryable storage, string tenant, string query, long start, long end, long step,
        long? maxSourceResolution, CancellationToken cancellationToken)
    {
        Expr expr;
        try
        {
            expr = Parser.ParseExpr(query);
        }
        catch (PromQLParseException e)
        {
            return Task.FromResult(Failed(QueryErrorType.BadData, e.Message));
        }

        return ExecAsync(storage, tenant, expr, query, start, end, step, maxSourceResolution, cancellationToken);
    }

    private async Task<QueryResult> ExecAsync(IQueryable storage, string tenant, Expr expr, string query, long start, long end, long step,
        long? maxSourceResolution, CancellationToken cancellationToken)
    {
        bool isRange = step > 0;
        if (isRange && expr.Type is not (ValueType.Scalar or ValueType.InstantVector))
        {
            return Failed(QueryErrorType.BadData,
                $"invalid expression type \"{TypeName(expr.Type)}\" for range query, must be Scalar or instant Vector");
        }

        using var timeout = new CancellationTokenSource(Options.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _stopping.Token);
        var ct = linked.Token;
        bool entered = false;
        try
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            entered = true;
            var plan = QueryPlan.Create(expr, start, end, isRange ? step : 1, Options, maxSourceResolution);
            await using (var querier = storage.Querier(tenant, plan.MinTime, plan.MaxTime))
            {
                await plan.FetchAsync(querier, Options.MaxSamples, ct).ConfigureAwait(false);
            }

            var evaluator = new Evaluator(plan, Options, ct);
            var value = evaluator.Run(expr, isRange);
            return new QueryResult(value, null, evaluator.Annotations.Warnings(query), evaluator.Annotations.Infos(query));
        }
        catch (PromQLException e)
        {
            return Failed(e.Type, e.Message);
        }
        catch (QueryLimitExceededException e)
        {
            // A per-query fetch limit: Mimir answers it as an execution error (422) with the limit's text.
            return Failed(QueryErrorType.Execution, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
            return Failed(QueryErrorType.Canceled, "query was canceled in " + Stage(entered));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Failed(QueryErrorType.Timeout, "query timed out in " + Stage(entered));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A storage failure or a bug: reported as internal with its message; the host logs it with the stack.
            Options.OnInternalError?.Invoke(query, e);
            return Failed(QueryErrorType.Internal, e.Message);
        }
        finally
        {
            if (entered)
            {
                _gate.Release();
            }
        }
    }

    private static string Stage(bool entered) => entered ? "expression evaluation" : "queue";

    private static QueryResult Failed(QueryErrorType type, string message) => new(null, new QueryError(type, message), [], []);

    /// <summary>Prometheus' spelling of a value type in messages.</summary>
    internal static string TypeName(ValueType t) => t switch
    {
        ValueType.Scalar => "scalar",
        ValueType.String => "string",
        ValueType.InstantVector => "instant vector",
        ValueType.RangeVector => "range vector",
        _ => t.ToString(),
    };
}
