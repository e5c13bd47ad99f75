using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier.Api;
using Xunit;

namespace MetricsCluster.Querier.Tests;

/// <summary>The start-up warm-up's queries must all run: one that fails leaves its part of the engine cold.</summary>
public sealed class QueryPathWarmupTests
{
    [Fact]
    public async Task Every_warmup_query_answers_as_instant_and_range_query()
    {
        var engine = new QueryEngine(new EngineOptions());
        int answered = await QueryPathWarmup.RunAsync(engine, CancellationToken.None);
        Assert.Equal(2 * QueryPathWarmup.QueryCount, answered);
    }
}
