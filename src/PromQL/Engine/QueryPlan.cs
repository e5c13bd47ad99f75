using MetricsCluster.Core;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// The storage side of one query: which time range each selector needs (Prometheus'
/// <c>getTimeRangesForSelector</c>), and the series each selector returned.
/// </summary>
internal sealed class QueryPlan
{
    private readonly Dictionary<VectorSelector, (long Min, long Max, long Range)> _ranges = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<VectorSelector, string?> _funcs = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<VectorSelector, List<StoredSeries>> _series = new(ReferenceEqualityComparer.Instance);
    private long _maxSamples = long.MaxValue;

    private QueryPlan(long start, long end, long interval)
    {
        Start = start;
        End = end;
        Interval = interval;
    }

    /// <summary>First evaluation timestamp (ms).</summary>
    public long Start { get; }

    /// <summary>Last evaluation timestamp (ms).</summary>
    public long End { get; }

    /// <summary>Step (ms); 1 for instant queries, as in Prometheus.</summary>
    public long Interval { get; }

    /// <summary>Earliest sample time any selector needs.</summary>
    public long MinTime { get; private set; } = long.MaxValue;

    /// <summary>Latest sample time any selector needs.</summary>
    public long MaxTime { get; private set; } = long.MinValue;

    /// <summary>The coarsest downsampling resolution (ms) the query may read; null = automatic (step / 5).</summary>
    public long? MaxSourceResolution { get; private init; }

    /// <summary>Walks <paramref name="expr"/> and records each selector's time range and enclosing function.</summary>
    public static QueryPlan Create(Expr expr, long start, long end, long interval, EngineOptions options, long? maxSourceResolution = null)
    {
        var plan = new QueryPlan(start, end, interval) { MaxSourceResolution = maxSourceResolution };
        plan.Walk(expr, start, end, (long)options.LookbackDelta.TotalMilliseconds, 0, null);
        if (plan.MinTime > plan.MaxTime)
        {
            plan.MinTime = plan.MaxTime = start;
        }

        return plan;
    }

    /// <summary>The <c>@</c> time of a selector or subquery, with <c>start()</c>/<c>end()</c> resolved.</summary>
    public long? AtTime(long? timestamp, AtModifier startOrEnd) => startOrEnd switch
    {
        AtModifier.Start => Start,
        AtModifier.End => End,
        _ => timestamp,
    };

    /// <summary>The series a selector returned (empty before <see cref="FetchAsync"/>).</summary>
    public IReadOnlyList<StoredSeries> SeriesOf(VectorSelector selector) =>
        _series.TryGetValue(selector, out var list) ? list : [];

    /// <summary>Samples decoded from the fetched series so far (at fetch, or as evaluation reached them).</summary>
    public long FetchedSamples { get; private set; }

    /// <summary>
    /// Counts <paramref name="samples"/> more decoded samples against the limit <see cref="FetchAsync"/> was given:
    /// a query's decoding stays bounded even where its series are decoded one at a time.
    /// </summary>
    /// <exception cref="PromQLException">Over the limit (Prometheus' "too many samples" text).</exception>
    public void ChargeDecoded(int samples)
    {
        FetchedSamples += samples;
        if (FetchedSamples > _maxSamples)
        {
            throw PromQLException.TooManySamples();
        }
    }

    /// <summary>
    /// Selects every selector's series from <paramref name="querier"/>. Series that own their data are kept as they
    /// came and decoded during evaluation; the others are decoded here. Decoded samples count against
    /// <paramref name="maxSamples"/> either way (<see cref="ChargeDecoded"/>).
    /// </summary>
    public async Task FetchAsync(IQuerier querier, int maxSamples, CancellationToken ct)
    {
        _maxSamples = maxSamples;
        var decoded = new SampleBuffer();
        SampleIterator? reuse = null;
        foreach (var (selector, (min, max, range)) in _ranges)
        {
            var list = new List<StoredSeries>();
            var hints = new SelectHints(min, max, Interval, _funcs.GetValueOrDefault(selector), MaxSourceResolution);
            await foreach (var s in querier.SelectAsync(true, hints, selector.Matchers, ct).ConfigureAwait(false))
            {
                StoredSeries stored;
                if (s is IDetachedSeries detached)
                {
                    // Kept as it came (chunk bytes, for the ingesters' and store-gateways' answers) and decoded when
                    // evaluation reaches it: decoded, every selected sample would cost 16 bytes for the whole query.
                    // Its samples count against the limit as they are decoded (ChargeDecoded).
                    stored = new StoredSeries(detached, min, max);
                }
                else
                {
                    StoredSeries.Decode(s, min, max, decoded, ref reuse);
                    var samples = decoded.Samples;
                    stored = new StoredSeries(s.Labels, samples.T.ToArray(), samples.V.ToArray());
                }

                ChargeDecoded(stored.DecodedCount);
                list.Add(stored);
            }

            _series[selector] = list;
        }
    }

    // 'func' is the nearest enclosing function call or aggregation, as Prometheus' extractFuncFromPath computes it for
    // SelectHints.Func (a binary operator in between hides it); stores of downsampled data choose an aggregate by it.
    private void Walk(Expr e, long lo, long hi, long lookback, long range, string? func)
    {
        switch (e)
        {
            case VectorSelector v:
                {
                    _funcs[v] = func;
                    long? at = AtTime(v.Timestamp, v.StartOrEnd);
                    long off = (long)v.OriginalOffset.TotalMilliseconds;
                    long min = (at ?? lo) - off - (range > 0 ? range : lookback);
                    long max = (at ?? hi) - off;
                    _ranges[v] = (min, max, range);
                    MinTime = Math.Min(MinTime, min);
                    MaxTime = Math.Max(MaxTime, max);
                    return;
                }

            case MatrixSelector m:
                Walk(m.VectorSelector, lo, hi, lookback, (long)m.Range.TotalMilliseconds, func);
                return;
            case SubqueryExpr s:
                {
                    long? at = AtTime(s.Timestamp, s.StartOrEnd);
                    long off = (long)s.OriginalOffset.TotalMilliseconds;
                    long r = (long)s.Range.TotalMilliseconds;
                    Walk(s.Expr, (at ?? lo) - off - r, (at ?? hi) - off, lookback, 0, func);
                    return;
                }

            default:
                string? inner = e switch
                {
                    Call c => c.Function.Name,
                    AggregateExpr a => Operators.Name(a.Op),
                    BinaryExpr => null,
                    _ => func,
                };
                foreach (var child in Ast.Children(e))
                {
                    Walk(child, lo, hi, lookback, 0, inner);
                }

                return;
        }
    }
}
