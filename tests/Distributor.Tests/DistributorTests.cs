using MetricsCluster.Tests.Shared;
using Google.Protobuf;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Core.Snappy;
using MetricsCluster.Core.Wire.Prompb;
using Xunit;

namespace MetricsCluster.Distributor.Tests;

public class DistributorTests
{
    private const string User = TestDistributor.Tenant;

    [Fact]
    public async Task GoodRequestIsPushedAndAnswered200WithAnEmptyBody()
    {
        var d = TestDistributor.Create();
        var outcome = await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up", "job", "a")));
        Assert.Equal(PushOutcome.Ok, outcome);
        var batch = Assert.Single(d.Ingester.Batches);
        Assert.Equal(User, batch.Tenant);
        Assert.Equal("{__name__=\"up\", job=\"a\"}", Assert.Single(batch.Series).Labels.ToString());
    }

    [Fact]
    public async Task PartialAcceptanceKeepsGoodSeriesAndNamesTheFirstBadOne()
    {
        var d = TestDistributor.Create();
        long now = d.NowMs;
        var request = Requests.Of(
            Requests.Series(now, 1, "__name__", "good_1"),
            Requests.Series(now, 2, "job", "first-bad"),
            Requests.Series(now, 3, "__name__", "good_2"),
            Requests.Series(now, 4, "__name__", "up", "0bad", "x"));
        request.Timeseries[1].Samples.Add(new Sample { Timestamp = now + 1, Value = 5 });

        var outcome = await d.PushAsync(request);

        Assert.Equal(400, outcome.StatusCode);
        Assert.StartsWith("received series has no metric name, series: '{job=\"first-bad\"}'", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(["good_1", "good_2"], d.Ingester.AllSeries.Select(s => s.Labels.MetricName));
        Assert.Equal(5, d.Metric($"metricscluster_distributor_received_samples_total{{user=\"{User}\"}}"));
        Assert.Equal(2, d.Metric($"metricscluster_distributor_accepted_samples_total{{user=\"{User}\"}}"));
        Assert.Equal(2, d.Metric($"metricscluster_discarded_samples_total{{user=\"{User}\",reason=\"missing_metric_name\"}}"));
        Assert.Equal(1, d.Metric($"metricscluster_discarded_samples_total{{user=\"{User}\",reason=\"label_invalid\"}}"));
        Assert.Equal(1, d.Metric($"metricscluster_distributor_requests_total{{user=\"{User}\",status_code=\"400\"}}"));
    }

    [Fact]
    public async Task RequestWithOnlyBadSeriesDoesNotCallTheIngester()
    {
        var d = TestDistributor.Create();
        var outcome = await d.PushAsync(Requests.Of(Requests.Series(d.NowMs, 1, "job", "a")));
        Assert.Equal(400, outcome.StatusCode);
        Assert.Empty(d.Ingester.Batches);
    }

    [Fact]
    public async Task EmptyRequestIsOk()
    {
        var d = TestDistributor.Create();
        Assert.Equal(PushOutcome.Ok, await d.PushAsync(new WriteRequest()));
        Assert.Empty(d.Ingester.Batches);
    }

    [Fact]
    public async Task MetadataIsKept()
    {
        var d = TestDistributor.Create();
        var request = new WriteRequest { Metadata = { new Core.Wire.Prompb.MetricMetadata { MetricFamilyName = "up", Type = Core.Wire.Prompb.MetricMetadata.Types.MetricType.Gauge, Help = "1 if up", Unit = "" } } };
        Assert.Equal(PushOutcome.Ok, await d.PushAsync(request));
        Assert.Equal(new Core.Ingest.MetricMetadata("up", MetricType.Gauge, "1 if up", string.Empty), Assert.Single(Assert.Single(d.Ingester.Batches).Metadata));
        Assert.Equal(1, d.Metric($"metricscluster_distributor_received_metadata_total{{user=\"{User}\"}}"));
    }

    [Fact]
    public async Task HistogramOnlySeriesAreIgnoredAndCounted()
    {
        var d = TestDistributor.Create();
        var series = new TimeSeries { Labels = { new Label { Name = "__name__", Value = "h" } }, Histograms = { new Core.Wire.Prompb.Histogram { CountInt = 1, Timestamp = d.NowMs } } };
        Assert.Equal(PushOutcome.Ok, await d.PushAsync(Requests.Of(series)));
        Assert.Empty(d.Ingester.Batches);
        Assert.Equal(1, d.Metric($"metricscluster_distributor_ignored_native_histograms_total{{user=\"{User}\"}}"));
    }

    [Fact]
    public async Task MalformedProtobufIs400WithTheOffset()
    {
        var d = TestDistributor.Create();
        var outcome = await d.PushProtobufAsync([0x0A, 0x05, 0x00]);
        Assert.Equal(400, outcome.StatusCode);
        Assert.Equal("error decoding remote-write request: length 5 runs past the end of the enclosing message (1 bytes left) at byte offset 1", outcome.Message);
        Assert.Empty(d.Ingester.Batches);
    }

    public static TheoryData<string, byte[], int, string> SnappyCases => new()
    {
        { "empty body", [], 400, "corrupt snappy data: missing or invalid decoded-length header" },
        { "unterminated length header", [0x80, 0x80], 400, "corrupt snappy data: missing or invalid decoded-length header" },
        { "length header over 32 bits", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], 400, "corrupt snappy data: missing or invalid decoded-length header" },
        { "corrupt block", [0x0A, 0x10, 0x01, 0x02], 400, "corrupt snappy data: " },
        { "decoded length short", [0x05, 0x00, 0x61], 400, "corrupt snappy data: " },
        { "impossible decoded length", [0x80, 0x80, 0x04, 0x00], 400, "corrupt snappy data: a decoded length of 65536 bytes is impossible for a 4-byte body" },
        { "framed format", [0xFF, 0x06, 0x00, 0x00, 0x73, 0x4E, 0x61, 0x50, 0x70, 0x59, 0x00], 400, "snappy framed (stream) format" },
        { "decoded length over the limit", [0x81, 0x80, 0x04], 413, "decompressed message size of 65537 bytes is larger than the allowed limit of 65536 bytes (err-mc-distributor-max-write-message-size). To adjust the related limit, configure -distributor.max-recv-msg-size" },
        { "body over the limit", new byte[65537], 413, "message size of 65537 bytes is larger than the allowed limit of 65536 bytes (err-mc-distributor-max-write-message-size)" },
    };

