using System.Runtime.CompilerServices;
using MetricsCluster.Core.Metrics;
using Polly;
using Polly.Retry;

namespace MetricsCluster.ObjectStore;

/// <summary>
/// Decorates a bucket with retries of transient failures and per-operation metrics, named as in Thanos
/// objstore so Mimir dashboards work: <c>thanos_objstore_bucket_operations_total</c>,
/// <c>thanos_objstore_bucket_operation_failures_total</c> and
/// <c>thanos_objstore_bucket_operation_duration_seconds</c>, labelled <c>{bucket, operation}</c>.
/// </summary>
/// <remarks>
/// <para>An operation is counted once however many attempts it took; the duration covers all attempts and
/// backoffs (for gets, until the stream is opened, not until it is read). A missing object is an expected
/// outcome: it is neither retried nor counted as a failure (Thanos <c>IsObjNotFoundErr</c>).</para>
/// <para>Retried errors: <see cref="ObjectStoreException.IsTransient"/>, <see cref="HttpRequestException"/>
/// and <see cref="TimeoutException"/>. An upload is retried only when its stream can seek back to where it
/// started. A listing is collected in full inside the retry, so a retry never yields an entry twice.</para>
/// </remarks>
public sealed class InstrumentedBucket : IBucket
{
    /// <summary>The <c>operation</c> label values, as in Thanos objstore.</summary>
    public static readonly string[] Operations = ["get", "get_range", "exists", "upload", "delete", "iter", "attributes"];

    private static readonly double[] s_durationBuckets = [0.01, 0.1, 0.3, 0.6, 1, 3, 6, 9, 20, 30, 60, 90, 120];

    private readonly IBucket _inner;
    private readonly ResiliencePipeline _retry;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (Counter Ops, Counter Failures, Histogram Duration)> _metrics = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="InstrumentedBucket"/> class; owns (disposes) <paramref name="inner"/>.</summary>
    /// <param name="inner">The bucket to decorate.</param>
    /// <param name="registry">Where the metrics are registered.</param>
    /// <param name="maxRetries">Retries after the first attempt; 0 disables retries.</param>
    /// <param name="minBackoff">The first retry delay; later ones grow exponentially, with jitter.</param>
    /// <param name="maxBackoff">The longest retry delay.</param>
    /// <param name="timeProvider">The clock for backoff delays (G6); defaults to the system clock.</param>
    public InstrumentedBucket(IBucket inner, MetricsRegistry registry, int maxRetries, TimeSpan minBackoff, TimeSpan maxBackoff, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        _inner = inner;
        _time = timeProvider ?? TimeProvider.System;

        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (maxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = minBackoff,
                MaxDelay = maxBackoff,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            });
        }

        _retry = builder.Build();

        var ops = registry.Counter("thanos_objstore_bucket_operations_total", "Total number of all attempted operations against a bucket.", "bucket", "operation");
        var failures = registry.Counter("thanos_objstore_bucket_operation_failures_total", "Total number of operations against a bucket that failed, but were not expected to fail in certain way from caller perspective.", "bucket", "operation");
        var duration = registry.Histogram("thanos_objstore_bucket_operation_duration_seconds", "Duration of successful operations against the remote storage bucket.", s_durationBuckets, "bucket", "operation");

        // G6: every label value exists from the start, so rate() sees zeros rather than absent series.
        foreach (var op in Operations)
        {
            _metrics[op] = (ops.WithLabels(inner.Name, op), failures.WithLabels(inner.Name, op), duration.WithLabels(inner.Name, op));
        }
    }

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <summary>Tells whether the decorator retries <paramref name="e"/>.</summary>
    /// <param name="e">The error.</param>
    /// <returns><see langword="true"/> for transient errors; never for <see cref="ObjectNotFoundException"/>.</returns>
    public static bool IsTransient(Exception e) => e switch
    {
        ObjectNotFoundException => false,
        ObjectStoreException s => s.IsTransient,
        HttpRequestException or TimeoutException => true,
        _ => false,
    };

    /// <inheritdoc />
    public Task UploadAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        long start = content.CanSeek ? content.Position : -1;
        return Observe("upload", cancellationToken, async ct =>
        {
            if (start >= 0)
            {
                content.Position = start;
            }

            await _inner.UploadAsync(key, content, ct).ConfigureAwait(false);
            return true;
        }, retry: start >= 0);
    }

    /// <inheritdoc />
    public Task<Stream> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Observe("get", cancellationToken, ct => _inner.GetAsync(key, ct));

    /// <inheritdoc />
    public Task<Stream> GetRangeAsync(string key, long offset, long length, CancellationToken cancellationToken = default) =>
        Observe("get_range", cancellationToken, ct => _inner.GetRangeAsync(key, offset, length, ct));

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Observe("exists", cancellationToken, ct => _inner.ExistsAsync(key, ct));

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        Observe("delete", cancellationToken, async ct =>
        {
            await _inner.DeleteAsync(key, ct).ConfigureAwait(false);
            return true;
        });

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var keys = await Observe("iter", cancellationToken, async ct =>
        {
            var list = new List<string>();
            await foreach (var k in _inner.ListAsync(prefix, recursive, ct).ConfigureAwait(false))
            {
                list.Add(k);
            }

            return list;
        }).ConfigureAwait(false);
        foreach (var k in keys)
        {
            yield return k;
        }
    }

    /// <inheritdoc />
    public Task<ObjectAttributes> AttributesAsync(string key, CancellationToken cancellationToken = default) =>
        Observe("attributes", cancellationToken, ct => _inner.AttributesAsync(key, ct));

    /// <summary>Disposes the inner bucket.</summary>
    public void Dispose() => _inner.Dispose();

    private async Task<T> Observe<T>(string operation, CancellationToken cancellationToken, Func<CancellationToken, Task<T>> call, bool retry = true)
    {
        var (ops, failures, duration) = _metrics[operation];
        ops.Inc();
        long started = _time.GetTimestamp();
        try
        {
            T result = retry
                ? await _retry.ExecuteAsync(static async (state, ct) => await state(ct).ConfigureAwait(false), call, cancellationToken).ConfigureAwait(false)
                : await call(cancellationToken).ConfigureAwait(false);
            duration.Observe(_time.GetElapsedTime(started).TotalSeconds);
            return result;
        }
        catch (ObjectNotFoundException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch
        {
            failures.Inc();
            throw;
        }
    }
}
