namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// One <c>remote_write</c> entry: the endpoint and its credentials (used by
/// <see cref="HttpRemoteWriteTransport"/>) and the queue settings (used by <see cref="RemoteWriteQueue"/>).
/// Defaults are Prometheus' <c>config.DefaultQueueConfig</c> and <c>DefaultRemoteWriteConfig</c> (G5).
/// </summary>
public sealed class RemoteWriteOptions
{
    /// <summary>Gets or sets the receiver URL (<c>url</c>); required by the HTTP transport.</summary>
    public Uri? Url { get; set; }

    /// <summary>Gets or sets the name used in metrics and logs (<c>name</c>); defaults to the URL.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets extra request headers (<c>headers</c>), e.g. <c>X-Scope-OrgID</c>.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the basic-auth user (<c>basic_auth.username</c>).</summary>
    public string? BasicAuthUsername { get; set; }

    /// <summary>Gets or sets the basic-auth password (<c>basic_auth.password</c>).</summary>
    public string? BasicAuthPassword { get; set; }

    /// <summary>Gets or sets the bearer token (<c>authorization.credentials</c>).</summary>
    public string? BearerToken { get; set; }

    /// <summary>Gets or sets the timeout of one request (<c>remote_timeout</c>).</summary>
    public TimeSpan RemoteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the directory of the on-disk queue (<c>queue_directory</c>); required.</summary>
    public string QueueDirectory { get; set; } = string.Empty;

    /// <summary>Gets or sets the samples buffered in memory per shard (<c>queue_config.capacity</c>).</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>Gets or sets the upper shard bound (<c>queue_config.max_shards</c>).</summary>
    public int MaxShards { get; set; } = 50;

    /// <summary>
    /// Gets or sets the shard count (<c>queue_config.min_shards</c>). Not yet: Prometheus' dynamic
    /// resharding between min and max; the queue runs exactly this many shards.
    /// </summary>
    public int MinShards { get; set; } = 1;

    /// <summary>Gets or sets the largest batch (<c>queue_config.max_samples_per_send</c>).</summary>
    public int MaxSamplesPerSend { get; set; } = 2000;

    /// <summary>Gets or sets how long a shard waits to fill a batch (<c>queue_config.batch_send_deadline</c>).</summary>
    public TimeSpan BatchSendDeadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the first retry delay (<c>queue_config.min_backoff</c>).</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Gets or sets the retry delay cap (<c>queue_config.max_backoff</c>).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets a value indicating whether 429 is retried (<c>queue_config.retry_on_http_429</c>); otherwise dropped like other 4xx.</summary>
    public bool RetryOnHttp429 { get; set; } = true;

    /// <summary>Gets or sets the size at which a queue segment is cut (<c>queue_config.segment_size</c>).</summary>
    public long SegmentSize { get; set; } = 16 << 20;

    /// <summary>
    /// Gets or sets the on-disk queue bound (<c>queue_config.max_queue_bytes</c>): beyond it the oldest
    /// segments are deleted unsent and counted (docs/format/agent-queue.md section 6).
    /// </summary>
    public long MaxQueueBytes { get; set; } = 1L << 30;

    /// <summary>Gets or sets how often the acknowledged position is persisted (<c>queue_config.ack_persist_interval</c>).</summary>
    public TimeSpan AckPersistInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the name for metrics and logs: <see cref="Name"/>, else the URL.</summary>
    public string EffectiveName => Name.Length > 0 ? Name : Url?.ToString() ?? "default";

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending key.</summary>
    /// <param name="requireUrl">Whether <c>url</c> must be set (HTTP transport).</param>
    public void Validate(bool requireUrl)
    {
        Check(!requireUrl || (Url is not null && (Url.Scheme == Uri.UriSchemeHttp || Url.Scheme == Uri.UriSchemeHttps)), "url", "must be an absolute http(s) URL");
        Check(QueueDirectory.Length > 0, "queue_directory", "must be set");
        Check(Capacity > 0, "queue_config.capacity", "must be positive");
        Check(MinShards > 0, "queue_config.min_shards", "must be positive");
        Check(MaxShards >= MinShards, "queue_config.max_shards", "must be at least min_shards");
        Check(MaxSamplesPerSend > 0, "queue_config.max_samples_per_send", "must be positive");
        Check(BatchSendDeadline > TimeSpan.Zero, "queue_config.batch_send_deadline", "must be positive");
        Check(MinBackoff > TimeSpan.Zero, "queue_config.min_backoff", "must be positive");
        Check(MaxBackoff >= MinBackoff, "queue_config.max_backoff", "must be at least min_backoff");
        Check(RemoteTimeout > TimeSpan.Zero, "remote_timeout", "must be positive");
        Check(SegmentSize >= 1024, "queue_config.segment_size", "must be at least 1024 bytes");
        Check(MaxQueueBytes >= SegmentSize, "queue_config.max_queue_bytes", "must be at least segment_size");
        Check(AckPersistInterval > TimeSpan.Zero, "queue_config.ack_persist_interval", "must be positive");
        Check(BearerToken is null || BasicAuthUsername is null, "authorization", "basic_auth and a bearer token are mutually exclusive");
    }

    private static void Check(bool ok, string key, string message)
    {
        if (!ok)
        {
            throw new ArgumentException($"remote_write: {key} {message}");
        }
    }
}
