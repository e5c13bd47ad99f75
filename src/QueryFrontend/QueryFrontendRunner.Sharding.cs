using MetricsCluster.PromQL;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.QueryFrontend.Sharding;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// The query sharding stage (Mimir's <c>querySharding</c> middleware), after splitting and inside each split's
/// cache gap: the rewritten query's embedded queries run downstream, at most
/// <see cref="QueryFrontendOptions.MaxQueryParallelism"/> of the query's requests at a time, and the frontend's own
/// engine combines their answers.
/// </summary>
public sealed partial class QueryFrontendRunner
{
    /// <summary>A sharded query in flight: its rewrite, and the bound on its downstream requests shared by all its splits.</summary>
    private sealed record ShardedRun(ShardedQuery Plan, SemaphoreSlim Limiter);

    /// <summary>
    /// The rewrite of <paramref name="expr"/> when sharding is on and something in it shards, with the shard count
    /// lowered so that shards × <paramref name="splits"/> × sharded parts stays within
    /// <see cref="QueryFrontendOptions.QueryShardingMaxShardedQueries"/>; null otherwise.
    /// </summary>
    private ShardedQuery? PlanSharding(Expr? expr, string query, int splits)
    {
        // With delayed name removal a downstream series carries a "drop the name later" flag that the embedded
        // answers cannot pass to the frontend's engine; no host sets it today, but sharding must not change answers.
        if (!_options.ShardingEnabled || expr is null || _engineOptions.DelayedNameRemoval)
        {
            return null;
        }

        Counters.AddShardingAttempt();
        int maxRegexp = _options.QueryShardingMaxRegexpSizeBytes;
        var probe = QueryShardingMapper.Map(expr, query, 2, maxRegexp);
        if (probe is null)
        {
            return null;
        }

        int shards = _options.QueryShardingTotalShards;
        if (_options.QueryShardingMaxShardedQueries > 0)
        {
            shards = Math.Min(shards, _options.QueryShardingMaxShardedQueries / (splits * probe.ShardedLegs));
        }

        if (shards < 2)
        {
            return null;
        }

        Counters.AddShardingSuccess();
        return shards == 2 ? probe : QueryShardingMapper.Map(expr, query, shards, maxRegexp);
    }

    /// <summary>One range request for a split or cache gap: straight downstream, or sharded and combined.</summary>
    private Task<QueryResult> RangeAsync(string tenant, string query, long start, long end, long step, ShardedRun? sharded, CancellationToken cancellationToken) =>
        sharded is null
            ? DownstreamRangeAsync(tenant, query, start, end, step, cancellationToken)
            : ShardedRangeAsync(sharded, tenant, query, start, end, step, cancellationToken);

    private async Task<QueryResult> ShardedRangeAsync(ShardedRun run, string tenant, string query, long start, long end, long step, CancellationToken cancellationToken)
    {
        var (answers, error) = await RunEmbeddedAsync(run, (q, ct) => DownstreamRangeAsync(tenant, q, start, end, step, ct), cancellationToken);
        return error ?? await CombineAsync(
            run.Plan,
            answers,
            new EmbeddedResultsQueryable(answers.ToDictionary(a => a.Key, a => (IReadOnlyList<QueryResult>)a.Value), end, step),
            (engine, storage) => engine.RangeQueryAsync(storage, tenant, run.Plan.Outer, query, start, end, step, cancellationToken));
    }

    /// <summary>
    /// An instant query sharded as Mimir shards them: the embedded queries run downstream as instant queries at
    /// <paramref name="timeMs"/>, and the frontend's engine evaluates the rewrite over their vectors.
    /// </summary>
    private async Task<QueryResult> ShardedInstantAsync(ShardedRun run, string tenant, string query, long timeMs, CancellationToken cancellationToken)
    {
        var (answers, error) = await RunEmbeddedAsync(run, (q, ct) => DownstreamInstantAsync(tenant, q, timeMs, ct), cancellationToken);
        return error ?? await CombineAsync(
            run.Plan,
            answers,
            new EmbeddedResultsQueryable(answers.ToDictionary(a => a.Key, a => (IReadOnlyList<QueryResult>)a.Value), timeMs, 0),
            (engine, storage) => engine.InstantQueryAsync(storage, tenant, run.Plan.Outer, query, timeMs, cancellationToken));
    }

