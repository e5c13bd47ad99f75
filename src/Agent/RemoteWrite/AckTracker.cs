namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>
/// Turns out-of-order batch completions from the shards into one in-order acknowledged position: a
/// record is acknowledged when all its samples are, and the position only moves over a contiguous
/// prefix of acknowledged records (Prometheus tracks the same with WAL segment markers). Thread-safe.
/// </summary>
internal sealed class AckTracker
{
    private readonly object _lock = new();
    private readonly Queue<PendingRecord> _records = new();
    private QueuePosition _acked;

    /// <summary>Initializes a new instance of the <see cref="AckTracker"/> class.</summary>
    /// <param name="start">Where reading starts: everything before it is acknowledged.</param>
    public AckTracker(QueuePosition start) => _acked = start;

    /// <summary>Gets the position before which everything is acknowledged.</summary>
    public QueuePosition Acked
    {
        get
        {
            lock (_lock)
            {
                return _acked;
            }
        }
    }

    /// <summary>Registers the next record, in read order, with its end position and sample count.</summary>
    public PendingRecord Begin(QueuePosition end, int samples)
    {
        var record = new PendingRecord(end, samples);
        lock (_lock)
        {
            _records.Enqueue(record);
            Advance();
        }

        return record;
    }

    /// <summary>Moves the position past records that have no samples left, e.g. a skipped corrupt tail.</summary>
    public void Skip(QueuePosition end) => Begin(end, 0);

    /// <summary>Acknowledges one sample of each entry (entries may repeat).</summary>
    public void Complete(IReadOnlyList<PendingSample> batch)
    {
        lock (_lock)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                batch[i].Record.Remaining--;
            }

            Advance();
        }
    }

    private void Advance()
    {
        while (_records.Count > 0 && _records.Peek().Remaining == 0)
        {
            var done = _records.Dequeue();
            if (done.End > _acked)
            {
                _acked = done.End;
            }
        }
    }
}

/// <summary>One record read from disk whose samples are in flight. Guarded by its <see cref="AckTracker"/>.</summary>
/// <param name="end">The record's end position.</param>
/// <param name="remaining">Its samples not yet acknowledged.</param>
internal sealed class PendingRecord(QueuePosition end, int remaining)
{
    /// <summary>Gets the position just after the record.</summary>
    public QueuePosition End { get; } = end;

    /// <summary>Gets or sets the samples not yet acknowledged.</summary>
    public int Remaining { get; set; } = remaining;
}

/// <summary>A sample on its way through a shard, with the record it came from.</summary>
/// <param name="Sample">The sample.</param>
/// <param name="Record">The record to acknowledge.</param>
internal readonly record struct PendingSample(ScrapedSample Sample, PendingRecord Record);
