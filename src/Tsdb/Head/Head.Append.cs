using System.Buffers;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Head;

/// <summary>The write path.</summary>
public sealed partial class Head
{
    /// <summary>
    /// Appends a batch in three phases so that no lock is held across the WAL write: (1) find or create
    /// each series and check every sample's order against it; (2) log the series records of series not yet
    /// in the WAL and one samples record, under the WAL lock so a series record always precedes samples
    /// that use it; (3) apply the samples to memory. A concurrent push to the same series can make a sample
    /// out of order between (1) and (3); it is then reported as rejected, and WAL replay rejects it the
    /// same way, so memory, WAL and the answer agree. Rejections go to <paramref name="sink"/> as
    /// <see cref="AppendError"/> sentinels; the push protocol's messages are the owner's business. The batch type is
    /// Core's <see cref="PushBatch"/> (what the ingester decodes), read here without copying.
    /// </summary>
    /// <param name="batch">The batch; only read.</param>
    /// <param name="sink">Receives rejections, then the accepted count.</param>
    /// <param name="maxSeries">Series limit for this head; 0 = unlimited.</param>
    public void Append(PushBatch batch, IAppendSink sink, long maxSeries)
    {
        int n = batch.SeriesCount;
        var series = ArrayPool<MemSeries?>.Shared.Rent(n);
        var accepted = ArrayPool<bool>.Shared.Rent(Math.Max(batch.SampleCount, 1));
        var samplesRec = new ValueBuffer(batch.SampleCount * 12 + 32);
        var seriesRec = new ValueBuffer(0);
        _appendGate.EnterReadLock();
        try
        {
            int toLog = CheckAll(batch, sink, maxSeries, series, accepted, ref samplesRec, out int duplicates);
            if (toLog > 0 && _wal is not null)
            {
                LogToWal(batch, series, ref seriesRec, ref samplesRec);
            }

            sink.Accepted(duplicates + ApplyAll(batch, sink, series, accepted));
        }
        finally
        {
            _appendGate.ExitReadLock();
            samplesRec.Dispose();
            seriesRec.Dispose();
            Array.Clear(series, 0, n);
            ArrayPool<MemSeries?>.Shared.Return(series);
            ArrayPool<bool>.Shared.Return(accepted);
        }
    }

    private int CheckAll(PushBatch batch, IAppendSink sink, long maxSeries, MemSeries?[] series, bool[] accepted, ref ValueBuffer samplesRec, out int duplicates)
    {
        duplicates = 0;
        var entries = batch.Series;
        var ts = batch.Timestamps;
        var vs = batch.Values;
        long headMax = MaxTime;

        // Prometheus' appendable window: nothing older than half a block range before the newest sample.
        // Nor older than the end of the last range cut into a block.
        long minValid = headMax == long.MinValue ? long.MinValue : headMax - (_options.BlockRangeMs / 2);
        minValid = Math.Max(minValid, MinValidTime);
        var state = default(SamplesEncoderState);
        bool begun = false;
        int toLog = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            var labels = batch.LabelsOf(i);
            var s = _series.GetByLabels(labels, e.Hash) ?? Create(labels, e.Hash, maxSeries);
            series[i] = s;
            if (s is null)
            {
                RejectSeries(sink, maxSeries, labels, e.SampleCount);
                continue;
            }

            long lastT;
            double lastV;
            s.Enter();
            try
            {
                lastT = s.MaxTime;
                lastV = s.LastValue;
            }
            finally
            {
                s.Exit();
            }

            for (int j = e.FirstSample; j < e.FirstSample + e.SampleCount; j++)
            {
                long t = ts[j];
                double v = vs[j];
                var check = t < minValid ? AppendCheck.OutOfOrder : MemSeries.Check(lastT, lastV, t, v);
                if (check == AppendCheck.Ok)
                {
                    accepted[j] = true;
                    lastT = t;
                    lastV = v;
                    if (!begun)
                    {
                        WalRecords.BeginSamples(ref samplesRec);
                        begun = true;
                    }

                    WalRecords.AddSample(ref samplesRec, ref state, s.Ref, t, v);
                    toLog++;
                    continue;
                }

                accepted[j] = false;
                if (check == AppendCheck.Duplicate)
                {
                    duplicates++;
                }
                else
                {
                    RejectSample(sink, t < minValid ? AppendError.TooOldSample : Error(check), t, s.Labels);
                }
            }
        }

