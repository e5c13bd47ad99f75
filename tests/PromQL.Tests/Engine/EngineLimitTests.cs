using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;

namespace MetricsCluster.PromQL.Tests.Engine;

/// <summary>The engine's limits and failure shapes: sample limit, timeout, cancellation, admission, bad queries.</summary>
public class EngineLimitTests
{
    private static MemoryStorage Storage(int series, int samples)
    {
        var s = new MemoryStorage();
        for (int i = 0; i < series; i++)
        {
            var labels = Labels.FromStrings("__name__", "m", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            for (int j = 0; j < samples; j++)
            {
                s.Add(labels, j * 15_000L, j);
            }
        }

        return s;
    }

    [Fact]
    public async Task TooManySamplesFailsWithPrometheusText()
    {
        using var engine = new QueryEngine(new EngineOptions { MaxSamples = 100 });
        var r = await engine.RangeQueryAsync(Storage(10, 100), "t", "m", 0, 1_485_000, 15_000, CancellationToken.None);
        Assert.Equal(QueryErrorType.Execution, r.Error?.Type);
        Assert.Equal("query processing would load too many samples into memory in query execution", r.Error!.Message);
    }

    [Fact]
    public async Task FetchingMoreThanTheLimitFails()
    {
        // 10 series x 100 samples loaded for a query producing a single point still count.
        using var engine = new QueryEngine(new EngineOptions { MaxSamples = 500 });
        var r = await engine.InstantQueryAsync(Storage(10, 100), "t", "count(count_over_time(m[1h]))", 1_485_000, CancellationToken.None);
        Assert.Equal("query processing would load too many samples into memory in query execution", r.Error?.Message);
    }

    [Fact]
    public async Task UnderTheLimitSucceeds()
    {
        using var engine = new QueryEngine(new EngineOptions { MaxSamples = 2000 });
        var r = await engine.RangeQueryAsync(Storage(10, 100), "t", "sum(m)", 0, 1_485_000, 15_000, CancellationToken.None);
        Assert.Null(r.Error);
        var series = Assert.Single(((MatrixValue)r.Value!).Series);
        Assert.Equal(100, series.Floats.Count);
        Assert.Equal(45.0 * 10, series.Floats[^1].F - series.Floats[^46].F);
    }

    [Fact]
    public async Task CanceledByTheCallerIsReportedAsCanceled()
    {
        using var engine = new QueryEngine(new EngineOptions());
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = await engine.InstantQueryAsync(Storage(1, 10), "t", "m", 0, cts.Token);
        Assert.Equal(QueryErrorType.Canceled, r.Error?.Type);
    }

    [Fact]
    public async Task TimeoutIsReportedAsTimeout()
    {
        using var engine = new QueryEngine(new EngineOptions { Timeout = TimeSpan.FromTicks(1) });
        await Task.Delay(5);
        var r = await engine.RangeQueryAsync(Storage(200, 200), "t", "sum(rate(m[5m]))", 0, 3_000_000, 1000, CancellationToken.None);
        Assert.Equal(QueryErrorType.Timeout, r.Error?.Type);
        Assert.StartsWith("query timed out in ", r.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseErrorsAreBadData()
    {
        using var engine = new QueryEngine(new EngineOptions());
        var r = await engine.InstantQueryAsync(Storage(1, 1), "t", "sum(", 0, CancellationToken.None);
        Assert.Equal(QueryErrorType.BadData, r.Error?.Type);
        Assert.StartsWith("1:5: parse error", r.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RangeQueryOfARangeVectorIsBadData()
    {
        using var engine = new QueryEngine(new EngineOptions());
        var r = await engine.RangeQueryAsync(Storage(1, 1), "t", "m[5m]", 0, 60_000, 15_000, CancellationToken.None);
        Assert.Equal(QueryErrorType.BadData, r.Error?.Type);
        Assert.Equal("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector", r.Error!.Message);
    }

    [Fact]
    public async Task AdmissionWaitsForAFreeSlot()
    {
        using var engine = new QueryEngine(new EngineOptions { MaxConcurrent = 1 });
        var storage = Storage(50, 400);
        var queries = Enumerable.Range(0, 4)
            .Select(_ => engine.RangeQueryAsync(storage, "t", "sum(rate(m[1m]))", 0, 5_985_000, 15_000, CancellationToken.None))
            .ToList();
        var results = await Task.WhenAll(queries);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(0, engine.QueriesInFlight);
    }

    // A subquery at 1 ms over 290 years: about 9e12 steps with at most 300k points (one sample, 5m lookback), so
    // it runs (for a day) in bounded memory and only cancellation can stop it.
    private const string Runaway = "count_over_time(m[290y:1ms])";

    [Fact]
    public async Task TimeoutStopsARunawayEvaluationAndFreesTheSlot()
    {
        using var engine = new QueryEngine(new EngineOptions { Timeout = TimeSpan.FromSeconds(1), MaxConcurrent = 1, MaxSamples = 1_000_000 });
        var storage = Storage(1, 1);
        var r = await engine.InstantQueryAsync(storage, "t", Runaway, 1_000_000, CancellationToken.None);
        Assert.Equal(QueryErrorType.Timeout, r.Error?.Type);
        Assert.Equal("query timed out in expression evaluation", r.Error!.Message);

        // The single slot was released: the next query runs.
        Assert.Equal(0, engine.QueriesInFlight);
        var next = await engine.InstantQueryAsync(storage, "t", "m", 0, CancellationToken.None);
        Assert.Single(((VectorValue)next.Value!).Samples);
    }

    [Fact]
    public async Task CancelAllQueriesStopsRunningQueries()
    {
        using var engine = new QueryEngine(new EngineOptions { MaxConcurrent = 1, MaxSamples = 1_000_000 });
        var storage = Storage(1, 1);
        // Evaluation is synchronous once the data is fetched, so the query gets its own thread.
        var running = Task.Run(() => engine.InstantQueryAsync(storage, "t", Runaway, 1_000_000, CancellationToken.None));
        Assert.True(SpinWait.SpinUntil(() => engine.QueriesInFlight == 1, TimeSpan.FromSeconds(30)));

        engine.CancelAllQueries();
        var r = await running;
        Assert.Equal(QueryErrorType.Canceled, r.Error?.Type);
        Assert.Equal(0, engine.QueriesInFlight);

        // The process is stopping: later queries are refused the same way rather than started.
        var later = await engine.InstantQueryAsync(storage, "t", "m", 0, CancellationToken.None);
        Assert.Equal(QueryErrorType.Canceled, later.Error?.Type);
    }
}
