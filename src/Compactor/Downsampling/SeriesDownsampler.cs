using MetricsCluster.Tsdb.Block;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Compactor.Downsampling;

/// <summary>
/// Downsamples one series at a time as its samples stream in (Thanos' <c>downsampleRawLoop</c> and
/// <c>downsampleAggrLoop</c>, without holding the series): windows of <c>resolution</c> aligned to the epoch, each
/// stamped with its last millisecond, except the last window of a chunk, stamped with the chunk's last input
/// timestamp so no chunk reaches past its data. Each full chunk is written to the segment writer at once; only the
/// open chunk and the series' chunk metas are in memory. Reused for every series; not thread-safe.
/// </summary>
/// <remarks>
/// Raw input (<see cref="AddRaw"/>): NaNs (stale markers included) are dropped, as Thanos does; a chunk is cut at a
/// window boundary once it holds <c>windowsPerChunk</c> windows. Aggregate input (5m → 1h): every input chunk is
/// announced with <see cref="BeginInputChunk"/> and a chunk is cut only there, because the counter sub-chunk's first
/// and last values are true raw values only at the input's chunk boundaries (Thanos cuts along them too).
/// </remarks>
internal sealed class SeriesDownsampler(ChunkSegmentWriter writer, long resolution, int windowsPerChunk)
{
    private readonly AggrChunkBuilder _builder = new();
    private readonly List<ChunkMeta> _chunks = [];
    private WindowAggregate _stats;
    private WindowAggregate _counter;
    private CounterResets _resets;
    private long _lastStatsT;
    private long _lastCounterT;
    private double _lastRaw;

    /// <summary>Windows written since the writer was created (the block's sample count).</summary>
    public ulong TotalWindows { get; private set; }

    /// <summary>The current series' chunk metas, valid until <see cref="Reset"/>.</summary>
    public List<ChunkMeta> Chunks => _chunks;

    /// <summary>Starts a new series.</summary>
    public void Reset()
    {
        _chunks.Clear();
        StartChunk();
    }

    /// <summary>Adds one raw sample; timestamps must increase.</summary>
    public void AddRaw(long t, double v)
    {
        if (double.IsNaN(v))
        {
            return;
        }

        if (_stats.Open && t > _stats.End && _builder.Windows + 1 >= windowsPerChunk)
        {
            // The open window is the chunk's last: cut before this sample's window starts.
            CutChunk();
        }

        if (!_builder.HasCounter)
        {
            // The chunk's first raw value, so readers see resets between chunks (Thanos' ApplyCounterResetsSeriesIterator).
            _builder.AddCounter(t, v);
        }

        FeedStats(t, 1, v, v, v);
        FeedCounter(t, v);
        _lastRaw = v;
    }

    /// <summary>Announces the next input aggregate chunk; cuts the output chunk there once it is full.</summary>
    public void BeginInputChunk()
    {
        if (_builder.Windows >= windowsPerChunk)
        {
            CutChunk();
        }
    }

    /// <summary>Adds one input window's count, sum, min and max (aggregate input).</summary>
    public void AddAggrStats(long t, double count, double sum, double min, double max)
    {
        if (!double.IsNaN(count))
        {
            FeedStats(t, count, sum, min, max);
        }
    }

    /// <summary>Adds one sample of an input counter sub-chunk, as stored (first raw, windows, last raw).</summary>
    public void AddAggrCounter(long t, double v)
    {
        if (!_resets.Add(t, v, out long outT, out double outV))
        {
            _lastRaw = _resets.LastRaw;
            return;
        }

        if (!_builder.HasCounter)
        {
            _builder.AddCounter(outT, outV);
        }

        FeedCounter(outT, outV);
        _lastRaw = _resets.LastRaw;
    }

    /// <summary>Ends the series: writes the open chunk.</summary>
    public void Finish() => CutChunk();

    private void FeedStats(long t, double count, double sum, double min, double max)
    {
        if (_stats.Open && t > _stats.End)
        {
            _builder.AddWindow(_stats.End, _stats.Count, _stats.Sum, _stats.Min, _stats.Max);
            _stats.Open = false;
        }

        if (!_stats.Open)
        {
            _stats.OpenWindow(DownsampleResolution.WindowEnd(t, resolution));
        }

        _stats.AddStats(count, sum, min, max);
        _lastStatsT = t;
    }

    private void FeedCounter(long t, double v)
    {
        if (_counter.Open && t > _counter.End)
        {
            _builder.AddCounter(_counter.End, _counter.Counter);
            _counter.Open = false;
        }

        if (!_counter.Open)
        {
            _counter.OpenWindow(DownsampleResolution.WindowEnd(t, resolution));
        }

        _counter.AddCounter(v);
        _lastCounterT = t;
    }

    // The open windows close at the chunk's last input timestamp (Thanos caps them so), then the counter sub-chunk
    // gets the last raw value at that same timestamp.
    private void CutChunk()
    {
        if (_stats.Open)
        {
            _builder.AddWindow(Math.Min(_stats.End, _lastStatsT), _stats.Count, _stats.Sum, _stats.Min, _stats.Max);
        }

        if (_counter.Open)
        {
            long last = Math.Min(_counter.End, _lastCounterT);
            _builder.AddCounter(last, _counter.Counter);
            _builder.AddCounter(last, _lastRaw);
        }

        if (!_builder.IsEmpty && _builder.Windows > 0)
        {
            _chunks.Add(new ChunkMeta(_builder.MinT, _builder.MaxT, writer.WriteChunk(ChunkEncoding.Aggr, _builder.Encode())));
            TotalWindows += (ulong)_builder.Windows;
        }

        StartChunk();
    }

    private void StartChunk()
    {
        _builder.Reset();
        _stats.ResetChunk();
        _counter.ResetChunk();
        _resets = default;
    }
}
