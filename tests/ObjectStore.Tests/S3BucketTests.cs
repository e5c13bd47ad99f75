using System.Diagnostics;
using MetricsCluster.Core.Metrics;
using Xunit;

namespace MetricsCluster.ObjectStore.Tests;

/// <summary>The bucket contract against moto_server, a real S3 protocol endpoint on loopback.</summary>
public sealed class S3BucketTests : BucketConformance, IClassFixture<MotoServer>
{
    private readonly MotoServer _moto;

    public S3BucketTests(MotoServer moto)
    {
        _moto = moto;
        Bucket = new S3Bucket(moto.Config(moto.CreateBucket()));
    }

    protected override IBucket Bucket { get; }

    [Fact]
    public async Task Listing_pages_through_continuation_tokens()
    {
        using var paged = new S3Bucket(_moto.Config(_moto.CreateBucket())) { ListPageSize = 3 };
        for (int i = 0; i < 7; i++)
        {
            await paged.UploadAsync($"many/{i:D2}", new MemoryStream([1]), Ct);
            await paged.UploadAsync($"many/d{i:D2}/x", new MemoryStream([1]), Ct);
        }

        var recursive = new List<string>();
        await foreach (var k in paged.ListAsync("many/", recursive: true, Ct))
        {
            recursive.Add(k);
        }

        var children = new List<string>();
        await foreach (var k in paged.ListAsync("many", recursive: false, Ct))
        {
            children.Add(k);
        }

        Assert.Equal(14, recursive.Distinct().Count());
        Assert.Equal(14, recursive.Count);
        Assert.Equal(14, children.Distinct().Count());
        Assert.Equal(7, children.Count(c => c.EndsWith('/')));
    }

    [Fact]
    public async Task Missing_bucket_is_a_clear_permanent_error_not_a_missing_object()
    {
        using var bucket = new S3Bucket(_moto.Config("no-such-bucket"));
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => bucket.GetAsync("k", Ct));
        Assert.IsNotType<ObjectNotFoundException>(e);
        Assert.False(e.IsTransient);
        Assert.Contains("no-such-bucket", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_down_fails_with_a_clear_transient_error_and_retries_end_in_time()
    {
        int port = MotoServer.FreePort();
        var config = new S3BucketConfig
        {
            Endpoint = $"127.0.0.1:{port}",
            BucketName = "blocks",
            AccessKeyId = "k",
            SecretAccessKey = "s",
            Insecure = true,
            ForcePathStyle = true,
            RequestTimeout = TimeSpan.FromSeconds(2),
        };
        var registry = new MetricsRegistry();
        using var bucket = new InstrumentedBucket(new S3Bucket(config), registry, maxRetries: 3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => bucket.GetAsync("tenant/01A/meta.json", Ct));
        watch.Stop();

        Assert.True(e.IsTransient);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("blocks", e.Message, StringComparison.Ordinal);
        Assert.Contains("tenant/01A/meta.json", e.Message, StringComparison.Ordinal);

        // Four attempts of at most the 2 s request timeout each, plus at most 3 x 50 ms of backoff.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(9), $"took {watch.Elapsed}");
        Assert.Equal(1, registry.Counter("thanos_objstore_bucket_operation_failures_total", string.Empty, "bucket", "operation").WithLabels("blocks", "get").Value);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_per_request_and_retries_end_in_time()
    {
        // Accepts connections (the kernel backlog does) but never reads or answers.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var config = new S3BucketConfig
        {
            Endpoint = $"127.0.0.1:{port}",
            BucketName = "blocks",
            AccessKeyId = "k",
            SecretAccessKey = "s",
            Insecure = true,
            ForcePathStyle = true,
            RequestTimeout = TimeSpan.FromMilliseconds(500),
        };
        using var bucket = new InstrumentedBucket(new S3Bucket(config), new MetricsRegistry(), maxRetries: 2, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => bucket.ExistsAsync("k", Ct));
        watch.Stop();

        Assert.True(e.IsTransient, e.ToString());
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);

        // Three attempts of 0.5 s plus at most 2 x 50 ms of backoff; the margin absorbs a loaded machine.
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(1400), TimeSpan.FromSeconds(6));
    }
}