        return toLog;
    }

    private MemSeries? Create(ReadOnlySpan<byte> labels, ulong hash, long maxSeries)
    {
        var s = _series.GetOrCreate(
            labels,
            hash,
            maxSeries > 0 && NumSeries >= maxSeries ? () => null : CreateFactory(labels, hash),
            out bool created);
        if (created)
        {
            OnSeriesCreated(s!);
        }

        return s;
    }

    private Func<MemSeries?> CreateFactory(ReadOnlySpan<byte> labels, ulong hash)
    {
        // The factory runs under the stripe lock; copying the labels here keeps the lookup path allocation-free.
        var copy = labels.ToArray();
        return () => NewSeries(copy, hash);
    }

    private void LogToWal(PushBatch batch, MemSeries?[] series, ref ValueBuffer seriesRec, ref ValueBuffer samplesRec)
    {
        lock (_walLock)
        {
            bool begun = false;
            for (int i = 0; i < batch.SeriesCount; i++)
            {
                var s = series[i];
                if (s is null || s.WalLogged)
                {
                    continue;
                }

                if (!begun)
                {
                    seriesRec.Dispose();
                    seriesRec = new ValueBuffer(4096);
                    WalRecords.BeginSeries(ref seriesRec);
                    begun = true;
                }

                WalRecords.AddSeries(ref seriesRec, s.Ref, s.Labels);
                s.WalLogged = true;
            }

            try
            {
                _wal!.Log(seriesRec.Written, samplesRec.Written);
            }
            catch
            {
                // The series records may not have reached the file (a full disk): log them again with the next
                // push, or samples logged after the WAL recovers would name series that replay never saw.
                if (begun)
                {
                    ResetWalLogged(batch, series);
                }

                throw;
            }
        }
    }

    private static void ResetWalLogged(PushBatch batch, MemSeries?[] series)
    {
        for (int i = 0; i < batch.SeriesCount; i++)
        {
            series[i]?.WalLogged = false;
        }
    }

    /// <summary>Applies the checked samples; returns how many count as accepted (identical duplicates included).</summary>
    private int ApplyAll(PushBatch batch, IAppendSink sink, MemSeries?[] series, bool[] accepted)
    {
        var entries = batch.Series;
        var ts = batch.Timestamps;
        var vs = batch.Values;
        long blockRange = _options.BlockRangeMs;
        long mint = long.MaxValue, maxt = long.MinValue;
        int applied = 0, duplicates = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            var s = series[i];
            if (s is null)
            {
                continue;
            }

            var e = entries[i];
            s.Enter();
            try
            {
                for (int j = e.FirstSample; j < e.FirstSample + e.SampleCount; j++)
                {
                    if (!accepted[j])
                    {
                        continue;
                    }

                    long t = ts[j];
                    var check = MemSeries.Check(s.MaxTime, s.LastValue, t, vs[j]);
                    if (check != AppendCheck.Ok)
                    {
                        // The series appeared earlier in this batch, or a concurrent push to it won the race
                        // (see Append). CheckAll could not see either, so the same rules apply here: an identical
                        // sample is a no-op, as in Prometheus, and WAL replay skips its copy the same way.
                        if (check == AppendCheck.Duplicate)
                        {
                            duplicates++;
                        }
                        else
                        {
                            RejectSample(sink, Error(check), t, s.Labels);
                        }

                        continue;
                    }

                    s.Append(t, vs[j], blockRange);
                    applied++;
                    mint = Math.Min(mint, t);
                    maxt = Math.Max(maxt, t);
                }
            }
            finally
            {
                s.Exit();
            }
        }

        if (applied > 0)
        {
            UpdateTimeBounds(mint, maxt);
        }

        return applied + duplicates;
    }

    private static AppendError Error(AppendCheck check) =>
        check == AppendCheck.OutOfOrder ? AppendError.OutOfOrderSample : AppendError.DuplicateSampleForTimestamp;

    // Rejections go through these non-inlined helpers so the rare path stays out of the loops above.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RejectSample(IAppendSink sink, AppendError error, long t, Labels labels) =>
        sink.SampleRejected(error, t, labels);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RejectSeries(IAppendSink sink, long limit, ReadOnlySpan<byte> labels, int samples) =>
        sink.SeriesRejected(AppendError.SeriesLimit, labels, samples, limit);
}
