using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.PromQL.Tests.Scripts;
using Xunit;

namespace MetricsCluster.PromQL.Tests.Engine;

/// <summary>
/// Inputs at the edges of time and size (issue 12, row 3): each ends in a result or a 4xx-shaped error, never in
/// <see cref="QueryErrorType.Internal"/>, and the sample limit is enforced before the memory is taken.
/// </summary>
public sealed class EngineExtremesTests
{
    private const string TooMany = "query processing would load too many samples into memory in query execution";

    // Ten samples 15 s apart: with the 5 m lookback an instant selector at 1 ms steps yields 435,000 points.
    private static MemoryStorage Storage()
    {
        var s = new MemoryStorage();
        var labels = Labels.FromStrings("__name__", "m");
        for (int j = 0; j < 10; j++)
        {
            s.Add(labels, j * 15_000L, j);
        }

        return s;
    }

    [Theory]
    [InlineData("count_over_time(vector(1)[2d:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(vector(1)[10y:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(vector(1)[290y:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(m[2h:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(sum(m)[2h:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(rate(m[1m])[2h:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(vector(time())[2d:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(absent_over_time(nope[1m])[2d:1ms])", QueryErrorType.Execution)]
    [InlineData("quantile_over_time(0.5, m[2h:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(quantile_over_time(0.5, m[1m])[2d:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(topk(1, m)[2d:1ms])", QueryErrorType.Execution)]
    [InlineData("max_over_time(count_over_time(vector(1)[1h:1ms])[1d:1ms])", QueryErrorType.Execution)]
    [InlineData("count_over_time(vector(1)[1000y:1ms])", QueryErrorType.BadData)]
    [InlineData("vector(1) offset 1000y", QueryErrorType.BadData)]
    [InlineData("m offset 290y", null)]
    [InlineData("m offset -290y", null)]
    [InlineData("m @ 9000000000000000", null)]
    [InlineData("m @ -9000000000000000 offset 290y", null)]
    [InlineData("rate(m[290y] @ -9000000000000000 offset 290y)", null)]
    [InlineData("count_over_time(m[290y:290y] @ -9000000000000000 offset 290y)", null)]
    [InlineData("count_over_time(m[290y:290y] @ 9000000000000000 offset -290y)", null)]
    [InlineData("m @ 1e300", QueryErrorType.BadData)]
    [InlineData("count_over_time(vector(1)[5m:0s])", null)]
    [InlineData("year(vector(-1e11))", null)]
    [InlineData("day_of_week(vector(9e18)) + days_in_month(vector(-9e18))", null)]
    [InlineData("minute(vector(1e300)) or hour(vector(-Inf))", null)]
    [InlineData("year(vector(-9e15)) and month(vector(-62135596801))", null)]
    public async Task ExtremeInputsFailCleanly(string query, QueryErrorType? expected)
    {
        using var engine = new QueryEngine(new EngineOptions { MaxSamples = 100_000 });
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var r = await engine.InstantQueryAsync(Storage(), "t", query, 1_000_000, CancellationToken.None);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(expected, r.Error?.Type);
        if (expected == QueryErrorType.Execution)
        {
            Assert.Equal(TooMany, r.Error!.Message);
        }

        // The limit of 100k samples is under 2 MB of points; the bug took gigabytes before checking (each case once
        // allocated 1-3 GB or crashed the test host), so 256 MB leaves room for the other tests running in parallel.
        Assert.True(allocated < 256L << 20, $"allocated {allocated >> 20} MB");
    }
}
