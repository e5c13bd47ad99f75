using System.Runtime.InteropServices;

namespace MetricsCluster.PromQL.Engine;

/// <summary>The points a range function sees for one series at one step, and where its window lies.</summary>
internal readonly record struct RangeWindow(List<FPoint> Points, long RangeStart, long RangeEnd, long RangeMs);

/// <summary>A range-vector argument: per input series, its label set and the points to cut windows from.</summary>
internal sealed record RangeSource(List<(StoredSeries Series, bool DropName)> Series, long? At, long OffsetMs, long RangeMs, int HeldSamples);

internal sealed partial class Evaluator
{
    private static bool IsStale(double v) => Core.StaleMarker.Is(v);

    private Matrix EvalVectorSelector(VectorSelector v)
    {
        long? at = _plan.AtTime(v.Timestamp, v.StartOrEnd);
        long off = (long)v.OriginalOffset.TotalMilliseconds;
        var result = new Matrix();
        foreach (var s in _plan.SeriesOf(v))
        {
            _ct.ThrowIfCancellationRequested();
            var data = Load(s);
            List<FPoint>? points = null;
            int cursor = 0;
            for (long ts = _start; ts <= _end; ts += _interval)
            {
                // Per step, not per series: a subquery at 1 ms over days is hundreds of millions of steps.
                _ct.ThrowIfCancellationRequested();
                if (LookupInstant(data.T, data.V, (at ?? ts) - off, ref cursor) is { } found)
                {
                    points ??= new List<FPoint>(InitialPoints);
                    points.Add(new FPoint(ts, found.V));
                    CheckPending(points.Count);
                }
            }

            if (points is not null)
            {
                AddSamples(points.Count);
                result.Add(new Series(s.Labels, points));
            }
        }

        return result;
    }

    /// <summary>The newest sample in <c>(refTime - lookback, refTime]</c> that is not a stale marker.</summary>
    private (long T, double V)? LookupInstant(ReadOnlySpan<long> ts, ReadOnlySpan<double> vs, long refTime)
    {
        int cursor = 0;
        return LookupInstant(ts, vs, refTime, ref cursor);
    }

    /// <summary>
    /// As <see cref="LookupInstant(ReadOnlySpan{long}, ReadOnlySpan{double}, long)"/>, searching from <paramref name="cursor"/> (the last
    /// call's position for an earlier time of the same series) and leaving it at this call's position.
    /// </summary>
    private (long T, double V)? LookupInstant(ReadOnlySpan<long> ts, ReadOnlySpan<double> vs, long refTime, ref int cursor)
    {
        int next = UpperBound(ts, refTime, cursor);
        cursor = next;
        int i = next - 1;
        if (i < 0 || ts[i] <= refTime - _lookback || IsStale(vs[i]))
        {
            return null;
        }

        return (ts[i], vs[i]);
    }

    /// <summary>
    /// Index of the first element greater than <paramref name="t"/>, searched from <paramref name="from"/>: a step's
    /// answer is at or just after the previous step's, so a few elements are looked at one by one before a binary
    /// search of the rest. A <paramref name="from"/> already past the answer (an earlier time) searches from 0.
    /// </summary>
    private static int UpperBound(ReadOnlySpan<long> ts, long t, int from)
    {
        if (from <= 0 || from > ts.Length || ts[from - 1] > t)
        {
            return UpperBound(ts, t);
        }

        int i = from;
        for (int end = Math.Min(ts.Length, from + 8); i < end; i++)
        {
            if (ts[i] > t)
            {
                return i;
            }
        }

        return i == ts.Length ? i : i + UpperBound(ts[i..], t);
    }

    /// <summary>Index of the first element greater than <paramref name="t"/>.</summary>
    private static int UpperBound(ReadOnlySpan<long> ts, long t)
    {
        int lo = 0, hi = ts.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] <= t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Fills <paramref name="dst"/> with the non-stale points in <c>(maxt - range, maxt]</c>.</summary>
    private static void Window(ReadOnlySpan<long> ts, ReadOnlySpan<double> vs, long mint, long maxt, List<FPoint> dst)
    {
        int cursor = 0;
        Window(ts, vs, mint, maxt, dst, ref cursor);
    }

