namespace MetricsCluster.Agent.Config;

/// <summary>A remote write <c>queue_config</c>, with Prometheus 2.42's defaults.</summary>
public sealed record QueueConfig
{
    /// <summary>Samples buffered per shard.</summary>
    public int Capacity { get; init; } = 2500;

    /// <summary>The most shards the queue may run.</summary>
    public int MaxShards { get; init; } = 200;

    /// <summary>The fewest shards the queue runs.</summary>
    public int MinShards { get; init; } = 1;

    /// <summary>Samples per request at most.</summary>
    public int MaxSamplesPerSend { get; init; } = 500;

    /// <summary>How long a partial batch waits before it is sent.</summary>
    public TimeSpan BatchSendDeadline { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first retry delay.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>The longest retry delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether HTTP 429 responses are retried like 5xx.</summary>
    public bool RetryOnHttp429 { get; init; }

    internal static QueueConfig Read(YamlMap? m)
    {
        if (m is null)
        {
            return new QueueConfig();
        }

        var d = new QueueConfig();
        var q = new QueueConfig
        {
            Capacity = Positive(m, "capacity", d.Capacity),
            MaxShards = Positive(m, "max_shards", d.MaxShards),
            MinShards = Positive(m, "min_shards", d.MinShards),
            MaxSamplesPerSend = Positive(m, "max_samples_per_send", d.MaxSamplesPerSend),
            BatchSendDeadline = m.Duration("batch_send_deadline") ?? d.BatchSendDeadline,
            MinBackoff = m.Duration("min_backoff") ?? d.MinBackoff,
            MaxBackoff = m.Duration("max_backoff") ?? d.MaxBackoff,
            RetryOnHttp429 = m.Bool("retry_on_http_429") ?? false,
        };
        m.Done();

        // Prometheus does not check these; a queue cannot run with them, so we fail at load instead.
        if (q.MinShards > q.MaxShards)
        {
            m.Fail("min_shards", $"min_shards ({q.MinShards}) must not exceed max_shards ({q.MaxShards})");
        }

        if (q.MinBackoff > q.MaxBackoff)
        {
            m.Fail("min_backoff", "min_backoff must not exceed max_backoff");
        }

        return q;
    }

    private static int Positive(YamlMap m, string key, int fallback)
    {
        ulong? v = m.UInt(key);
        if (v is null)
        {
            return fallback;
        }

        if (v == 0 || v > int.MaxValue)
        {
            m.Fail(key, $"{key} must be between 1 and {int.MaxValue}");
        }

        return (int)v;
    }
}
