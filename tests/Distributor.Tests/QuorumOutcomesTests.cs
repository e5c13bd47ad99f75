using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Engine;
using MetricsCluster.Core.Wire.Prompb;
using Xunit;

namespace MetricsCluster.Distributor.Tests;

public sealed class QuorumOutcomesTests
{
    private static readonly InstanceDesc s_a = new() { Id = "ingester-a", Addr = "10.0.0.1:9095" };
    private static readonly InstanceDesc s_b = new() { Id = "ingester-b", Addr = "10.0.0.2:9095" };

    [Theory]
    [InlineData(CallStatusCode.DeadlineExceeded, CallStatusCode.Unavailable, 503)]
    [InlineData(CallStatusCode.InvalidArgument, CallStatusCode.Unavailable, 503)]
    [InlineData(CallStatusCode.InvalidArgument, CallStatusCode.InvalidArgument, 400)]
    [InlineData(CallStatusCode.ResourceExhausted, CallStatusCode.ResourceExhausted, 429)]
    [InlineData(CallStatusCode.NotFound, CallStatusCode.NotFound, 500)]
    public async Task A_lost_quorum_is_503_when_retryable_else_the_replicas_own_status_and_names_the_ingesters(CallStatusCode a, CallStatusCode b, int status)
    {
        var d = TestDistributor.Create();
        var failures = new[]
        {
            new InstanceFailure(s_a, new GrainCallException(a, s_a.Addr, "ingester/Push", "first")),
            new InstanceFailure(s_b, new GrainCallException(b, s_b.Addr, "ingester/Push", "second")),
        };
        d.Ingester.OnPush = (_, _) => throw new QuorumException("quorum lost", failures);
        var outcome = await d.PushAsync(OneSample(d.NowMs));
        Assert.Equal(status, outcome.StatusCode);
        Assert.Contains("ingester-a (10.0.0.1:9095)", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("ingester-b (10.0.0.2:9095)", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_few_healthy_ingesters_in_the_ring_is_503()
    {
        var d = TestDistributor.Create();
        d.Ingester.OnPush = (_, _) => throw new RingUnavailableException("too many unhealthy instances in the ring");
        var outcome = await d.PushAsync(OneSample(d.NowMs));
        Assert.Equal(new PushOutcome(503, "failed pushing to ingesters: too many unhealthy instances in the ring"), outcome);
    }

    private static WriteRequest OneSample(long now) => Requests.Of(Requests.Series(now, 0, "__name__", "load"));
}
