using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary>A range-evaluated instant vector or scalar: one series per label set, one point per step at most.</summary>
internal sealed class Matrix : List<Series>
{
    public Matrix()
    {
    }

    public Matrix(int capacity)
        : base(capacity)
    {
    }

    public int TotalPoints()
    {
        int n = 0;
        foreach (var s in this)
        {
            n += s.Floats.Count;
        }

        return n;
    }
}

/// <summary>
/// Evaluates an expression over the steps of a <see cref="QueryPlan"/> the way Prometheus' <c>promql/engine.go</c>
/// evaluator does: every instant-vector and scalar node yields a <see cref="Matrix"/> covering all steps; functions
/// and operators run step by step over the gathered vectors (<see cref="RangeEval"/>). Deep errors are thrown as
/// <see cref="PromQLException"/> and caught in <see cref="QueryEngine"/> (G15).
/// </summary>
/// <remarks>
/// Departs from G15's streaming operators for now: a step-major evaluator reproduces Prometheus' semantics
/// (ordering, duplicate detection, annotations) one-for-one, and memory stays bounded by the sample limit.
/// </remarks>
internal sealed partial class Evaluator
{
    private readonly QueryPlan _plan;

    // Where stored series are decoded, one at a time (StoredSeries.Load), and the iterator carried between them.
    private readonly SampleBuffer _decoded = new();
    private Core.Storage.SampleIterator? _reuse;
    private readonly CancellationToken _ct;
    private readonly long _lookback;
    private readonly int _maxSamples;
    private readonly Func<long, long> _noStepSubqueryInterval;
    private long _start;
    private long _end;
    private long _interval;
    private int _currentSamples;

    public Evaluator(QueryPlan plan, EngineOptions options, CancellationToken ct)
    {
        _plan = plan;
        _ct = ct;
        _lookback = (long)options.LookbackDelta.TotalMilliseconds;
        _maxSamples = options.MaxSamples;
        _noStepSubqueryInterval = options.NoStepSubqueryInterval;
        Delayed = options.DelayedNameRemoval;
        _start = plan.Start;
        _end = plan.End;
        _interval = plan.Interval;
    }

    public Annotations Annotations { get; } = new();

    /// <summary>Delayed <c>__name__</c> removal is on.</summary>
    public bool Delayed { get; }

    // Prometheus' maxPointsSliceSize: a series' points start this small and grow, so a query over millions of
    // steps takes memory only as samples are produced, and the sample limit stops it before it is large.
    private const int MaxInitialPoints = 5000;

    /// <summary>Evaluation steps of the current node; a long, since a subquery at 1 ms over years has trillions.</summary>
    private long Steps => ((_end - _start) / _interval) + 1;

    /// <summary>The starting capacity for a series of up to <see cref="Steps"/> points.</summary>
    private int InitialPoints => (int)Math.Min(Steps, MaxInitialPoints);

    private bool IsInstant => _start == _end;

    /// <summary>The whole query is an instant query.</summary>
    public bool IsInstantQuery => _plan.Start == _plan.End;

    /// <summary>Evaluates the whole query and shapes the result as the API returns it.</summary>
    public QueryValue Run(Expr expr, bool isRange)
    {
        var value = Eval(expr);
        if (value is StringValue s)
        {
            return s;
        }

        var mat = (Matrix)value;
        if (Delayed)
        {
            CleanupMetricLabels(mat);
        }

        if (isRange)
        {
            mat.Sort((a, b) => Labels.Compare(a.Metric, b.Metric));
            return new MatrixValue(mat);
        }

        switch (expr.Type)
        {
            case ValueType.Scalar:
                return new ScalarValue(_start, mat[0].Floats[0].F);
            case ValueType.InstantVector:
                var vec = new List<Sample>(mat.Count);
                foreach (var series in mat)
                {
                    vec.Add(new Sample(series.Metric, _start, series.Floats[0].F));
                }

                return new VectorValue(vec);
            default:
                mat.Sort((a, b) => Labels.Compare(a.Metric, b.Metric));
                return new MatrixValue(mat);
        }
    }

    /// <summary>Evaluates one node: a <see cref="Matrix"/>, or a <see cref="StringValue"/> for string literals.</summary>
    private object Eval(Expr expr)
    {
        _ct.ThrowIfCancellationRequested();
        switch (expr)
        {
            case NumberLiteral n:
                return ConstantMatrix(n.Value);
            case StringLiteral s:
                return new StringValue(_start, s.Value);
            case ParenExpr p:
                return Eval(p.Expr);
            case UnaryExpr u:
                return EvalUnary(u);
            case VectorSelector v:
                return EvalVectorSelector(v);
            case MatrixSelector m:
                return EvalMatrixSelectorRaw(m);
            case SubqueryExpr sq:
                return EvalSubquery(sq).Result;
            case BinaryExpr b:
                return EvalBinary(b);
            case AggregateExpr a:
                return EvalAggregate(a);
            case Call c:
                return EvalCall(c);
            default:
                throw new PromQLException(QueryErrorType.Internal, $"unhandled expression of type {expr.GetType().Name}");
        }
    }

