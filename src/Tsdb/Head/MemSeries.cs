using MetricsCluster.Core;
using MetricsCluster.Tsdb.Chunks;

namespace MetricsCluster.Tsdb.Head;

/// <summary>
/// One in-memory series: its labels, closed chunks and the open head chunk. None of its members are
/// thread-safe: callers hold <see cref="Enter"/>/<see cref="Exit"/> around every use (G12).
/// </summary>
internal sealed class MemSeries
{
    // See SpinGate: held for a few appends at most.
    private int _lock;

    internal MemSeries(ulong seriesRef, Labels labels, IHeadChunkStore chunks)
    {
        Ref = seriesRef;
        Labels = labels;
        _chunks = chunks;
    }

    /// <summary>The head-local series reference, also used in WAL records.</summary>
    internal ulong Ref { get; }

    internal Labels Labels { get; }

    /// <summary>Timestamp of the newest sample; long.MinValue when empty.</summary>
    internal long MaxTime { get; private set; } = long.MinValue;

    /// <summary>Timestamp of the oldest sample held; long.MaxValue when empty.</summary>
    internal long MinTime { get; private set; } = long.MaxValue;

    /// <summary>Value of the newest sample (NaN payload kept).</summary>
    internal double LastValue => _open?.LastValue ?? double.NaN;

    /// <summary>Set once a series record for this series is in the WAL; guarded by the head's WAL lock.</summary>
    internal bool WalLogged { get; set; }

    internal int ChunkCount => _closedCount + (_open is null ? 0 : 1);

    private readonly IHeadChunkStore _chunks;
    private XorChunk? _open;
    private long _openBoundary;
    private MappedChunk[]? _closed;
    private int _closedCount;

    // ID of _closed[0] (or of the open chunk when none is closed): IDs grow by one per chunk cut and never repeat in
    // a series, so a chunk ref read before a truncation still names the same chunk, or none, afterwards.
    private uint _firstChunkId;

    /// <summary>Takes the series lock.</summary>
    internal void Enter() => SpinGate.Enter(ref _lock);

    /// <summary>Releases the series lock.</summary>
    internal void Exit() => SpinGate.Exit(ref _lock);

    /// <summary>Whether (t, v) may be appended after a sample at (lastT, lastV).</summary>
    internal static AppendCheck Check(long lastT, double lastV, long t, double v)
    {
        if (t > lastT)
        {
            return AppendCheck.Ok;
        }

        if (t < lastT)
        {
            return AppendCheck.OutOfOrder;
        }

        // Same timestamp: Prometheus accepts an identical sample silently (bit equality keeps stale markers distinct).
        return BitConverter.DoubleToInt64Bits(v) == BitConverter.DoubleToInt64Bits(lastV)
            ? AppendCheck.Duplicate
            : AppendCheck.DuplicateTimestamp;
    }

    /// <summary>Appends a sample already checked to be in order; cuts chunks at 120 samples and at block boundaries.</summary>
    internal void Append(long t, double v, long blockRange)
    {
        if (_open is null || _open.NumSamples >= XorChunk.MaxSamplesPerChunk || t >= _openBoundary)
        {
            CutChunk(t, blockRange);
        }

        _open!.Append(t, v);
        MaxTime = t;
        if (MinTime == long.MaxValue)
        {
            MinTime = t;
        }
    }

    /// <summary>True when a chunk overlaps [mint, maxt].</summary>
    internal bool HasChunkIn(long mint, long maxt)
    {
        for (int i = 0; i < _closedCount; i++)
        {
            if (_closed![i].MaxTime >= mint && _closed[i].MinTime <= maxt)
            {
                return true;
            }
        }

        return _open is { NumSamples: > 0 } o && o.MaxTime >= mint && o.MinTime <= maxt;
    }