    [Theory]
    [MemberData(nameof(SnappyCases))]
    public async Task SnappyProblemsAreRejected(string name, byte[] body, int status, string message)
    {
        _ = name;
        var d = TestDistributor.Create(o => o.MaxRecvMsgSize = 65536);
        var outcome = await d.Distributor.PushAsync(User, body, "application/x-protobuf", "snappy", CancellationToken.None);
        Assert.Equal(status, outcome.StatusCode);
        Assert.Contains(message, outcome.Message, StringComparison.Ordinal);
        Assert.Empty(d.Ingester.Batches);
    }

    [Fact]
    public void HighlyCompressibleBodiesAreWithinTheDecodedLengthBound()
    {
        byte[] protobuf = Requests.Of(Requests.Series(1, 1, "__name__", "up", "pad", new string('x', 1 << 20))).ToByteArray();
        byte[] body = SnappyEncoder.Encode(protobuf);
        Assert.True((ulong)protobuf.Length <= SnappyBody.MaxDecodedLength(body.Length));
        Assert.True(protobuf.Length > body.Length * 15, "the case should exercise a high ratio");
    }

    [Fact]
    public void SteadyStateSnappyDecodeAllocatesOnlyAConstant()
    {
        // The decoded body goes into a pooled array (no per-request LOH array as a DecodeToArray-style call would make).
        // Snappier 1.3.2 allocates one small decompressor object per call (80 B measured), whatever the body size:
        // the budget is that constant, and a 300 KB body must cost no more than a tiny one.
        const long SnappierPerCallBudget = 128;
        byte[] protobuf = Requests.Of(Requests.Series(1, 1, "__name__", "up", "pad", new string('x', 300_000))).ToByteArray();
        byte[] body = SnappyEncoder.Encode(protobuf);
        byte[] tiny = SnappyEncoder.Encode(Requests.Of(Requests.Series(1, 1, "__name__", "up")).ToByteArray());
        for (int i = 0; i < 3; i++)
        {
            SnappyBody.Return(SnappyBody.RentDecoded(body, out _));
            SnappyBody.Return(SnappyBody.RentDecoded(tiny, out _));
        }

        long allocated = AllocationProbe.MinAllocated(() => SnappyBody.Return(SnappyBody.RentDecoded(body, out _)));
        long allocatedTiny = AllocationProbe.MinAllocated(() => SnappyBody.Return(SnappyBody.RentDecoded(tiny, out _)));
        byte[] decoded = SnappyBody.RentDecoded(body, out int length);
        Assert.Equal(protobuf, decoded.AsSpan(0, length).ToArray());
        SnappyBody.Return(decoded);
        Assert.InRange(allocated, 0, SnappierPerCallBudget);
        Assert.Equal(allocatedTiny, allocated);
    }

