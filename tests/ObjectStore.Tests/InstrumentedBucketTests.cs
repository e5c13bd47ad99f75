using System.Text;
using MetricsCluster.Core.Metrics;
using Xunit;

namespace MetricsCluster.ObjectStore.Tests;

/// <summary>Retries and metrics of the decorator, over a fake inner bucket that fails on demand.</summary>
public sealed class InstrumentedBucketTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-instrumented-" + Guid.NewGuid().ToString("N"));
    private readonly MetricsRegistry _registry = new();
    private readonly FlakyBucket _inner;
    private readonly InstrumentedBucket _bucket;

    public InstrumentedBucketTests()
    {
        _inner = new FlakyBucket(new FilesystemBucket(_dir, "b"));
        _bucket = new InstrumentedBucket(_inner, _registry, maxRetries: 3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));
    }

    public void Dispose()
    {
        _bucket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, Exception, int, bool> Errors => new()
    {
        // Error, attempts made before giving up (1 = not retried), whether it counts as a failure.
        { "transient store error", new ObjectStoreException("503", isTransient: true, null), 4, true },
        { "http error", new HttpRequestException("connection reset"), 4, true },
        { "timeout", new TimeoutException(), 4, true },
        { "permanent store error", new ObjectStoreException("403", isTransient: false, null), 1, true },
        { "not found", ObjectNotFoundException.For("b", "k"), 1, false },
        { "bug", new InvalidOperationException(), 1, true },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Retries_only_transient_errors_and_counts_failures_except_not_found(string what, Exception error, int attempts, bool failure)
    {
        _inner.FailNext(10, error);
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => _bucket.AttributesAsync("k"));
        Assert.Same(error, thrown);
        Assert.True(attempts == _inner.Calls, $"{what}: {_inner.Calls} attempts");
        Assert.Equal(1, Ops("attributes"));
        Assert.Equal(failure ? 1 : 0, Failures("attributes"));
    }

    [Fact]
    public async Task A_transient_failure_is_retried_until_it_succeeds()
    {
        await _bucket.UploadAsync("k", new MemoryStream("v"u8.ToArray()));
        _inner.FailNext(2, new ObjectStoreException("503", isTransient: true, null));
        _inner.Calls = 0;

        using var reader = new StreamReader(await _bucket.GetAsync("k"));
        Assert.Equal("v", await reader.ReadToEndAsync());
        Assert.Equal(3, _inner.Calls);
        Assert.Equal(1, Ops("get"));
        Assert.Equal(0, Failures("get"));
    }

    [Fact]
    public async Task A_retried_upload_sends_the_whole_stream_again()
    {
        _inner.FailNext(1, new ObjectStoreException("reset", isTransient: true, null), consumeUpload: true);
        var content = new MemoryStream(Encoding.UTF8.GetBytes("xxpayload")) { Position = 2 };
        await _bucket.UploadAsync("k", content);
        using var reader = new StreamReader(await _bucket.GetAsync("k"));
        Assert.Equal("payload", await reader.ReadToEndAsync());
        Assert.Equal(3, _inner.Calls);
    }

    [Fact]
    public async Task A_listing_is_retried_whole_and_yields_each_key_once()
    {
        await _bucket.UploadAsync("t/a", new MemoryStream([1]));
        await _bucket.UploadAsync("t/b", new MemoryStream([1]));
        _inner.FailListAfterFirst = true;

        var keys = new List<string>();
        await foreach (var k in _bucket.ListAsync("t", recursive: true))
        {
            keys.Add(k);
        }

        Assert.Equal(["t/a", "t/b"], keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, Ops("iter"));
    }

    [Fact]
    public async Task Metrics_are_exported_with_thanos_names_and_every_operation_from_the_start()
    {
        await _bucket.UploadAsync("k", new MemoryStream([1, 2, 3]));
        await _bucket.ExistsAsync("k");
        await _bucket.ExistsAsync("missing");
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => _bucket.GetAsync("missing"));

        string text = _registry.WriteText();
        Assert.Contains("thanos_objstore_bucket_operations_total{bucket=\"b\",operation=\"upload\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("thanos_objstore_bucket_operations_total{bucket=\"b\",operation=\"exists\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("thanos_objstore_bucket_operations_total{bucket=\"b\",operation=\"get\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("thanos_objstore_bucket_operations_total{bucket=\"b\",operation=\"delete\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("thanos_objstore_bucket_operation_failures_total{bucket=\"b\",operation=\"get\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("thanos_objstore_bucket_operation_duration_seconds_count{bucket=\"b\",operation=\"exists\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE thanos_objstore_bucket_operation_duration_seconds histogram", text, StringComparison.Ordinal);
        foreach (var op in InstrumentedBucket.Operations)
        {
            Assert.Contains($"thanos_objstore_bucket_operation_failures_total{{bucket=\"b\",operation=\"{op}\"}}", text, StringComparison.Ordinal);
        }
    }

    private double Ops(string op) =>
        _registry.Counter("thanos_objstore_bucket_operations_total", string.Empty, "bucket", "operation").WithLabels("b", op).Value;

    private double Failures(string op) =>
        _registry.Counter("thanos_objstore_bucket_operation_failures_total", string.Empty, "bucket", "operation").WithLabels("b", op).Value;

    /// <summary>Delegates to a real bucket, failing the next N calls with a given error.</summary>
    private sealed class FlakyBucket(IBucket inner) : IBucket
    {
        private int _failuresLeft;
        private Exception? _error;
        private bool _consumeUpload;

        public int Calls { get; set; }

        public bool FailListAfterFirst { get; set; }

        public string Name => inner.Name;

        public void FailNext(int count, Exception error, bool consumeUpload = false)
        {
            _failuresLeft = count;
            _error = error;
            _consumeUpload = consumeUpload;
        }

        public async Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default)
        {
            if (_consumeUpload && _failuresLeft > 0)
            {
                // Like a connection reset mid-body: the stream has been read when the error arrives.
                await content.CopyToAsync(Stream.Null, cancellationToken);
            }

            Fail();
            await inner.UploadAsync(key, content, cancellationToken);
        }

        public Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            Fail();
            return inner.GetAsync(key, cancellationToken);
        }

        public Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
        {
            Fail();
            return inner.GetRangeAsync(key, offset, length, cancellationToken);
        }

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
        {
            Fail();
            return inner.ExistsAsync(key, cancellationToken);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            Fail();
            return inner.DeleteAsync(key, cancellationToken);
        }

        public async IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Fail();
            bool first = true;
            await foreach (var k in inner.ListAsync(prefix, recursive, cancellationToken))
            {
                if (!first && FailListAfterFirst)
                {
                    FailListAfterFirst = false;
                    throw new HttpRequestException("reset mid-listing");
                }

                first = false;
                yield return k;
            }
        }

        public Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default)
        {
            Fail();
            return inner.AttributesAsync(key, cancellationToken);
        }

        public void Dispose() => inner.Dispose();

        private void Fail()
        {
            Calls++;
            if (_failuresLeft > 0)
            {
                _failuresLeft--;
                throw _error!;
            }
        }
    }
}