    /// <summary>Appends the metas of the chunks overlapping [mint, maxt], refs made by <see cref="HeadChunkRef"/>.</summary>
    internal void ChunkMetas(long mint, long maxt, List<Block.ChunkMeta> into)
    {
        for (int i = 0; i < _closedCount; i++)
        {
            ref readonly var c = ref _closed![i];
            if (c.MaxTime >= mint && c.MinTime <= maxt)
            {
                into.Add(new(c.MinTime, c.MaxTime, HeadChunkRef.Make(Ref, _firstChunkId + (uint)i)));
            }
        }

        if (_open is { NumSamples: > 0 } o && o.MaxTime >= mint && o.MinTime <= maxt)
        {
            into.Add(new(o.MinTime, o.MaxTime, HeadChunkRef.Make(Ref, _firstChunkId + (uint)_closedCount)));
        }
    }

    /// <summary>
    /// A copy of chunk <paramref name="chunkId"/> with its current time range, or an empty one when truncation dropped
    /// it. Closed chunks are read from the store while the caller holds the series lock, so the copy outlives truncation.
    /// </summary>
    internal ChunkBytes ReadChunk(uint chunkId)
    {
        uint index = chunkId - _firstChunkId;
        if (index < (uint)_closedCount)
        {
            ref readonly var c = ref _closed![index];
            return new ChunkBytes(ChunkEncoding.Xor, _chunks.Read(c.Ref).ToArray(), c.MinTime, c.MaxTime, IsCopy: true);
        }

        if (index == (uint)_closedCount && _open is { NumSamples: > 0 } o)
        {
            return new ChunkBytes(ChunkEncoding.Xor, o.ToArray(), o.MinTime, o.MaxTime, IsCopy: true);
        }

        return default;
    }

    /// <summary>
    /// Drops the chunks that end before <paramref name="mint"/>; returns true when none is left (the series
    /// can be removed). A chunk straddling <paramref name="mint"/> is kept whole.
    /// </summary>
    internal bool TruncateBefore(long mint)
    {
        int drop = 0;
        while (drop < _closedCount && _closed![drop].MaxTime < mint)
        {
            drop++;
        }

        _firstChunkId += (uint)drop;
        if (drop > 0)
        {
            Array.Copy(_closed!, drop, _closed!, 0, _closedCount - drop);
            Array.Clear(_closed!, _closedCount - drop, drop);
            _closedCount -= drop;
        }

        if (_closedCount == 0 && _open is { } o && (o.NumSamples == 0 || o.MaxTime < mint))
        {
            _open = null;
        }

        MinTime = _closedCount > 0 ? _closed![0].MinTime : _open is { NumSamples: > 0 } open ? open.MinTime : long.MaxValue;
        return ChunkCount == 0;
    }

    private void CutChunk(long t, long blockRange)
    {
        if (_open is not null)
        {
            _closed ??= new MappedChunk[4];
            if (_closedCount == _closed.Length)
            {
                Array.Resize(ref _closed, _closed.Length * 2);
            }

            // Written to the store straight from the open chunk's buffer: no heap copy per closed chunk.
            ulong chunkRef = _chunks.Write(Ref, _open.MinTime, _open.MaxTime, _open.AsMemory().Span);
            _closed[_closedCount++] = new MappedChunk(_open.MinTime, _open.MaxTime, chunkRef);
        }

        _open = new XorChunk();

        // The next multiple of the block range after t (floor division, also for negative t).
        long q = t / blockRange;
        if (t % blockRange < 0)
        {
            q--;
        }

        _openBoundary = (q + 1) * blockRange;
    }
}

/// <summary>Outcome of an append-order check.</summary>
internal enum AppendCheck : byte
{
    Ok,
    Duplicate,
    OutOfOrder,
    DuplicateTimestamp,
}

/// <summary>An immutable, completed chunk: its time range and where <see cref="IHeadChunkStore"/> keeps its bytes.</summary>
internal readonly record struct MappedChunk(long MinTime, long MaxTime, ulong Ref);
