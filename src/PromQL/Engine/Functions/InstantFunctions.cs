using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary>The functions over instant vectors and scalars, evaluated one step at a time (Prometheus' <c>FunctionCalls</c>).</summary>
internal sealed class InstantFunctions(Evaluator ev, Call call, Expr[] args)
{
    private readonly string _name = call.Function.Name;
    private readonly DropNameCache _dropped = new();
    private bool _sortWarned;

    /// <summary>One step: reads the argument vectors, appends the output samples.</summary>
    public void Step(StepArgs a, long ts, List<Sample> output)
    {
        switch (_name)
        {
            case "abs": Map(a, output, Math.Abs); break;
            case "ceil": Map(a, output, Math.Ceiling); break;
            case "floor": Map(a, output, Math.Floor); break;
            case "exp": Map(a, output, Math.Exp); break;
            case "sqrt": Map(a, output, Math.Sqrt); break;
            case "ln": Map(a, output, Math.Log); break;
            case "log2": Map(a, output, Math.Log2); break;
            case "log10": Map(a, output, Math.Log10); break;
            case "sgn": Map(a, output, v => v < 0 ? -1 : v > 0 ? 1 : v); break;
            case "sin": Map(a, output, Math.Sin); break;
            case "cos": Map(a, output, Math.Cos); break;
            case "tan": Map(a, output, Math.Tan); break;
            case "asin": Map(a, output, Math.Asin); break;
            case "acos": Map(a, output, Math.Acos); break;
            case "atan": Map(a, output, Math.Atan); break;
            case "sinh": Map(a, output, Math.Sinh); break;
            case "cosh": Map(a, output, Math.Cosh); break;
            case "tanh": Map(a, output, Math.Tanh); break;
            case "asinh": Map(a, output, Math.Asinh); break;
            case "acosh": Map(a, output, Math.Acosh); break;
            case "atanh": Map(a, output, Math.Atanh); break;
            case "deg": Map(a, output, v => v * 180 / Math.PI); break;
            case "rad": Map(a, output, v => v * Math.PI / 180); break;
            case "clamp":
                {
                    double min = a.Scalar(1), max = a.Scalar(2);
                    if (max >= min || double.IsNaN(min) || double.IsNaN(max))
                    {
                        Map(a, output, v => Math.Max(min, Math.Min(max, v)));
                    }

                    break;
                }

            case "clamp_max": { double max = a.Scalar(1); Map(a, output, v => Math.Min(max, v)); break; }
            case "clamp_min": { double min = a.Scalar(1); Map(a, output, v => Math.Max(min, v)); break; }
            case "round":
                {
                    double toNearest = args.Length > 1 ? a.Scalar(1) : 1;
                    double inverse = 1.0 / toNearest;
                    Map(a, output, v => Math.Floor((v * inverse) + 0.5) / inverse);
                    break;
                }

            case "timestamp":
                for (int i = 0; i < a.Vectors[0].Count; i++)
                {
                    var s = a.Vectors[0][i];
                    output.Add(Dropped(a, i, s, s.T / 1000.0));
                }

                break;
            case "time": output.Add(new Sample(Labels.Empty, ts, ts / 1000.0)); break;
            case "pi": output.Add(new Sample(Labels.Empty, ts, Math.PI)); break;
            case "vector": output.Add(new Sample(Labels.Empty, ts, a.Scalar(0))); break;
            case "scalar":
                output.Add(new Sample(Labels.Empty, ts, a.Vectors[0].Count == 1 ? a.Vectors[0][0].F : double.NaN));
                break;
            case "absent":
                if (a.Vectors[0].Count == 0)
                {
                    output.Add(new Sample(Evaluator.AbsentLabels(args[0]), ts, 1, true));
                }

                break;
            case "sort": Sorted(a, output, descending: false); break;
            case "sort_desc": Sorted(a, output, descending: true); break;
            case "sort_by_label": SortedByLabel(a, output, descending: false); break;
            case "sort_by_label_desc": SortedByLabel(a, output, descending: true); break;
            case "histogram_quantile":
                HistogramQuantile.Eval(ev, call, a.Scalar(0), a.Vectors[1], ts, output);
                break;
            case "days_in_month": Date(a, ts, output, d => d.DaysInMonth); break;
            case "day_of_month": Date(a, ts, output, d => d.Day); break;
            case "day_of_week": Date(a, ts, output, d => d.DayOfWeek); break;
            case "day_of_year": Date(a, ts, output, d => d.DayOfYear); break;
            case "hour": Date(a, ts, output, d => d.Hour); break;
            case "minute": Date(a, ts, output, d => d.Minute); break;
            case "month": Date(a, ts, output, d => d.Month); break;
            case "year": Date(a, ts, output, d => d.Year); break;

            // Native-histogram functions: no float input produces output.
            case "histogram_fraction":
                HistogramQuantile.Fraction(ev, call, a.Scalar(0), a.Scalar(1), a.Vectors[2], ts, output);
                break;
            case "histogram_count" or "histogram_sum" or "histogram_avg" or "histogram_stddev" or "histogram_stdvar":
                break;
            default:
                throw new PromQLException(QueryErrorType.BadData, $"function \"{_name}\" is not supported");
        }
    }

    /// <summary>The sample with its name dropped (or marked for dropping); labels are computed once per input series.</summary>
    private Sample Dropped(StepArgs a, int i, Sample s, double value)
    {
        var metric = ev.Delayed ? s.Metric : a.SeriesIndex[0].Count > i ? _dropped.Get(a.SeriesIndex[0][i], s.Metric) : LabelOps.DropMetricName(s.Metric);
        return new(metric, s.T, value, true);
    }

    private void Map(StepArgs a, List<Sample> output, Func<double, double> f)
    {
        var vec = a.Vectors[0];
        for (int i = 0; i < vec.Count; i++)
        {
            output.Add(Dropped(a, i, vec[i], f(vec[i].F)));
        }
    }

    private void Date(StepArgs a, long ts, List<Sample> output, Func<CivilTime, double> f)
    {
        if (args.Length == 0)
        {
            // Go's time.Unix(enh.Ts/1000, 0): the division truncates toward zero.
            output.Add(new Sample(Labels.Empty, ts, f(CivilTime.FromUnixSeconds(ts / 1000))));
            return;
        }

        for (int i = 0; i < a.Vectors[0].Count; i++)
        {
            var s = a.Vectors[0][i];
            if (double.IsNaN(s.F) || Math.Abs(s.F) > CivilTime.MaxSeconds)
            {
                // Go converts with int64(f), which has no meaningful value for NaN or far past any calendar use.
                continue;
            }

            output.Add(Dropped(a, i, s, f(CivilTime.FromUnixSeconds((long)s.F))));
        }
    }

    private void WarnSortInRange()
    {
        if (!_sortWarned && !ev.IsInstantQuery)
        {
            _sortWarned = true;
            ev.Annotations.Warn("sort is ineffective for range queries since results are always ordered by labels", call.Pos);
        }
    }

    private void Sorted(StepArgs a, List<Sample> output, bool descending)
    {
        WarnSortInRange();
        var vec = a.Vectors[0].ToList();

        // NaN sorts last in both directions; OrderBy is stable, so equal values keep their input order.
        var ordered = descending
            ? vec.OrderBy(s => double.IsNaN(s.F) ? 1 : 0).ThenByDescending(s => double.IsNaN(s.F) ? 0 : s.F)
            : vec.OrderBy(s => double.IsNaN(s.F) ? 1 : 0).ThenBy(s => double.IsNaN(s.F) ? 0 : s.F);
        output.AddRange(ordered);
    }

    private void SortedByLabel(StepArgs a, List<Sample> output, bool descending)
    {
        WarnSortInRange();
        var names = args.Skip(1).Select(e => ((StringLiteral)e).Value).ToArray();
        var vec = a.Vectors[0].ToList();
        vec.Sort((x, y) =>
        {
            int c = 0;
            foreach (var n in names)
            {
                string lx = x.Metric.Get(n), ly = y.Metric.Get(n);
                if (lx != ly)
                {
                    c = NaturalSort.Compare(lx, ly);
                    break;
                }
            }

            if (c == 0)
            {
                c = Labels.Compare(x.Metric, y.Metric);
            }

            return descending ? -c : c;
        });
        output.AddRange(vec);
    }
}