    [Fact]
    public void LargeDecodedBodiesAreNotKeptInThePoolAfterThePush()
    {
        // A 100 MiB decode buffer kept in the shared pool's per-thread and per-core slots is never released.
        byte[] protobuf = Requests.Of(Requests.Series(1, 1, "__name__", "up", "pad", new string('x', 3 << 20))).ToByteArray();
        byte[] decoded = SnappyBody.RentDecoded(SnappyEncoder.Encode(protobuf), out int length);
        SnappyBody.Return(decoded);
        byte[] next = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        System.Buffers.ArrayPool<byte>.Shared.Return(next);
        Assert.NotSame(decoded, next);
    }

    [Fact]
    public async Task BodyAtTheLimitIsAccepted()
    {
        var d = TestDistributor.Create(o => o.MaxRecvMsgSize = 1000);
        byte[] protobuf = Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up", "pad", new string('x', 900))).ToByteArray();
        Assert.True(SnappyEncoder.Encode(protobuf).Length <= 1000);
        Assert.Equal(PushOutcome.Ok, await d.PushProtobufAsync(protobuf));
    }

    public static TheoryData<string?, string?, int> ContentCases => new()
    {
        { null, null, 200 },
        { "application/x-protobuf", "snappy", 200 },
        { " application/x-protobuf ", "SNAPPY", 200 },
        { "application/x-protobuf;proto=prometheus.WriteRequest", "snappy", 200 },
        { "application/x-protobuf; proto=io.prometheus.write.v2.Request", "snappy", 200 }, // A space: Prometheus does not see "proto".
        { "application/x-protobuf;foo=bar", "snappy", 200 },
        { "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy", 415 },
        { "application/x-protobuf;proto=something.Else", "snappy", 415 },
        { "application/x-protobuf;novalue", "snappy", 415 },
        { "application/json", "snappy", 415 },
        { "text/plain", null, 415 },
        { "application/x-protobuf", "gzip", 415 },
        { "application/x-protobuf", "identity", 415 },
    };

    [Theory]
    [MemberData(nameof(ContentCases))]
    public async Task ContentTypeAndEncodingFollowThePrometheusReceiver(string? contentType, string? encoding, int status)
    {
        var d = TestDistributor.Create();
        byte[] body = SnappyEncoder.Encode(Requests.Of(Requests.Series(d.NowMs, 1, "__name__", "up")).ToByteArray());
        var outcome = await d.Distributor.PushAsync(User, body, contentType, encoding, CancellationToken.None);
        Assert.Equal(status, outcome.StatusCode);
        Assert.Equal(status == 200 ? 1 : 0, d.Ingester.Batches.Count);
    }

    [Fact]
    public async Task RemoteWrite2IsRefusedWithAClearMessage()
    {
        var d = TestDistributor.Create();
        var outcome = await d.Distributor.PushAsync(User, new byte[] { 0 }, "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy", CancellationToken.None);
        Assert.Equal(new PushOutcome(415, "remote write 2.0 is not supported yet"), outcome);
    }

