using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

internal sealed partial class Evaluator
{
    private Matrix EvalBinary(BinaryExpr b)
    {
        var lt = b.Lhs.Type;
        var rt = b.Rhs.Type;
        if (lt == ValueType.Scalar && rt == ValueType.Scalar)
        {
            return RangeEval(null, (a, ts, output) =>
            {
                var (v, keep) = ElemBinop(b.Op, a.Scalar(0), a.Scalar(1));
                output.Add(new Sample(Labels.Empty, ts, Operators.IsComparison(b.Op) ? (keep ? 1 : 0) : v));
            }, b.Lhs, b.Rhs);
        }

        if (lt == ValueType.InstantVector && rt == ValueType.InstantVector)
        {
            var matching = b.Matching ?? new VectorMatching(
                Operators.IsSetOperator(b.Op) ? VectorMatchCardinality.ManyToMany : VectorMatchCardinality.OneToOne, ValueList<string>.Empty, false,
                ValueList<string>.Empty);
            var sigs = new Labels[2][];
            var signature = SignatureFunc(matching);
            var resultCache = new Dictionary<(Labels, Labels), Labels>();
            void Prepare(Matrix?[] m)
            {
                sigs[0] = m[0]!.Select(s => signature(s.Metric)).ToArray();
                sigs[1] = m[1]!.Select(s => signature(s.Metric)).ToArray();
            }

            return b.Op switch
            {
                BinaryOp.And => RangeEval(Prepare, (a, _, o) => VectorAnd(a, sigs, o), b.Lhs, b.Rhs),
                BinaryOp.Or => RangeEval(Prepare, (a, _, o) => VectorOr(a, sigs, o), b.Lhs, b.Rhs),
                BinaryOp.Unless => RangeEval(Prepare, (a, _, o) => VectorUnless(a, sigs, o), b.Lhs, b.Rhs),
                _ => RangeEval(Prepare, (a, ts, o) => VectorBinop(b, matching, a, sigs, resultCache, ts, o), b.Lhs, b.Rhs),
            };
        }

        bool swap = lt == ValueType.Scalar;
        var dropped = new DropNameCache();
        return RangeEval(null, (a, ts, o) => VectorScalarBinop(b, a, swap, dropped, o), b.Lhs, b.Rhs);
    }

    /// <summary>Prometheus' <c>signatureFunc</c>: <c>on</c> keeps only the listed labels; <c>ignoring</c> drops them and the name.</summary>
    private static Func<Labels, Labels> SignatureFunc(VectorMatching matching)
    {
        var names = new LabelNameSet(matching.MatchingLabels, withMetricName: !matching.On);
        return matching.On ? l => LabelOps.Filter(l, names, keep: true) : l => LabelOps.Filter(l, names, keep: false);
    }

    private static void VectorAnd(StepArgs a, Labels[][] sigs, List<Sample> output)
    {
        var (lhs, rhs) = (a.Vectors[0], a.Vectors[1]);
        if (lhs.Count == 0 || rhs.Count == 0)
        {
            return;
        }

        var right = new HashSet<Labels>(a.SeriesIndex[1].Select(i => sigs[1][i]));
        for (int i = 0; i < lhs.Count; i++)
        {
            if (right.Contains(sigs[0][a.SeriesIndex[0][i]]))
            {
                output.Add(lhs[i]);
            }
        }
    }

    private static void VectorOr(StepArgs a, Labels[][] sigs, List<Sample> output)
    {
        var (lhs, rhs) = (a.Vectors[0], a.Vectors[1]);
        if (lhs.Count == 0 || rhs.Count == 0)
        {
            output.AddRange(lhs);
            output.AddRange(rhs);
            return;
        }

        var left = new HashSet<Labels>();
        for (int i = 0; i < lhs.Count; i++)
        {
            left.Add(sigs[0][a.SeriesIndex[0][i]]);
            output.Add(lhs[i]);
        }

        for (int j = 0; j < rhs.Count; j++)
        {
            if (!left.Contains(sigs[1][a.SeriesIndex[1][j]]))
            {
                output.Add(rhs[j]);
            }
        }
    }

