using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// The queue's metrics, with Prometheus' <c>prometheus_remote_storage_*</c> names and labels
/// (<c>remote_name</c>, <c>url</c>) where Prometheus has one (storage/remote/queue_manager.go
/// <c>newQueueManagerMetrics</c>), and <c>metricscluster_agent_queue_*</c> for the on-disk queue.
/// Children are created at construction so every series exists from the start (G6).
/// </summary>
public sealed class QueueMetrics
{
    private const string Remote = "remote_name";
    private const string Url = "url";
    private readonly object _maxLock = new();

    /// <summary>Initializes a new instance of the <see cref="QueueMetrics"/> class.</summary>
    /// <param name="registry">The registry to register in.</param>
    /// <param name="name">The <c>remote_name</c> label value.</param>
    /// <param name="url">The <c>url</c> label value.</param>
    public QueueMetrics(MetricsRegistry registry, string name, string url)
    {
        string[] l = [name, url];
        SamplesPending = registry.Gauge("prometheus_remote_storage_samples_pending", "The number of samples pending in the queues shards to be sent to the remote storage.", Remote, Url).WithLabels(l);
        SamplesSent = registry.Counter("prometheus_remote_storage_samples_total", "Total number of samples sent to remote storage.", Remote, Url).WithLabels(l);
        SamplesFailed = registry.Counter("prometheus_remote_storage_samples_failed_total", "Total number of samples which failed on send to remote storage, non-recoverable errors.", Remote, Url).WithLabels(l);
        SamplesRetried = registry.Counter("prometheus_remote_storage_samples_retried_total", "Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.", Remote, Url).WithLabels(l);
        SentBatchDuration = registry.Histogram("prometheus_remote_storage_sent_batch_duration_seconds", "Duration of send calls to the remote storage.", HistogramFamily.DefaultBuckets, Remote, Url).WithLabels(l);
        HighestTimestamp = registry.Gauge("prometheus_remote_storage_highest_timestamp_in_seconds", "Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.").WithLabels();
        HighestSentTimestamp = registry.Gauge("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.", Remote, Url).WithLabels(l);
        Shards = registry.Gauge("prometheus_remote_storage_shards", "The number of shards used for parallel sending to the remote storage.", Remote, Url).WithLabels(l);
        ShardsMax = registry.Gauge("prometheus_remote_storage_shards_max", "The maximum number of shards that the queue is allowed to run.", Remote, Url).WithLabels(l);
        ShardsMin = registry.Gauge("prometheus_remote_storage_shards_min", "The minimum number of shards that the queue is allowed to run.", Remote, Url).WithLabels(l);
        DiskBytes = registry.Gauge("metricscluster_agent_queue_disk_bytes", "Bytes of the remote-write queue's segment files on disk.", Remote, Url).WithLabels(l);
        DroppedSegments = registry.Counter("metricscluster_agent_queue_dropped_segments_total", "Unsent queue segments deleted because the queue exceeded max_queue_bytes.", Remote, Url).WithLabels(l);
        DroppedBytes = registry.Counter("metricscluster_agent_queue_dropped_bytes_total", "Bytes of unsent queue segments deleted because the queue exceeded max_queue_bytes.", Remote, Url).WithLabels(l);
        CorruptRecords = registry.Counter("metricscluster_agent_queue_corrupt_records_total", "Torn or corrupt queue records skipped by the reader (the rest of their segment is skipped).", Remote, Url).WithLabels(l);
    }

    /// <summary>Gets the samples read from disk but not yet acknowledged.</summary>
    public Gauge SamplesPending { get; }

    /// <summary>Gets the samples acknowledged by the receiver.</summary>
    public Counter SamplesSent { get; }

    /// <summary>Gets the samples dropped after a non-retryable answer (4xx).</summary>
    public Counter SamplesFailed { get; }

    /// <summary>Gets the samples of retried sends (5xx, 429, network errors), once per retry.</summary>
    public Counter SamplesRetried { get; }

    /// <summary>Gets the duration of each send call.</summary>
    public Histogram SentBatchDuration { get; }

    /// <summary>Gets the highest timestamp written to the queue, in seconds.</summary>
    public Gauge HighestTimestamp { get; }

    /// <summary>Gets the highest timestamp acknowledged by the receiver, in seconds.</summary>
    public Gauge HighestSentTimestamp { get; }

    /// <summary>Gets the current shard count.</summary>
    public Gauge Shards { get; }

    /// <summary>Gets the configured max_shards.</summary>
    public Gauge ShardsMax { get; }

    /// <summary>Gets the configured min_shards.</summary>
    public Gauge ShardsMin { get; }

    /// <summary>Gets the on-disk size of the queue.</summary>
    public Gauge DiskBytes { get; }

    /// <summary>Gets the segments dropped over the size limit.</summary>
    public Counter DroppedSegments { get; }

    /// <summary>Gets the bytes dropped over the size limit.</summary>
    public Counter DroppedBytes { get; }

    /// <summary>Gets the torn or corrupt records found by the reader.</summary>
    public Counter CorruptRecords { get; }

    /// <summary>Raises <paramref name="gauge"/> to <paramref name="value"/> if it is higher (shards race here).</summary>
    internal void SetMax(Gauge gauge, double value)
    {
        lock (_maxLock)
        {
            if (gauge.Value < value)
            {
                gauge.Set(value);
            }
        }
    }
}
