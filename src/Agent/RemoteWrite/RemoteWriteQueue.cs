using MetricsCluster.Core.Metrics;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// The agent's remote-write path (Prometheus <c>storage/remote/queue_manager.go</c> fed by the agent WAL):
/// <see cref="WriteAsync"/> appends each scrape durably to the on-disk queue and returns; a background
/// reader follows the queue and routes samples by series hash to parallel <see cref="Shard"/>s, which
/// batch and send them with retries. The acknowledged position is persisted, so after a restart only
/// unacknowledged records are resent (at-least-once), and acknowledged segments are deleted.
/// </summary>
public sealed class RemoteWriteQueue : ISampleSink, IAsyncDisposable
{
    private readonly RemoteWriteOptions _options;
    private readonly QueueMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DiskQueueWriter _writer;
    private readonly AckTracker _tracker;
    private readonly Shard[] _shards;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _persistLock = new();
    private readonly Task[] _tasks;
    private QueuePosition _persisted;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="RemoteWriteQueue"/> class and starts sending.</summary>
    /// <param name="options">The queue settings; validated here.</param>
    /// <param name="transport">Where batches go.</param>
    /// <param name="registry">The metrics registry.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="time">The clock for deadlines and backoff.</param>
    public RemoteWriteQueue(RemoteWriteOptions options, IRemoteWriteTransport transport, MetricsRegistry registry, ILogger<RemoteWriteQueue> logger, TimeProvider time)
    {
        options.Validate(requireUrl: false);
        _options = options;
        _logger = logger;
        _time = time;
        _metrics = new QueueMetrics(registry, options.EffectiveName, transport.Endpoint);
        _metrics.ShardsMin.Set(options.MinShards);
        _metrics.ShardsMax.Set(options.MaxShards);
        _writer = new DiskQueueWriter(options.QueueDirectory, options.SegmentSize, options.MaxQueueBytes, _metrics, logger);
        QueuePosition start;
        try
        {
            start = AckPositionFile.TryRead(options.QueueDirectory)
                ?? new QueuePosition(_writer.SegmentAtOrAfter(0) ?? 0, QueueFormat.SegmentHeaderSize);
        }
        catch
        {
            // Release the directory lock and segment handle if the ack file cannot be read.
            _writer.Dispose();
            throw;
        }

        _persisted = start;
        _tracker = new AckTracker(start);
        _shards = new Shard[options.MinShards];
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(options, transport, _tracker, _metrics, logger, time);
        }

        _metrics.Shards.Set(_shards.Length);
        var reader = new DiskQueueReader(options.QueueDirectory, _writer, _metrics, logger);
        _tasks = [
            Run(() => reader.RunAsync(start, DispatchAsync, _stop.Token)),
            Run(PersistLoopAsync),
            .. _shards.Select(s => Run(() => s.RunAsync(_stop.Token))),
        ];
    }

    /// <summary>Gets the position before which every sample has been acknowledged (for tests and status pages).</summary>
    public QueuePosition Acknowledged => _tracker.Acked;

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (batch.Count == 0)
        {
            return;
        }

        await _writer.AppendAsync(QueueFormat.EncodeRecord(batch), cancellationToken);
        long highest = long.MinValue;
        for (int i = 0; i < batch.Count; i++)
        {
            highest = Math.Max(highest, batch[i].TimestampMs);
        }

        _metrics.SetMax(_metrics.HighestTimestamp, highest / 1000.0);
    }

    /// <summary>
    /// Stops sending (in-flight requests are cancelled, their samples stay unacknowledged on disk),
    /// persists the acknowledged position and closes the queue. A new queue on the same directory
    /// resends whatever was not acknowledged.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_tasks);
        // What was pending stays on disk for the next queue, which counts it again when it reads it.
        _metrics.SamplesPending.Set(0);
        Persist();
        _writer.Dispose();
        _stop.Dispose();
    }

    private Task Run(Func<Task> loop) => Task.Run(async () =>
    {
        try
        {
            await loop();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutdown.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Remote-write queue {Name} loop failed", _options.EffectiveName);
        }
    });

    private async ValueTask DispatchAsync(QueuePosition end, List<ScrapedSample> samples, CancellationToken cancellationToken)
    {
        var record = _tracker.Begin(end, samples.Count);
        foreach (var sample in samples)
        {
            // A series always maps to the same shard, which sends one batch at a time: per-series order holds.
            var shard = _shards[(int)(sample.Labels.Hash % (ulong)_shards.Length)];
            await shard.Input.WriteAsync(new PendingSample(sample, record), cancellationToken);
            _metrics.SamplesPending.Add(1);
        }
    }

    private async Task PersistLoopAsync()
    {
        while (true)
        {
            await Task.Delay(_options.AckPersistInterval, _time, _stop.Token);
            Persist();
        }
    }

    private void Persist()
    {
        lock (_persistLock)
        {
            var acked = _tracker.Acked;
            if (acked == _persisted)
            {
                return;
            }

            AckPositionFile.Write(_options.QueueDirectory, acked);
            _persisted = acked;
            _writer.DeleteBefore(acked.Segment);
        }
    }
}
