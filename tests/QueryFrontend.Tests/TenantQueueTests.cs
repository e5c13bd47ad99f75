using MetricsCluster.PromQL.Engine;
using Xunit;

namespace MetricsCluster.QueryFrontend.Tests;

/// <summary>The per-tenant fair queue and the frontend's limits.</summary>
public sealed class TenantQueueTests
{
    [Fact]
    public async Task A_saturated_downstream_serves_tenants_in_turn()
    {
        var queue = new TenantQueue(maxOutstandingPerTenant: 100, concurrency: 1);
        var order = new List<string>();
        var blocker = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = queue.RunAsync("a", _ => blocker.Task, CancellationToken.None);
        Assert.Equal(1, queue.Running);

        // While the single slot is busy, tenant a queues four requests, then b two.
        var waiting = new List<Task<int>>();
        foreach (string name in new[] { "a2", "a3", "a4", "a5", "b1", "b2" })
        {
            waiting.Add(queue.RunAsync(name[..1], _ =>
            {
                lock (order)
                {
                    order.Add(name);
                }

                return Task.FromResult(0);
            }, CancellationToken.None));
        }

        Assert.Equal(4, queue.Waiting("a"));
        Assert.Equal(2, queue.Waiting("b"));
        blocker.SetResult(0);
        await first;
        await Task.WhenAll(waiting);
        Assert.Equal(["a2", "b1", "a3", "b2", "a4", "a5"], order);
        Assert.Equal(0, queue.Running);
    }

    [Fact]
    public async Task Past_max_outstanding_a_tenant_gets_Mimirs_429_and_others_do_not()
    {
        var queue = new TenantQueue(maxOutstandingPerTenant: 2, concurrency: 1);
        var blocker = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = queue.RunAsync("a", _ => blocker.Task, CancellationToken.None);
        var a2 = queue.RunAsync("a", _ => Task.FromResult(2), CancellationToken.None);
        var a3 = queue.RunAsync("a", _ => Task.FromResult(3), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<TooManyOutstandingRequestsException>(() => queue.RunAsync("a", _ => Task.FromResult(4), CancellationToken.None));
        Assert.Equal("too many outstanding requests", refused.Message);
        var b1 = queue.RunAsync("b", _ => Task.FromResult(5), CancellationToken.None);

        blocker.SetResult(1);
        int[] results = await Task.WhenAll(running, a2, b1, a3);
        Assert.Equal(new[] { 1, 2, 5, 3 }, results);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_frees_its_place()
    {
        var queue = new TenantQueue(maxOutstandingPerTenant: 1, concurrency: 1);
        var blocker = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = queue.RunAsync("a", _ => blocker.Task, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var waiting = queue.RunAsync("a", _ => Task.FromResult(2), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, queue.Waiting("a"));

        var next = queue.RunAsync("a", _ => Task.FromResult(3), CancellationToken.None);
        blocker.SetResult(1);
        int[] results = await Task.WhenAll(running, next);
        Assert.Equal(new[] { 1, 3 }, results);
    }

    [Fact]
    public async Task A_split_query_past_the_tenants_queue_is_refused_whole()
    {
        var blocker = new BlockingDownstream();
        var frontend = new QueryFrontendRunner(
            new QueryFrontendOptions { MaxDownstreamConcurrency = 1, MaxOutstandingRequestsPerTenant = 2, MaxQueryParallelism = 14 },
            blocker);

        // Ten daily splits, one running and two waiting at most: the fourth split is refused and so is the query.
        long day = EngineHarness.Day;
        var query = frontend.RangeQueryAsync("t", "up", EngineHarness.Midnight, EngineHarness.Midnight + (10 * day), day / 24, CancellationToken.None);
        await Assert.ThrowsAsync<TooManyOutstandingRequestsException>(() => query);
        blocker.Release();
        Assert.Equal(0, frontend.Queue.Waiting("t"));
        Assert.Equal(1, frontend.Counters.TooManyOutstanding);

        var registry = new MetricsCluster.Core.Metrics.MetricsRegistry();
        QueryFrontendMetrics.Register(registry, frontend);
        string text = registry.WriteText();
        Assert.Contains("metricscluster_query_frontend_rejected_queries_total{reason=\"too_many_outstanding_requests\"} 1", text);
        Assert.Contains("metricscluster_query_frontend_rejected_queries_total{reason=\"max_total_query_length\"} 0", text);
        Assert.Contains("metricscluster_query_frontend_split_queries_total", text);
    }

    [Theory]
    [InlineData(30 * 24, 30 * 24, null)]
    [InlineData(30 * 24, (30 * 24) + 1, "the total query time range exceeds the limit (query length: 721h0m0s, limit: 720h0m0s) (err-mc-max-total-query-length). To adjust the related per-tenant limit, configure -query-frontend.max-total-query-length, or contact your service administrator.")]
    [InlineData(1, 2, "the total query time range exceeds the limit (query length: 2h0m0s, limit: 1h0m0s) (err-mc-max-total-query-length). To adjust the related per-tenant limit, configure -query-frontend.max-total-query-length, or contact your service administrator.")]
    [InlineData(0, 100_000, null)]
    public async Task Max_total_query_length_fails_with_Mimirs_text(int limitHours, int lengthHours, string? expected)
    {
        var frontend = new QueryFrontendRunner(
            new QueryFrontendOptions { MaxTotalQueryLength = TimeSpan.FromHours(limitHours) },
            new BlockingDownstream(open: true));
        long end = EngineHarness.Midnight;
        var r = await frontend.RangeQueryAsync("t", "up", end - (lengthHours * 3_600_000L), end, 86_400_000, CancellationToken.None);
        Assert.Equal(expected is null ? null : new QueryError(QueryErrorType.BadData, expected), r.Error);
        Assert.Equal(expected is null ? 0 : 1, frontend.Counters.TooLong);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(250, "250ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(3_600_010, "1h0m0.01s")]
    [InlineData(-60_000, "-1m0s")]
    public void Durations_print_as_Go(long ms, string expected) => Assert.Equal(expected, GoDuration.Format(ms));

    /// <summary>Answers an empty matrix once released (or at once when open); cancellation is honoured while blocked.</summary>
    private sealed class BlockingDownstream(bool open = false) : IQueryDownstream
    {
        private readonly TaskCompletionSource _gate = NewGate(open);

        private static TaskCompletionSource NewGate(bool open)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (open)
            {
                gate.SetResult();
            }

            return gate;
        }

        public void Release() => _gate.TrySetResult();

        public Task<QueryResult> InstantQueryAsync(string tenant, string query, long timeMs, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public async Task<QueryResult> RangeQueryAsync(string tenant, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            return new QueryResult(new MatrixValue([]), null, [], []);
        }
    }
}
