namespace MetricsCluster.PromQL.Engine;

/// <summary>The points a range function sees for one series at one step, and where its window lies.</summary>
internal readonly record struct RangeWindow(List<FPoint> Points, long RangeStart, long RangeEnd, long RangeMs);

/// <summary>A range-vector argument: per input series, its label set and the points to cut windows from.</summary>
internal sealed record RangeSource(List<(MetricsCluster.Core.Labels Labels, long[] T, double[] V, bool DropName)> Series, long? At, long OffsetMs, long RangeMs,
    int HeldSamples);

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
            List<FPoint>? points = null;
            for (long ts = _start; ts <= _end; ts += _interval)
            {
                // Per step, not per series: a subquery at 1 ms over days is hundreds of millions of steps.
                _ct.ThrowIfCancellationRequested();
                if (LookupInstant(s.T, s.V, (at ?? ts) - off) is { } found)
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
    private (long T, double V)? LookupInstant(long[] ts, double[] vs, long refTime)
    {
        int i = UpperBound(ts, refTime) - 1;
        if (i < 0 || ts[i] <= refTime - _lookback || IsStale(vs[i]))
        {
            return null;
        }

        return (ts[i], vs[i]);
    }

    /// <summary>Index of the first element greater than <paramref name="t"/>.</summary>
    private static int UpperBound(long[] ts, long t)
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
    private static void Window(long[] ts, double[] vs, long mint, long maxt, List<FPoint> dst)
    {
        dst.Clear();
        for (int i = UpperBound(ts, mint); i < ts.Length && ts[i] <= maxt; i++)
        {
            if (!IsStale(vs[i]))
            {
                dst.Add(new FPoint(ts[i], vs[i]));
            }
        }
    }

    /// <summary>A range vector as a query result (instant query on <c>x[5m]</c>): the raw points of each window.</summary>
    private Matrix EvalMatrixSelectorRaw(MatrixSelector m)
    {
        var src = RangeSourceOf(m);
        var result = new Matrix();
        long refTime = (src.At ?? _start) - src.OffsetMs;
        foreach (var (labels, t, v, _) in src.Series)
        {
            var points = new List<FPoint>();
            Window(t, v, refTime - src.RangeMs, refTime, points);
            if (points.Count > 0)
            {
                AddSamples(points.Count);
                result.Add(new Series(labels, points));
            }
        }

        return result;
    }

    private RangeSource RangeSourceOf(MatrixSelector m)
    {
        var v = m.VectorSelector;
        var series = _plan.SeriesOf(v).Select(s => (s.Labels, s.T, s.V, false)).ToList();
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

        var series = inner.Select(s => (s.Metric, s.Floats.Select(p => p.T).ToArray(), s.Floats.Select(p => p.F).ToArray(), s.DropName)).ToList();
        return (inner, new RangeSource(series, at, off, range, inner.TotalPoints()));
    }
}
