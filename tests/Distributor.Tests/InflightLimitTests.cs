using Google.Protobuf;
using Xunit;

namespace MetricsCluster.Distributor.Tests;

/// <summary>The distributor's per-instance limits on push requests in flight (Mimir's instance limits).</summary>
public class InflightLimitTests
{
    private const string TooMany =
        "the write request has been rejected because the distributor exceeded the allowed number of inflight push requests (err-mc-distributor-max-inflight-push-requests). To adjust the related limit, configure -distributor.instance-limits.max-inflight-push-requests, or contact your service administrator.";

    private const string TooLarge =
        "the write request has been rejected because the distributor exceeded the allowed size of inflight push requests (err-mc-distributor-max-inflight-push-requests-bytes). To adjust the related limit, configure -distributor.instance-limits.max-inflight-push-requests-bytes, or contact your service administrator.";

    [Theory]
    [InlineData(1, 0L, TooMany, "distributor_max_inflight_push_requests")]
    [InlineData(0, 3000L, TooLarge, "distributor_max_inflight_push_requests_bytes")] // Three times the 1000-byte max-recv-msg-size.
    public async Task A_push_over_an_instance_limit_is_refused_with_a_retryable_error_until_the_first_one_finishes(int maxRequests, long maxBytes, string message, string reason)
    {
        var d = TestDistributor.Create(o =>
        {
            o.MaxRecvMsgSize = 1000;
            o.MaxInflightPushRequests = maxRequests;
            o.MaxInflightPushRequestsBytes = maxBytes;
        });

        // Each push decodes to ~900 bytes: it reserves its body and twice that, so two do not fit in 3000 bytes.
        byte[] Protobuf(string name) => Requests.Of(Requests.Series(d.NowMs, 1, "__name__", name, "pad", new string('x', 850))).ToByteArray();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        d.Ingester.BeforePush = () =>
        {
            entered.TrySetResult();
            return release.Task;
        };

        var first = d.PushProtobufAsync(Protobuf("first")).AsTask();
        await entered.Task;
        Assert.Equal(1, d.Metric("metricscluster_distributor_inflight_push_requests"));

        var refused = await d.PushProtobufAsync(Protobuf("refused"));
        Assert.Equal(new PushOutcome(500, message), refused);
        Assert.Equal(1, d.Metric($"metricscluster_distributor_instance_rejected_requests_total{{reason=\"{reason}\"}}"));

        d.Ingester.BeforePush = null;
        release.SetResult();
        Assert.Equal(PushOutcome.Ok, await first);
        Assert.Equal(PushOutcome.Ok, await d.PushProtobufAsync(Protobuf("after")));
        Assert.Equal(["first", "after"], d.Ingester.AllSeries.Select(s => s.Labels.MetricName));
        Assert.Equal(0, d.Metric("metricscluster_distributor_inflight_push_requests"));
        Assert.Equal(0, d.Metric("metricscluster_distributor_inflight_push_requests_bytes"));
    }

    [Fact]
    public async Task A_refused_push_creates_no_series_for_its_tenant()
    {
        var d = TestDistributor.Create(o => o.MaxInflightPushRequests = 1);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        d.Ingester.BeforePush = () => release.Task;
        var first = d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up"))).AsTask();
        Assert.Equal(500, (await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up")), tenant: "attacker-1")).StatusCode);
        release.SetResult();
        await first;
        Assert.DoesNotContain("attacker-1", d.Registry.WriteText(), StringComparison.Ordinal);
    }
}
