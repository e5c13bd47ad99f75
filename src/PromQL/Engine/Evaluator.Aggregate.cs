using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

internal sealed partial class Evaluator
{
    private Matrix EvalAggregate(AggregateExpr a)
    {
        var grouping = a.Grouping.Distinct(StringComparer.Ordinal).OrderBy(g => g, StringComparer.Ordinal).ToList();
        if (a.Op == AggregateOp.CountValues)
        {
            string valueLabel = ((StringLiteral)Unwrap(a.Param!)).Value;
            if (!LabelOps.IsValidLabelName(valueLabel) && !IsUtf8LabelName(valueLabel))
            {
                throw PromQLException.Execution($"invalid label name \"{valueLabel}\"");
            }

            if (!a.Without)
            {
                grouping.Add(valueLabel);
            }

            var cvKey = new GroupKey(grouping, a.Without);
            return RangeEval(null, (args, ts, output) => CountValues(args.Vectors[0], valueLabel, cvKey, ts, output), a.Expr);
        }

        var key = new GroupKey(grouping, a.Without);
        var param = a.Param is null ? null : Unwrap(a.Param);
        if (a.Op is AggregateOp.Topk or AggregateOp.Bottomk or AggregateOp.Limitk or AggregateOp.LimitRatio)
        {
            return AggregateK(a, key, param!);
        }

        int[]? groupOf = null;
        var groupLabels = new List<Labels>();
        void Prepare(Matrix?[] m) => groupOf = key.Assign(m[^1]!, groupLabels);

        // Group state is allocated once and reset per step: this runs for every step of every aggregation.
        Group?[]? groups = null;
        var order = new List<int>();
        bool warnedQuantile = false;
        Expr?[] exprs = param is null ? [a.Expr] : [param, a.Expr];
        return RangeEval(Prepare, (args, ts, output) =>
        {
            double q = param is null ? 0 : args.Scalar(0);
            if (a.Op == AggregateOp.Quantile && (double.IsNaN(q) || q < 0 || q > 1) && !warnedQuantile)
            {
                warnedQuantile = true;
                Annotations.Warn($"quantile value should be between 0 and 1, got {GoFormat.G(q)}", a.Param!.Pos);
            }

            groups ??= new Group?[groupLabels.Count];
            Aggregate(a.Op, q, args.Vectors[^1], args.SeriesIndex[^1], groupOf!, groups, order, groupLabels, ts, output);
        }, exprs);
    }

    private static bool IsUtf8LabelName(string name) => name.Length > 0 && !name.Contains('\uFFFD', StringComparison.Ordinal);

    private sealed class Group
    {
        public bool Seen;
        public double Value;
        public double Mean;
        public double KahanC;
        public double Count;
        public bool Incremental;
        public bool DropName;
        public List<double>? Values;
    }

    private static void Aggregate(AggregateOp op, double q, List<Sample> vec, List<int> seriesIndex, int[] groupOf, Group?[] groups, List<int> order,
        List<Labels> groupLabels, long ts, List<Sample> output)
    {
        order.Clear();
        for (int i = 0; i < vec.Count; i++)
        {
            double f = vec[i].F;
            int gi = groupOf[seriesIndex[i]];
            var g = groups[gi] ??= new Group();
            if (!g.Seen)
            {
                (g.Seen, g.Value, g.Mean, g.KahanC, g.Count, g.Incremental, g.DropName) = (true, f, f, 0, 1, false, vec[i].DropName);
                order.Add(gi);
                switch (op)
                {
                    case AggregateOp.Stddev or AggregateOp.Stdvar:
                        g.Value = double.IsNaN(f) || double.IsInfinity(f) ? double.NaN : 0;
                        break;
                    case AggregateOp.Quantile:
                        (g.Values ??= []).Clear();
                        g.Values.Add(f);
                        break;
                    case AggregateOp.Group:
                        g.Value = 1;
                        break;
                }

                continue;
            }

            g.DropName |= vec[i].DropName;
            switch (op)
            {
                case AggregateOp.Sum:
                    (g.Value, g.KahanC) = FloatMath.KahanSumInc(f, g.Value, g.KahanC);
                    break;
                case AggregateOp.Avg:
                    g.Count++;
                    if (!g.Incremental)
                    {
                        var (nv, nc) = FloatMath.KahanSumInc(f, g.Value, g.KahanC);
                        if (!double.IsInfinity(nv))
                        {
                            (g.Value, g.KahanC) = (nv, nc);
                            break;
                        }

                        // The running sum would overflow: continue with an incremental mean.
                        g.Incremental = true;
                        g.Mean = g.Value / (g.Count - 1);
                        g.KahanC /= g.Count - 1;
                    }

                    double qq = (g.Count - 1) / g.Count;
                    (g.Mean, g.KahanC) = FloatMath.KahanSumInc(f / g.Count, qq * g.Mean, qq * g.KahanC);
                    break;
                case AggregateOp.Max:
                    if (g.Value < f || double.IsNaN(g.Value))
                    {
                        g.Value = f;
                    }

                    break;
                case AggregateOp.Min:
                    if (g.Value > f || double.IsNaN(g.Value))
                    {
                        g.Value = f;
                    }

                    break;
                case AggregateOp.Count:
                    g.Count++;
                    break;
                case AggregateOp.Stddev or AggregateOp.Stdvar:
                    g.Count++;
                    double delta = f - g.Mean;
                    g.Mean += delta / g.Count;
                    g.Value += delta * (f - g.Mean);
                    break;
                case AggregateOp.Quantile:
                    g.Values!.Add(f);
                    break;
            }
        }

        foreach (int gi in order)
        {
            var g = groups[gi]!;
            g.Seen = false;
            double v = op switch
            {
                AggregateOp.Avg => g.Incremental ? g.Mean + g.KahanC : (g.Value / g.Count) + (g.KahanC / g.Count),
                AggregateOp.Count => g.Count,
                AggregateOp.Stdvar => g.Value / g.Count,
                AggregateOp.Stddev => Math.Sqrt(g.Value / g.Count),
                AggregateOp.Quantile => FloatMath.Quantile(q, g.Values!),
                AggregateOp.Sum => g.Value + g.KahanC,
                _ => g.Value,
            };
            output.Add(new Sample(groupLabels[gi], ts, v, g.DropName));
        }
    }

    private static void CountValues(List<Sample> vec, string valueLabel, GroupKey key, long ts, List<Sample> output)
    {
        var counts = new Dictionary<Labels, (Labels Labels, int Count)>();
        var order = new List<Labels>();
        foreach (var s in vec)
        {
            var metric = LabelOps.Set(s.Metric, valueLabel, FloatMath.FormatPlain(s.F));
            var k = key.Key(metric);
            if (counts.TryGetValue(k, out var c))
            {
                counts[k] = (c.Labels, c.Count + 1);
            }
            else
            {
                counts[k] = (k, 1);
                order.Add(k);
            }
        }

        foreach (var k in order)
        {
            output.Add(new Sample(counts[k].Labels, ts, counts[k].Count));
        }
    }
}