    private Matrix EvalMatrix(Expr expr) => (Matrix)Eval(expr);

    private Matrix ConstantMatrix(double v)
    {
        // A literal has a point at every step: charged before the points are allocated.
        int steps = ReserveSteps();
        var points = new List<FPoint>(steps);
        for (long ts = _start; ts <= _end; ts += _interval)
        {
            points.Add(new FPoint(ts, v));
        }

        AddSamples(steps);
        return [new Series(Labels.Empty, points)];
    }

    private Matrix EvalUnary(UnaryExpr u)
    {
        var mat = EvalMatrix(u.Expr);
        if (u.Op == UnaryOp.Minus)
        {
            foreach (var s in mat)
            {
                if (u.Expr.Type != ValueType.Scalar)
                {
                    DropName(s);
                }

                var f = s.Floats;
                for (int i = 0; i < f.Count; i++)
                {
                    f[i] = new FPoint(f[i].T, -f[i].F);
                }
            }

            if (!Delayed)
            {
                CheckNoSameLabelset(mat);
            }
        }

        return mat;
    }

    /// <summary>Marks a series' name for removal, removing it now unless removal is delayed.</summary>
    private void DropName(Series s)
    {
        if (!Delayed)
        {
            s.Metric = LabelOps.DropMetricName(s.Metric);
        }

        s.DropName = true;
    }

    private Labels DropNameNow(Labels l) => Delayed ? l : LabelOps.DropMetricName(l);

    private static void CheckNoSameLabelset(Matrix mat)
    {
        if (mat.Count < 2)
        {
            return;
        }

        var seen = new HashSet<Labels>();
        foreach (var s in mat)
        {
            if (!seen.Add(s.Metric))
            {
                throw PromQLException.Execution("vector cannot contain metrics with the same labelset");
            }
        }
    }

    /// <summary>
    /// Delayed name removal's last step: drop names where marked; series that now share a label set are merged when
    /// their points do not overlap, otherwise the query fails as in Prometheus.
    /// </summary>
    private static void CleanupMetricLabels(Matrix mat)
    {
        var byLabels = new Dictionary<Labels, Series>();
        var merged = new Matrix(mat.Count);
        foreach (var s in mat)
        {
            if (s.DropName)
            {
                s.Metric = LabelOps.DropMetricName(s.Metric);
                s.DropName = false;
            }

            if (!byLabels.TryGetValue(s.Metric, out var existing))
            {
                byLabels[s.Metric] = s;
                merged.Add(s);
                continue;
            }

            var times = new HashSet<long>(existing.Floats.Select(p => p.T));
            if (s.Floats.Any(p => times.Contains(p.T)))
            {
                throw PromQLException.Execution("vector cannot contain metrics with the same labelset");
            }

            existing.Floats.AddRange(s.Floats);
            existing.Floats.Sort((a, b) => a.T.CompareTo(b.T));
        }

        mat.Clear();
        mat.AddRange(merged);
    }

    private void AddSamples(int n)
    {
        _currentSamples += n;
        if (_currentSamples > _maxSamples)
        {
            throw PromQLException.TooManySamples();
        }
    }

    /// <summary>
    /// Checks that one point per step fits in what is left of the sample limit, before a caller allocates that
    /// many, and returns the step count (then known to fit in an int).
    /// </summary>
    private int ReserveSteps()
    {
        long steps = Steps;
        if (_currentSamples + steps > _maxSamples)
        {
            throw PromQLException.TooManySamples();
        }

        return (int)steps;
    }

    /// <summary>Fails once <paramref name="pending"/> points not yet added would take the query over the limit.</summary>
    private void CheckPending(int pending)
    {
        if ((long)_currentSamples + pending > _maxSamples)
        {
            throw PromQLException.TooManySamples();
        }
    }

    /// <summary>A stored series' samples, decoded into the evaluator's buffer if need be and counted against the limit then.</summary>
    private SeriesSamples Load(StoredSeries s)
    {
        var data = s.Load(_decoded, ref _reuse);
        if (s.DecodesOnLoad)
        {
            _plan.ChargeDecoded(data.T.Length);
        }

        return data;
    }

    private void ReleaseSamples(int n) => _currentSamples = Math.Max(0, _currentSamples - n);
}