    /// <summary>
    /// Runs every embedded query of <paramref name="run"/> through <paramref name="downstream"/>, at most
    /// <see cref="QueryFrontendOptions.MaxQueryParallelism"/> at a time; the answers by embedded key, or the first
    /// failure (the other shards then stop).
    /// </summary>
    /// <exception cref="TooManyOutstandingRequestsException">The tenant's queue refused a shard.</exception>
    private async Task<(Dictionary<string, QueryResult[]> Answers, QueryResult? Error)> RunEmbeddedAsync(
        ShardedRun run, Func<string, CancellationToken, Task<QueryResult>> downstream, CancellationToken cancellationToken)
    {
        // Identical embedded queries (sum(x) / sum(x)) run once; each keeps its own annotation positions.
        var distinct = run.Plan.Embedded.DistinctBy(e => e.Key).ToList();
        var answers = distinct.ToDictionary(e => e.Key, e => new QueryResult[e.Queries.Count]);
        var jobs = distinct.SelectMany(e => Enumerable.Range(0, e.Queries.Count).Select(i => (Embedded: e, Index: i))).ToList();
        TooManyOutstandingRequestsException? refused = null;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxQueryParallelism };
        await Parallel.ForEachAsync(jobs, parallel, async (job, _) =>
        {
            QueryResult result;
            try
            {
                await run.Limiter.WaitAsync(failed.Token);
                try
                {
                    Counters.AddShardedQuery();
                    result = await downstream(job.Embedded.Queries[job.Index], failed.Token);
                }
                finally
                {
                    run.Limiter.Release();
                }
            }
            catch (TooManyOutstandingRequestsException e)
            {
                Interlocked.CompareExchange(ref refused, e, null);
                await failed.CancelAsync();
                result = Canceled;
            }
            catch (OperationCanceledException)
            {
                result = Canceled;
            }

            answers[job.Embedded.Key][job.Index] = result;
            if (result.Error is not null)
            {
                // As for splits: the first failure is the answer, the other shards stop.
                await failed.CancelAsync();
            }
        });
        if (refused is not null)
        {
            throw refused;
        }

        return (answers, ResultMerger.FirstError([.. answers.Values.SelectMany(a => a)]));
    }

    /// <summary>
    /// Evaluates the rewritten query over the answers (<paramref name="evaluate"/>: as a range or an instant query).
    /// Annotations: the downstream ones first, their positions mapped back to the user's query, then the frontend
    /// engine's own, each once.
    /// </summary>
    private async Task<QueryResult> CombineAsync(ShardedQuery plan, Dictionary<string, QueryResult[]> answers, EmbeddedResultsQueryable storage,
        Func<QueryEngine, EmbeddedResultsQueryable, Task<QueryResult>> evaluate)
    {
        var warnings = new List<string>();
        var infos = new List<string>();
        foreach (var e in plan.Embedded)
        {
            var results = answers[e.Key];
            for (int i = 0; i < results.Length; i++)
            {
                ResultMerger.AddDistinct(warnings, [.. results[i].Warnings.Select(w => AnnotationPositions.Remap(w, e.Positions[i]))]);
                ResultMerger.AddDistinct(infos, [.. results[i].Infos.Select(w => AnnotationPositions.Remap(w, e.Positions[i]))]);
            }
        }

        // An engine per query: it holds nothing between queries, and the runner has no lifetime to dispose one with.
        using var engine = new QueryEngine(_engineOptions);
        var combined = await evaluate(engine, storage);
        if (combined.Error is not null)
        {
            return combined;
        }

        ResultMerger.AddDistinct(warnings, combined.Warnings);
        ResultMerger.AddDistinct(infos, combined.Infos);
        return new QueryResult(combined.Value, null, warnings, infos);
    }
}
