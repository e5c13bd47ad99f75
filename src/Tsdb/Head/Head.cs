using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// The in-memory part of one tenant's TSDB, as Prometheus' head: series in XOR chunks, an inverted
/// index, and a WAL that holds every accepted sample before an append returns. Thread-safe.
/// Split by concern (G20): Head.Append.cs (write path), Head.Read.cs (queries), Head.Replay.cs (WAL replay), Head.Truncate.cs (cutting blocks).
/// </summary>
public sealed partial class Head : IDisposable
{
    private readonly HeadOptions _options;
    private readonly IHeadChunkStore _chunks;
    private WriteAheadLog? _wal;
    private readonly StripeSeries _series;
    private readonly MemPostings _postings = new();
    private readonly object _walLock = new();
    private long _lastRef;
    private long _numSeries;
    private long _minTime = long.MaxValue;
    private long _maxTime = long.MinValue;
    private long _minValidTime = long.MinValue;

    // WAL refs that replay mapped to another series with the same labels (a series removed by truncation and
    // re-created under a new ref before a crash). The checkpoint must keep them while that series lives, or the
    // samples logged under the alias would be dropped (Prometheus keeps such refs the same way).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, MemSeries> _walAliases = new();

    // Appends hold it shared for a whole batch; truncation and SetMinValidTime hold it exclusively, so a
    // series is never removed between an append's check and apply phases, and no append checked against an
    // old minimum lands behind a new one.
    private readonly ReaderWriterLockSlim _appendGate = new(LockRecursionPolicy.NoRecursion);

    /// <summary>Creates an empty head; samples are logged to <paramref name="wal"/> when given.</summary>
    public Head(HeadOptions options, WriteAheadLog? wal)
    {
        options.Validate();
        _options = options;
        _wal = wal;
        _series = new StripeSeries(options.StripeSize);
        _chunks = options.ChunkDirectory is null
            ? new MemoryHeadChunkStore()
            : ChunkDiskMapper.Open(options.ChunkDirectory, options.ChunkSegmentBytes);
    }

    /// <summary>Closes the head chunk files; the head must not be used afterwards.</summary>
    public void Dispose()
    {
        _chunks.Dispose();
    }

    /// <summary>Starts logging to <paramref name="wal"/>; call after <see cref="Replay"/> and before the first append.</summary>
    public Head AttachWal(WriteAheadLog wal)
    {
        _wal = wal;
        return this;
    }

    /// <summary>Number of series in memory.</summary>
    public long NumSeries => Interlocked.Read(ref _numSeries);

    /// <summary>Oldest sample timestamp, long.MaxValue when empty.</summary>
    public long MinTime => Interlocked.Read(ref _minTime);

    /// <summary>Newest sample timestamp, long.MinValue when empty.</summary>
    public long MaxTime => Interlocked.Read(ref _maxTime);

    private MemSeries NewSeries(ReadOnlySpan<byte> labels, ulong hash)
    {
        var s = new MemSeries((ulong)Interlocked.Increment(ref _lastRef), Core.Labels.FromEncoded(labels, hash), _chunks);
        return s;
    }

    private void OnSeriesCreated(MemSeries s)
    {
        Interlocked.Increment(ref _numSeries);
        _postings.Add(s.Ref, s.Labels);
    }

    private void UpdateTimeBounds(long mint, long maxt)
    {
        long cur;
        while (mint < (cur = Interlocked.Read(ref _minTime)) && Interlocked.CompareExchange(ref _minTime, mint, cur) != cur)
        {
        }

        while (maxt > (cur = Interlocked.Read(ref _maxTime)) && Interlocked.CompareExchange(ref _maxTime, maxt, cur) != cur)
        {
        }
    }
}