    /// <summary>
    /// As <see cref="Window(ReadOnlySpan{long}, ReadOnlySpan{double}, long, long, List{FPoint})"/>, searching from <paramref name="cursor"/>
    /// (the last call's window start for an earlier step of the same series) and leaving it at this window's start.
    /// </summary>
    private static void Window(ReadOnlySpan<long> ts, ReadOnlySpan<double> vs, long mint, long maxt, List<FPoint> dst, ref int cursor)
    {
        int lo = UpperBound(ts, mint, cursor);
        int hi = Math.Max(lo, UpperBound(ts, maxt, lo));
        cursor = lo;

        // Written through a span: a window is refilled at every step of every series (2,000 series × 1,440 steps ×
        // 60 points for an hour's window at a minute), where List.Add's checks cost more than the copy.
        CollectionsMarshal.SetCount(dst, hi - lo);
        var span = CollectionsMarshal.AsSpan(dst);
        int n = 0;
        for (int i = lo; i < hi; i++)
        {
            double v = vs[i];
            if (!IsStale(v))
            {
                span[n++] = new FPoint(ts[i], v);
            }
        }

        CollectionsMarshal.SetCount(dst, n);
    }

    /// <summary>A range vector as a query result (instant query on <c>x[5m]</c>): the raw points of each window.</summary>
    private Matrix EvalMatrixSelectorRaw(MatrixSelector m)
    {
        var src = RangeSourceOf(m);
        var result = new Matrix();
        long refTime = (src.At ?? _start) - src.OffsetMs;
        foreach (var (stored, _) in src.Series)
        {
            var data = Load(stored);
            var points = new List<FPoint>();
            Window(data.T, data.V, refTime - src.RangeMs, refTime, points);
            if (points.Count > 0)
            {
                AddSamples(points.Count);
                result.Add(new Series(stored.Labels, points));
            }
        }

        return result;
    }

    private RangeSource RangeSourceOf(MatrixSelector m)
    {
        var v = m.VectorSelector;
        var series = _plan.SeriesOf(v).Select(s => (s, false)).ToList();
        return new RangeSource(series, _plan.AtTime(v.Timestamp, v.StartOrEnd), (long)v.OriginalOffset.TotalMilliseconds,
            (long)m.Range.TotalMilliseconds, 0);
    }

    /// <summary>
    /// Evaluates a subquery's inner expression at its own steps: aligned to multiples of the step, from just after
    /// <c>start - offset - range</c> to <c>end - offset</c> (with <c>@</c>, start and end are the <c>@</c> time).
    /// </summary>
    private (Matrix Result, RangeSource Source) EvalSubquery(SubqueryExpr sq)
    {
        long? at = _plan.AtTime(sq.Timestamp, sq.StartOrEnd);
        long off = (long)sq.OriginalOffset.TotalMilliseconds;
        long range = (long)sq.Range.TotalMilliseconds;
        long interval = sq.Step > TimeSpan.Zero ? (long)sq.Step.TotalMilliseconds : _noStepSubqueryInterval(range);
        long outerStart = at ?? _start, outerEnd = at ?? _end;
        long from = outerStart - off - range;
        long newStart = interval * (from / interval);
        if (newStart <= from)
        {
            newStart += interval;
        }

        var (s0, e0, i0) = (_start, _end, _interval);
        (_start, _end, _interval) = (newStart, outerEnd - off, interval);
        Matrix inner;
        try
        {
            inner = newStart <= outerEnd - off ? EvalMatrix(sq.Expr) : [];
        }
        finally
        {
            (_start, _end, _interval) = (s0, e0, i0);
        }

        var series = inner.Select(s => (new StoredSeries(s.Metric, s.Floats.Select(p => p.T).ToArray(), s.Floats.Select(p => p.F).ToArray()), s.DropName)).ToList();
        return (inner, new RangeSource(series, at, off, range, inner.TotalPoints()));
    }
}
