using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary><c>topk</c>, <c>bottomk</c>, <c>limitk</c> and <c>limit_ratio</c>: they keep whole input series.</summary>
    private Matrix AggregateK(AggregateExpr a, GroupKey key, Expr param)
    {
        var paramMatrix = EvalMatrix(param);
        var values = new double[ReserveSteps()];
        Array.Fill(values, double.NaN);
        foreach (var p in paramMatrix.SelectMany(s => s.Floats))
        {
            values[(int)((p.T - _start) / _interval)] = p.F;
        }

        bool ratio = a.Op == AggregateOp.LimitRatio;
        foreach (double v in values)
        {
            if (double.IsNaN(v))
            {
                throw PromQLException.Execution(ratio ? "Ratio value is NaN" : "Parameter value is NaN");
            }

            if (!ratio && (v >= 9.2233720368547758e18 || v < -9.2233720368547758e18))
            {
                throw PromQLException.Execution($"Scalar value {GoFormat.G(v)} overflows int64");
            }
        }

        if (!ratio && values.Max() < 1)
        {
            return [];
        }

        int[]? groupOf = null;
        int groupCount = 0;
        int inputCount = 0;
        void Prepare(Matrix?[] m)
        {
            var groupLabels = new List<Labels>();
            groupOf = key.Assign(m[0]!, groupLabels);
            inputCount = m[0]!.Count;
            groupCount = groupLabels.Count;
        }

        bool warnedRatio = false;
        return RangeEval(Prepare, (args, ts, output) =>
        {
            double p = values[(int)((ts - _start) / _interval)];
            long k = 0;
            if (ratio)
            {
                if (p < -1 || p > 1)
                {
                    if (!warnedRatio)
                    {
                        warnedRatio = true;
                        Annotations.Warn($"ratio value should be between -1 and 1, got {GoFormat.G(p)}", a.Param!.Pos);
                    }

                    p = Math.Clamp(p, -1, 1);
                }
            }
            else
            {
                k = Math.Min((long)p, inputCount);
                if (k < 1)
                {
                    return;
                }
            }

            var groups = new List<Sample>?[groupCount];
            var order = new List<int>();
            var vec = args.Vectors[0];
            for (int i = 0; i < vec.Count; i++)
            {
                var s = vec[i];
                int gi = groupOf![args.SeriesIndex[0][i]];
                var heap = groups[gi];
                if (heap is null)
                {
                    heap = [];
                    groups[gi] = heap;
                    order.Add(gi);
                    if (!ratio || RatioSelects(p, s.Metric))
                    {
                        heap.Add(s);
                    }

                    continue;
                }

                switch (a.Op)
                {
                    case AggregateOp.Topk:
                        GoHeap.Offer(heap, s, (int)k, GoHeap.TopkLess);
                        break;
                    case AggregateOp.Bottomk:
                        GoHeap.Offer(heap, s, (int)k, GoHeap.BottomkLess);
                        break;
                    case AggregateOp.Limitk:
                        if (heap.Count < k)
                        {
                            heap.Add(s);
                        }

                        break;
                    default:
                        if (RatioSelects(p, s.Metric))
                        {
                            heap.Add(s);
                        }

                        break;
                }
            }

            foreach (int gi in order)
            {
                var heap = groups[gi]!;
                if (a.Op == AggregateOp.Topk)
                {
                    GoHeap.InsertionSortReverse(heap, GoHeap.TopkLess);
                }
                else if (a.Op == AggregateOp.Bottomk)
                {
                    GoHeap.InsertionSortReverse(heap, GoHeap.BottomkLess);
                }

                output.AddRange(heap);
            }
        }, a.Expr);
    }

    /// <summary>Prometheus' <c>AddRatioSample</c>: a series is in the sample when its label hash falls in the ratio's slice.</summary>
    private static bool RatioSelects(double ratio, Labels metric)
    {
        double offset = LabelOps.PrometheusHash(metric) / (double)ulong.MaxValue;
        return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio);
    }
}