    private static void VectorUnless(StepArgs a, Labels[][] sigs, List<Sample> output)
    {
        var (lhs, rhs) = (a.Vectors[0], a.Vectors[1]);
        if (lhs.Count == 0 || rhs.Count == 0)
        {
            output.AddRange(lhs);
            return;
        }

        var right = new HashSet<Labels>(a.SeriesIndex[1].Select(i => sigs[1][i]));
        for (int i = 0; i < lhs.Count; i++)
        {
            if (!right.Contains(sigs[0][a.SeriesIndex[0][i]]))
            {
                output.Add(lhs[i]);
            }
        }
    }

    /// <summary>One step of an arithmetic or comparison operator between vectors; result labels are cached across steps.</summary>
    private void VectorBinop(BinaryExpr b, VectorMatching matching, StepArgs a, Labels[][] sigs, Dictionary<(Labels, Labels), Labels> resultCache,
        long ts, List<Sample> output)
    {
        List<Sample> lhs = a.Vectors[0], rhs = a.Vectors[1];
        List<int> lhsIdx = a.SeriesIndex[0], rhsIdx = a.SeriesIndex[1];
        Labels[] lhsSig = sigs[0], rhsSig = sigs[1];
        if (lhs.Count == 0 || rhs.Count == 0)
        {
            return;
        }

        bool oneToMany = matching.Card == VectorMatchCardinality.OneToMany;
        if (oneToMany)
        {
            (lhs, rhs) = (rhs, lhs);
            (lhsIdx, rhsIdx) = (rhsIdx, lhsIdx);
            (lhsSig, rhsSig) = (rhsSig, lhsSig);
        }

        var rightSigs = new Dictionary<Labels, Sample>(rhs.Count);
        for (int i = 0; i < rhs.Count; i++)
        {
            var sig = rhsSig[rhsIdx[i]];
            if (rightSigs.TryGetValue(sig, out var dupl))
            {
                string side = oneToMany ? "left" : "right";
                throw PromQLException.Execution(
                    $"found duplicate series for the match group {MatchLabels(rhs[i].Metric, matching)} on the {side} hand-side of the operation: " +
                    $"[{dupl.Metric}, {rhs[i].Metric}];many-to-many matching not allowed: matching labels must be unique on one side");
            }

            rightSigs[sig] = rhs[i];
        }

        var matched = new Dictionary<Labels, HashSet<Labels>?>();
        bool drop = ShouldDropMetricName(b.Op);
        for (int i = 0; i < lhs.Count; i++)
        {
            var ls = lhs[i];
            var sig = lhsSig[lhsIdx[i]];
            if (!rightSigs.TryGetValue(sig, out var rs))
            {
                continue;
            }

            if (!resultCache.TryGetValue((ls.Metric, rs.Metric), out var metric))
            {
                metric = ResultMetric(ls.Metric, rs.Metric, drop, matching);
                if (!Delayed && b.ReturnBool)
                {
                    metric = LabelOps.DropMetricName(metric);
                }

                resultCache[(ls.Metric, rs.Metric)] = metric;
            }

            matched.TryGetValue(sig, out var inserted);
            bool exists = matched.ContainsKey(sig);
            if (matching.Card == VectorMatchCardinality.OneToOne)
            {
                if (exists)
                {
                    throw PromQLException.Execution("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }

                matched[sig] = null;
            }
            else
            {
                if (!exists)
                {
                    inserted = [];
                    matched[sig] = inserted;
                }
                else if (inserted!.Contains(metric))
                {
                    throw PromQLException.Execution("multiple matches for labels: grouping labels must ensure unique matches");
                }

                inserted!.Add(metric);
            }

            double fl = ls.F, fr = rs.F;
            if (oneToMany)
            {
                (fl, fr) = (fr, fl);
            }

            var (value, keep) = ElemBinop(b.Op, fl, fr);
            if (b.ReturnBool)
            {
                value = keep ? 1 : 0;
            }
            else if (!keep)
            {
                continue;
            }

            output.Add(new Sample(metric, ts, value, b.ReturnBool || drop || ls.DropName));
        }
    }

    private static string MatchLabels(Labels l, VectorMatching matching)
    {
        var names = new LabelNameSet(matching.MatchingLabels, withMetricName: !matching.On);
        return LabelOps.Filter(l, names, keep: matching.On).ToString();
    }

    /// <summary>Prometheus' <c>resultMetric</c>.</summary>
    private Labels ResultMetric(Labels lhs, Labels rhs, bool dropName, VectorMatching matching)
    {
        var result = lhs;
        if (dropName && !Delayed)
        {
            result = LabelOps.DropMetricName(result);
        }

        if (matching.Card == VectorMatchCardinality.OneToOne)
        {
            var names = new LabelNameSet(matching.MatchingLabels);
            result = LabelOps.Filter(result, names, keep: matching.On);
        }

        if (matching.Include.Count > 0)
        {
            var builder = new LabelsBuilder(result);
            foreach (var name in matching.Include)
            {
                string v = rhs.Get(name);
                if (v.Length > 0)
                {
                    builder.Set(name, v);
                }
                else
                {
                    builder.Delete(name);
                }
            }

            result = builder.Build();
        }

        return result;
    }

    private void VectorScalarBinop(BinaryExpr b, StepArgs a, bool swap, DropNameCache dropped, List<Sample> output)
    {
        var vec = a.Vectors[swap ? 1 : 0];
        var index = a.SeriesIndex[swap ? 1 : 0];
        double scalar = a.Scalar(swap ? 0 : 1);
        bool comparison = Operators.IsComparison(b.Op);
        bool drop = ShouldDropMetricName(b.Op) || b.ReturnBool;
        for (int i = 0; i < vec.Count; i++)
        {
            var s = vec[i];
            double lf = s.F, rf = scalar;
            if (swap)
            {
                (lf, rf) = (rf, lf);
            }

            var (value, keep) = ElemBinop(b.Op, lf, rf);
            if (comparison && swap)
            {
                value = rf;
            }

            if (b.ReturnBool)
            {
                value = keep ? 1 : 0;
                keep = true;
            }

            if (!keep)
            {
                continue;
            }

            var metric = drop && !Delayed ? dropped.Get(index[i], s.Metric) : s.Metric;
            output.Add(new Sample(metric, s.T, value, drop || s.DropName));
        }
    }

    private static bool ShouldDropMetricName(BinaryOp op) =>
        op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div or BinaryOp.Mod or BinaryOp.Pow or BinaryOp.Atan2;

    /// <summary>Prometheus' <c>vectorElemBinop</c> for floats: the value and whether a comparison keeps the sample.</summary>
    private static (double Value, bool Keep) ElemBinop(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Add => (l + r, true),
        BinaryOp.Sub => (l - r, true),
        BinaryOp.Mul => (l * r, true),
        BinaryOp.Div => (l / r, true),
        BinaryOp.Pow => (Math.Pow(l, r), true),
        BinaryOp.Mod => (l % r, true),
        BinaryOp.Atan2 => (Math.Atan2(l, r), true),
        BinaryOp.Eql => (l, l == r),
        BinaryOp.Neq => (l, l != r),
        BinaryOp.Gtr => (l, l > r),
        BinaryOp.Lss => (l, l < r),
        BinaryOp.Gte => (l, l >= r),
        BinaryOp.Lte => (l, l <= r),
        _ => throw new PromQLException(QueryErrorType.Internal, $"operator {Operators.Name(op)} not allowed here"),
    };
}
