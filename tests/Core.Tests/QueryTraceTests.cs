using MetricsCluster.Core.Storage;
using Xunit;

namespace MetricsCluster.Core.Tests;

/// <summary>What <see cref="QueryTrace"/> records, and that concurrent queries never see each other's calls.</summary>
public sealed class QueryTraceTests
{
    [Fact]
    public async Task Calls_made_in_the_flow_and_its_child_tasks_are_counted_per_instance()
    {
        var trace = new QueryTrace();
        using (QueryTrace.Begin(trace))
        {
            QueryTrace.Record("ingester", "ingester-1");
            await Task.WhenAll(
                Task.Run(() => QueryTrace.Record("ingester", "ingester-1")),
                Task.Run(() => QueryTrace.Record("store-gateway", "store-gateway-0")));
        }

        QueryTrace.Record("ingester", "after-the-trace-ended");
        Assert.Equal([("ingester", "ingester-1", 2), ("store-gateway", "store-gateway-0", 1)], trace.Asked);
    }

    [Fact]
    public async Task Two_queries_at_once_record_only_their_own_calls()
    {
        var a = new QueryTrace();
        var b = new QueryTrace();
        using var bothStarted = new Barrier(2);
        await Task.WhenAll(Run(a, "ingester-a"), Run(b, "ingester-b"));
        Assert.Equal([("ingester", "ingester-a", 1)], a.Asked);
        Assert.Equal([("ingester", "ingester-b", 1)], b.Asked);

        Task Run(QueryTrace trace, string instance) => Task.Run(() =>
        {
            using (QueryTrace.Begin(trace))
            {
                // Both traces are current at the same moment, each in its own flow.
                bothStarted.SignalAndWait(TimeSpan.FromSeconds(30));
                QueryTrace.Record("ingester", instance);
            }
        });
    }
}
