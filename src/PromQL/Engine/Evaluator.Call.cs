using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

internal sealed partial class Evaluator
{
    private static Expr Unwrap(Expr e)
    {
        while (e is ParenExpr p)
        {
            e = p.Expr;
        }

        return e;
    }

    private object EvalCall(Call c)
    {
        string name = c.Function.Name;
        var args = c.Args.Select(Unwrap).ToArray();
        if (name == "timestamp" && args[0] is VectorSelector vs)
        {
            return EvalTimestampOverSelector(c, vs);
        }

        if (name == "label_replace")
        {
            return LabelFunctions.LabelReplace(this, EvalMatrix(args[0]), args);
        }

        if (name == "label_join")
        {
            return LabelFunctions.LabelJoin(this, EvalMatrix(args[0]), args);
        }

        int rangeArg = Array.FindIndex(args, a => a is MatrixSelector or SubqueryExpr);
        if (rangeArg >= 0)
        {
            return EvalRangeFunction(c, args, rangeArg);
        }

        var fn = new InstantFunctions(this, c, args);
        return RangeEval(null, fn.Step, args);
    }

    /// <summary><c>timestamp(selector)</c> reports the sample's own time, not the step (Prometheus special-cases it).</summary>
    private Matrix EvalTimestampOverSelector(Call c, VectorSelector v)
    {
        long? at = _plan.AtTime(v.Timestamp, v.StartOrEnd);
        long off = (long)v.OriginalOffset.TotalMilliseconds;
        // Looked up step by step across all series, so each is decoded once here rather than once per step.
        var series = new List<(Core.Labels Labels, long[] T, double[] V)>();
        foreach (var s in _plan.SeriesOf(v))
        {
            var data = Load(s);
            series.Add((s.Labels, data.T.ToArray(), data.V.ToArray()));
        }

        var fn = new InstantFunctions(this, c, [v]);
        return RangeEval(null, (args, ts, output) =>
        {
            var vec = args.Vectors[0];
            for (int j = 0; j < series.Count; j++)
            {
                var s = series[j];
                if (LookupInstant(s.T, s.V, (at ?? ts) - off) is { } found)
                {
                    vec.Add(new Sample(s.Labels, found.T, found.V));
                    args.SeriesIndex[0].Add(j);
                }
            }

            fn.Step(args, ts, output);
        }, [null]);
    }

    private Matrix EvalRangeFunction(Call c, Expr[] args, int rangeArg)
    {
        string name = c.Function.Name;
        RangeSource src = args[rangeArg] is MatrixSelector m ? RangeSourceOf(m) : EvalSubquery((SubqueryExpr)args[rangeArg]).Source;
        var scalars = new double[args.Length][];
        for (int i = 0; i < args.Length; i++)
        {
            // Only the scalar arguments need a value per step; the range argument's slot stays empty.
            scalars[i] = i == rangeArg ? [] : new double[ReserveSteps()];
            Array.Fill(scalars[i], double.NaN);
            if (i != rangeArg)
            {
                foreach (var p in EvalMatrix(args[i]).SelectMany(s => s.Floats))
                {
                    scalars[i][(int)((p.T - _start) / _interval)] = p.F;
                }
            }
        }

        if (name == "quantile_over_time" && scalars[0].Any(q => double.IsNaN(q) || q < 0 || q > 1))
        {
            double q = scalars[0].First(q => double.IsNaN(q) || q < 0 || q > 1);
            Annotations.Warn($"quantile value should be between 0 and 1, got {GoFormat.G(q)}", c.Args[0].Pos);
        }

        bool dropName = name != "last_over_time";
        bool counterCheck = name is "rate" or "increase";
        var result = new Matrix();
        var window = new List<FPoint>();
        var stepScalars = new double[args.Length];
        foreach (var (stored, inputDropName) in src.Series)
        {
            _ct.ThrowIfCancellationRequested();
            var labels = stored.Labels;
            var data = Load(stored);
            List<FPoint>? points = null;
            int k = 0;
            int cursor = 0;
            bool sawFloats = false;
            for (long ts = _start; ts <= _end; ts += _interval, k++)
            {
                _ct.ThrowIfCancellationRequested();
                long maxt = (src.At ?? ts) - src.OffsetMs;
                long mint = maxt - src.RangeMs;
                if (k == 0 || src.At is null)
                {
                    Window(data.T, data.V, mint, maxt, window, ref cursor);
                }

                if (window.Count == 0)
                {
                    continue;
                }

                sawFloats = true;
                for (int i = 0; i < args.Length; i++)
                {
                    stepScalars[i] = i == rangeArg ? double.NaN : scalars[i][k];
                }

                var call = new RangeCall(window, mint, maxt, src.RangeMs / 1000.0, ts, stepScalars);
                if (RangeFunctions.TryEval(name, call, out double r))
                {
                    points ??= new List<FPoint>(InitialPoints);
                    points.Add(new FPoint(ts, r));
                    CheckPending(points.Count);
                }
            }

            if (counterCheck && sawFloats)
            {
                string metricName = labels.MetricName;
                if (metricName.Length > 0 && !metricName.EndsWith("_total", StringComparison.Ordinal) &&
                    !metricName.EndsWith("_sum", StringComparison.Ordinal) && !metricName.EndsWith("_count", StringComparison.Ordinal) &&
                    !metricName.EndsWith("_bucket", StringComparison.Ordinal))
                {
                    Annotations.Info($"metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"{metricName}\"", c.Args[rangeArg].Pos);
                }
            }

            if (points is not null)
            {
                AddSamples(points.Count);
                var series = new Series(labels, points, inputDropName);
                if (dropName)
                {
                    DropName(series);
                }

                result.Add(series);
            }
        }

        ReleaseSamples(src.HeldSamples);
        if (name == "absent_over_time")
        {
            return AbsentOverTime(result, args[rangeArg]);
        }

        if (!Delayed)
        {
            CheckNoSameLabelset(result);
        }

        return result;
    }

    /// <summary>1 at every step where no input series had a sample in its window.</summary>
    private Matrix AbsentOverTime(Matrix present, Expr arg)
    {
        var found = new HashSet<long>(present.SelectMany(s => s.Floats.Select(p => p.T)));
        var points = new List<FPoint>();
        for (long ts = _start; ts <= _end; ts += _interval)
        {
            _ct.ThrowIfCancellationRequested();
            if (!found.Contains(ts))
            {
                points.Add(new FPoint(ts, 1));
                CheckPending(points.Count);
            }
        }

        AddSamples(points.Count);
        return points.Count == 0 ? [] : [new Series(AbsentLabels(arg), points, true)];
    }

    /// <summary>Prometheus' <c>createLabelsForAbsentFunction</c>: equality matchers become labels, repeated names are dropped.</summary>
    internal static Labels AbsentLabels(Expr arg)
    {
        var selector = arg switch
        {
            VectorSelector v => v,
            MatrixSelector m => m.VectorSelector,
            _ => null,
        };
        if (selector is null)
        {
            return Labels.Empty;
        }

        var b = new LabelsBuilder();
        var has = new HashSet<string>(StringComparer.Ordinal);
        foreach (var matcher in selector.Matchers)
        {
            if (matcher.Name == LabelOps.MetricName)
            {
                continue;
            }

            if (matcher.Type == MatcherType.Equal && has.Add(matcher.Name))
            {
                b.Set(matcher.Name, matcher.Value);
            }
            else
            {
                b.Delete(matcher.Name);
            }
        }

        return b.Build();
    }
}