    [Fact]
    public async Task RateLimitAnswers429WritesNothingAndRecoversAsTimePasses()
    {
        var d = TestDistributor.Create(limits: new Limits { IngestionRate = 10, IngestionBurstSize = 100 });

        Assert.Equal(200, (await d.PushAsync(ManySamples(d.NowMs, 100))).StatusCode);

        var limited = await d.PushAsync(ManySamples(d.NowMs, 1));
        Assert.Equal(429, limited.StatusCode);
        Assert.Equal(
            "the request has been rejected because the tenant exceeded the ingestion rate limit, set to 10 items/s with a maximum allowed burst of 100. This limit is applied on the total number of samples, exemplars and metadata received across all distributors (err-mc-tenant-max-ingestion-rate). To adjust the related per-tenant limits, configure -distributor.ingestion-rate-limit and -distributor.ingestion-burst-size, or contact your service administrator.",
            limited.Message);
        Assert.Single(d.Ingester.Batches);

        d.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await d.PushAsync(ManySamples(d.NowMs, 10))).StatusCode);
        Assert.Equal(429, (await d.PushAsync(ManySamples(d.NowMs, 1))).StatusCode);

        // Long enough to refill the bucket, shorter than the idle timeout that would drop the tenant's counters.
        d.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(429, (await d.PushAsync(ManySamples(d.NowMs, 101))).StatusCode); // Over the burst: never fits.
        Assert.Equal(200, (await d.PushAsync(ManySamples(d.NowMs, 100))).StatusCode);

        Assert.Equal(3, d.Ingester.Batches.Count);
        Assert.Equal(103, d.Metric($"metricscluster_discarded_samples_total{{user=\"{User}\",reason=\"tenant_max_ingestion_rate\"}}"));
        Assert.Equal(3, d.Metric($"metricscluster_distributor_requests_total{{user=\"{User}\",status_code=\"429\"}}"));
    }

    [Fact]
    public async Task RateLimitIsPerTenantAndHonoursOverrides()
    {
        var d = TestDistributor.Create(
            limits: new Limits { IngestionBurstSize = 5 },
            overrides: new Dictionary<string, Limits> { ["big"] = new Limits { IngestionRate = 10_000, IngestionBurstSize = 1000 } });
        Assert.Equal(200, (await d.PushAsync(ManySamples(d.NowMs, 5), "a")).StatusCode);
        Assert.Equal(429, (await d.PushAsync(ManySamples(d.NowMs, 5), "a")).StatusCode);
        Assert.Equal(200, (await d.PushAsync(ManySamples(d.NowMs, 5), "b")).StatusCode);
        Assert.Equal(200, (await d.PushAsync(ManySamples(d.NowMs, 500), "big")).StatusCode);
    }

    [Fact]
    public async Task RateLimitCountsOnlyAcceptedSamplesAndMetadata()
    {
        var d = TestDistributor.Create(limits: new Limits { IngestionBurstSize = 3 });
        var request = ManySamples(d.NowMs, 2);
        request.Timeseries.Add(Requests.Series(d.NowMs, 1, "job", "invalid")); // Dropped before the limiter.
        request.Metadata.Add(new Core.Wire.Prompb.MetricMetadata { MetricFamilyName = "m" });
        Assert.Equal(400, (await d.PushAsync(request)).StatusCode);
        Assert.Single(d.Ingester.Batches);
        Assert.Equal(429, (await d.PushAsync(ManySamples(d.NowMs, 1))).StatusCode);
    }

    [Fact]
    public async Task ZeroBurstBlocksEveryNonEmptyRequest()
    {
        var d = TestDistributor.Create(limits: new Limits { IngestionBurstSize = 0 });
        Assert.Equal(429, (await d.PushAsync(ManySamples(d.NowMs, 1))).StatusCode);
        Assert.Equal(200, (await d.PushAsync(new WriteRequest())).StatusCode);
    }

    [Fact]
    public async Task IngesterExceptionIs500()
    {
        var d = TestDistributor.Create();
        d.Ingester.OnPush = (_, _) => throw new IOException("connection refused");
        var outcome = await d.PushAsync(ManySamples(d.NowMs, 1));
        Assert.Equal(new PushOutcome(500, "failed pushing to ingester: connection refused"), outcome);
    }

    [Fact]
    public async Task CancellationByTheClientPropagates()
    {
        var d = TestDistributor.Create();
        using var cts = new CancellationTokenSource();
        d.Ingester.OnPush = (_, _) =>
        {
            cts.Cancel();
            cts.Token.ThrowIfCancellationRequested();
        };
        byte[] body = SnappyEncoder.Encode(ManySamples(d.NowMs, 1).ToByteArray());
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await d.Distributor.PushAsync(User, body, null, null, cts.Token));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task IngesterRejectionsAre400AndCounted(bool isLimit)
    {
        var d = TestDistributor.Create();
        string message = "per-tenant series limit of 1 exceeded (err-mc-max-series-per-user)";
        d.Ingester.OnPush = (batch, result) =>
        {
            result.Accepted = batch.SampleCount - 2;
            result.Reject(isLimit ? ErrorId.MaxSeriesPerUser : ErrorId.SampleOutOfOrder, 2, () => message, isLimit);
        };
        var outcome = await d.PushAsync(ManySamples(d.NowMs, 5));
        Assert.Equal(new PushOutcome(400, message), outcome);
        string reason = ErrorId.Reason(isLimit ? ErrorId.MaxSeriesPerUser : ErrorId.SampleOutOfOrder);
        Assert.Equal(2, d.Metric($"metricscluster_discarded_samples_total{{user=\"{User}\",reason=\"{reason}\"}}"));
        Assert.Equal(3, d.Metric($"metricscluster_distributor_accepted_samples_total{{user=\"{User}\"}}"));
    }

    [Fact]
    public async Task ValidationErrorIsReportedBeforeAnIngesterRejection()
    {
        var d = TestDistributor.Create();
        d.Ingester.OnPush = (_, result) => result.Reject(ErrorId.SampleOutOfOrder, 1, () => "ingester says no");
        var request = ManySamples(d.NowMs, 1);
        request.Timeseries.Add(Requests.Series(d.NowMs, 1, "job", "a"));
        var outcome = await d.PushAsync(request);
        Assert.Equal(400, outcome.StatusCode);
        Assert.Contains(ErrorId.Tag(ErrorId.MissingMetricName), outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantMetricsStartAtZeroOnFirstSight()
    {
        var d = TestDistributor.Create();
        await d.Distributor.PushAsync("new-tenant", new byte[] { 0 }, "text/plain", null, CancellationToken.None);
        Assert.Equal(0, d.Metric("metricscluster_distributor_received_samples_total{user=\"new-tenant\"}"));
        Assert.Equal(0, d.Metric("metricscluster_distributor_accepted_samples_total{user=\"new-tenant\"}"));
        Assert.Equal(0, d.Metric("metricscluster_distributor_received_metadata_total{user=\"new-tenant\"}"));
        Assert.Equal(0, d.Metric("metricscluster_distributor_requests_total{user=\"new-tenant\",status_code=\"200\"}"));
        Assert.Equal(1, d.Metric("metricscluster_distributor_requests_total{user=\"new-tenant\",status_code=\"415\"}"));
    }

    [Fact]
    public void InvalidOptionsFailAtConstruction()
    {
        var e = Assert.Throws<ArgumentException>(() => new Distributor(new FakeIngesterClient(), new StaticOverrides(new Limits()), new DistributorOptions { MaxRecvMsgSize = 0 }, new MetricsRegistry(), TimeProvider.System));
        Assert.Contains("-distributor.max-recv-msg-size", e.Message, StringComparison.Ordinal);
    }

    private static WriteRequest ManySamples(long now, int n)
    {
        var series = Requests.Series(now, 0, "__name__", "load");
        for (int i = 1; i < n; i++)
        {
            series.Samples.Add(new Sample { Timestamp = now + i, Value = i });
        }

        return Requests.Of(series);
    }
}
