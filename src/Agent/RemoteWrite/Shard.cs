using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// One sending lane (Prometheus' <c>shards.runShard</c>): buffers up to <c>capacity</c> samples, sends a
/// batch when it holds <c>max_samples_per_send</c> or <c>batch_send_deadline</c> has passed since its first
/// sample, and retries it until it is acknowledged or rejected with a non-retryable status. One batch
/// at a time, so the samples of a series (always routed to the same shard) arrive in order.
/// </summary>
internal sealed class Shard
{
    private readonly Channel<PendingSample> _queue;
    private readonly RemoteWriteOptions _options;
    private readonly IRemoteWriteTransport _transport;
    private readonly AckTracker _tracker;
    private readonly QueueMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="Shard"/> class.</summary>
    public Shard(RemoteWriteOptions options, IRemoteWriteTransport transport, AckTracker tracker, QueueMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _transport = transport;
        _tracker = tracker;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _queue = Channel.CreateBounded<PendingSample>(new BoundedChannelOptions(options.Capacity) { SingleReader = true, SingleWriter = true });
    }

    /// <summary>Gets the input; writing waits while the shard is full (back-pressure on the disk reader).</summary>
    public ChannelWriter<PendingSample> Input => _queue.Writer;

    /// <summary>Sends batches until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<PendingSample>(_options.MaxSamplesPerSend);
        while (await _queue.Reader.WaitToReadAsync(cancellationToken))
        {
            await FillAsync(batch, cancellationToken);
            await SendAsync(batch, cancellationToken);
            _tracker.Complete(batch);
            _metrics.SamplesPending.Add(-batch.Count);
            batch.Clear();
        }
    }

    private async Task FillAsync(List<PendingSample> batch, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.BatchSendDeadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        while (true)
        {
            while (batch.Count < _options.MaxSamplesPerSend && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count >= _options.MaxSamplesPerSend)
            {
                return;
            }

            try
            {
                if (!await _queue.Reader.WaitToReadAsync(linked.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The batch deadline passed: send what we have.
                return;
            }
        }
    }

    private async Task SendAsync(List<PendingSample> batch, CancellationToken cancellationToken)
    {
        byte[] body = WriteRequestEncoder.Encode(batch);
        var backoff = _options.MinBackoff;
        for (int attempt = 0; ; attempt++)
        {
            long started = _time.GetTimestamp();
            RemoteWriteResponse? response = null;
            Exception? error = null;
            try
            {
                response = await _transport.SendAsync(body, attempt, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                error = ex;
            }

            _metrics.SentBatchDuration.Observe(_time.GetElapsedTime(started).TotalSeconds);
            if (response is { IsSuccess: true })
            {
                Sent(batch);
                return;
            }

            if (response is { } r && !IsRetryable(r.StatusCode))
            {
                Drop(batch, r);
                return;
            }

            _metrics.SamplesRetried.Add(batch.Count);
            var delay = response?.RetryAfter ?? backoff;
            LogRetry(attempt, batch.Count, response, error, delay);
            await Task.Delay(delay, _time, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    // Never drop on 5xx: the receiver may recover, and the queue on disk absorbs the wait.
    private bool IsRetryable(int status) => status >= 500 || (status == 429 && _options.RetryOnHttp429);

    private void Sent(List<PendingSample> batch)
    {
        _metrics.SamplesSent.Add(batch.Count);
        long highest = long.MinValue;
        foreach (var p in batch)
        {
            highest = Math.Max(highest, p.Sample.TimestampMs);
        }

        _metrics.SetMax(_metrics.HighestSentTimestamp, highest / 1000.0);
    }

    private void Drop(List<PendingSample> batch, RemoteWriteResponse response)
    {
        _metrics.SamplesFailed.Add(batch.Count);
        _logger.LogWarning(
            "Remote write to {Endpoint} rejected a batch of {Samples} samples with status {Status}, dropping it (not retryable): {Body}",
            _transport.Endpoint,
            batch.Count,
            response.StatusCode,
            response.BodyExcerpt);
    }

    private void LogRetry(int attempt, int samples, RemoteWriteResponse? response, Exception? error, TimeSpan delay)
    {
        // Log-sampled (G17): the first failure and then every tenth retry of the same batch.
        if (attempt % 10 != 0)
        {
            return;
        }

        if (error is not null)
        {
            _logger.LogWarning("Remote write to {Endpoint} failed ({Samples} samples, attempt {Attempt}): {Error}; retrying in {Delay}", _transport.Endpoint, samples, attempt + 1, error.Message, delay);
        }
        else
        {
            _logger.LogWarning("Remote write to {Endpoint} answered {Status} ({Samples} samples, attempt {Attempt}): {Body}; retrying in {Delay}", _transport.Endpoint, response!.Value.StatusCode, samples, attempt + 1, response.Value.BodyExcerpt, delay);
        }
    }
}
