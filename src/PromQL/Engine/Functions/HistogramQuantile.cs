using System.Globalization;
using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary><c>histogram_quantile</c> over classic <c>le</c> buckets (Prometheus' <c>BucketQuantile</c>).</summary>
internal static class HistogramQuantile
{
    private const double SmallDeltaTolerance = 1e-12;
    private static readonly LabelNameSet s_le = new(["le"]);

    public static void Eval(Evaluator ev, Call call, double q, List<Sample> input, long ts, List<Sample> output)
    {
        if (double.IsNaN(q) || q < 0 || q > 1)
        {
            ev.Annotations.Warn($"quantile value should be between 0 and 1, got {GoFormat.G(q)}", call.Args[0].Pos);
        }

        Grouped(ev, call.Args[1].Pos, input, ts, output, (metricName, buckets) =>
        {
            double r = BucketQuantile(q, buckets, out bool forced);
            if (forced)
            {
                ev.Annotations.Info(
                    "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) " +
                    $"for metric name \"{metricName}\"", call.Args[1].Pos);
            }

            return r;
        });
    }

    /// <summary><c>histogram_fraction(lower, upper, buckets)</c>: the estimated share of observations in [lower, upper].</summary>
    public static void Fraction(Evaluator ev, Call call, double lower, double upper, List<Sample> input, long ts, List<Sample> output) =>
        Grouped(ev, call.Args[2].Pos, input, ts, output, (_, buckets) => BucketFraction(lower, upper, buckets));

    private static void Grouped(Evaluator ev, PositionRange argPos, List<Sample> input, long ts, List<Sample> output,
        Func<string, List<(double Upper, double Count)>, double> compute)
    {

        // Group by all labels but le (the name included, as Prometheus does), keeping first-seen order.
        var groups = new Dictionary<Labels, (Labels Metric, List<(double Upper, double Count)> Buckets)>();
        var order = new List<Labels>();
        foreach (var s in input)
        {
            string le = s.Metric.Get("le");
            if (!TryParseBound(le, out double upper))
            {
                ev.Annotations.Warn($"bucket label \"le\" is missing or has a malformed value of \"{le}\" for metric name \"{s.Metric.MetricName}\"",
                    argPos);
                continue;
            }

            var key = LabelOps.Filter(s.Metric, s_le, keep: false);
            if (!groups.TryGetValue(key, out var g))
            {
                var metric = ev.Delayed ? key : LabelOps.DropMetricName(key);
                g = (metric, []);
                groups[key] = g;
                order.Add(key);
            }

            g.Buckets.Add((upper, s.F));
        }

        foreach (var key in order)
        {
            var (metric, buckets) = groups[key];
            output.Add(new Sample(metric, ts, compute(key.MetricName, buckets), true));
        }
    }

    /// <summary>Parses an <c>le</c> value like Go's <c>strconv.ParseFloat</c> (accepts +Inf, Inf, NaN, exponents, hex is rare and rejected).</summary>
    private static bool TryParseBound(string s, out double v)
    {
        switch (s.ToLowerInvariant())
        {
            case "+inf" or "inf" or "+infinity" or "infinity":
                v = double.PositiveInfinity;
                return true;
            case "-inf" or "-infinity":
                v = double.NegativeInfinity;
                return true;
            case "nan":
                v = double.NaN;
                return true;
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && s.Length > 0;
    }

    private static double BucketQuantile(double q, List<(double Upper, double Count)> buckets, out bool forcedMonotonic)
    {
        forcedMonotonic = false;
        if (double.IsNaN(q))
        {
            return double.NaN;
        }

        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        var b = buckets.OrderBy(x => x.Upper).ToList();
        if (!double.IsPositiveInfinity(b[^1].Upper))
        {
            return double.NaN;
        }

        b = Coalesce(b);
        forcedMonotonic = EnsureMonotonic(b);
        if (b.Count < 2)
        {
            return double.NaN;
        }

        double observations = b[^1].Count;
        if (observations == 0)
        {
            return double.NaN;
        }

        double rank = q * observations;
        int idx = 0;
        while (idx < b.Count - 1 && !(b[idx].Count >= rank))
        {
            idx++;
        }

        if (idx == b.Count - 1)
        {
            return b[^2].Upper;
        }

        if (idx == 0 && b[0].Upper <= 0)
        {
            return b[0].Upper;
        }

        double bucketStart = 0, bucketEnd = b[idx].Upper, count = b[idx].Count;
        if (idx > 0)
        {
            bucketStart = b[idx - 1].Upper;
            count -= b[idx - 1].Count;
            rank -= b[idx - 1].Count;
        }

        return bucketStart + ((bucketEnd - bucketStart) * (rank / count));
    }

    /// <summary>
    /// The fraction of observations between <paramref name="lower"/> and <paramref name="upper"/>, interpolating
    /// linearly inside finite buckets; the first bucket starts at 0 when its bound is positive (as in
    /// histogram_quantile), an infinitely wide bucket counts only when the interval reaches its infinite end.
    /// </summary>
    private static double BucketFraction(double lower, double upper, List<(double Upper, double Count)> buckets)
    {
        var b = buckets.OrderBy(x => x.Upper).ToList();
        if (!double.IsPositiveInfinity(b[^1].Upper))
        {
            return double.NaN;
        }

        b = Coalesce(b);
        double count = b[^1].Count;
        if (count == 0 || double.IsNaN(lower) || double.IsNaN(upper))
        {
            return double.NaN;
        }

        if (lower >= upper)
        {
            return 0;
        }

        double observations = 0, prevCount = 0;
        for (int i = 0; i < b.Count; i++)
        {
            double lb = i == 0 ? (b[0].Upper > 0 ? 0 : double.NegativeInfinity) : b[i - 1].Upper;
            double ub = b[i].Upper;
            double inBucket = b[i].Count - prevCount;
            prevCount = b[i].Count;
            if (double.IsInfinity(lb) || double.IsInfinity(ub))
            {
                // No interpolation inside an infinitely wide bucket: it counts only when the interval reaches its infinite end.
                if ((double.IsNegativeInfinity(lb) && double.IsNegativeInfinity(lower)) || (double.IsPositiveInfinity(ub) && double.IsPositiveInfinity(upper)))
                {
                    observations += inBucket;
                }

                continue;
            }

            double overlap = Math.Min(upper, ub) - Math.Max(lower, lb);
            if (overlap > 0)
            {
                observations += inBucket * overlap / (ub - lb);
            }
        }

        return observations / count;
    }

    private static List<(double Upper, double Count)> Coalesce(List<(double Upper, double Count)> b)
    {
        var result = new List<(double Upper, double Count)>(b.Count);
        var last = b[0];
        for (int i = 1; i < b.Count; i++)
        {
            if (b[i].Upper == last.Upper)
            {
                last.Count += b[i].Count;
            }
            else
            {
                result.Add(last);
                last = b[i];
            }
        }

        result.Add(last);
        return result;
    }

    private static bool EnsureMonotonic(List<(double Upper, double Count)> b)
    {
        bool forced = false;
        double prev = b[0].Count;
        for (int i = 1; i < b.Count; i++)
        {
            double curr = b[i].Count;
            if (curr == prev)
            {
                continue;
            }

            if (AlmostEqual(prev, curr, SmallDeltaTolerance))
            {
                b[i] = (b[i].Upper, prev);
                continue;
            }

            if (curr < prev)
            {
                b[i] = (b[i].Upper, prev);
                forced = true;
                continue;
            }

            prev = curr;
        }

        return forced;
    }

    /// <summary>Prometheus' <c>almost.Equal</c>.</summary>
    private static bool AlmostEqual(double a, double b, double epsilon)
    {
        const double minNormal = 2.2250738585072014e-308;
        if (a == b)
        {
            return true;
        }

        double absSum = Math.Abs(a) + Math.Abs(b);
        double diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < minNormal)
        {
            return diff < epsilon * minNormal;
        }

        return diff / Math.Min(absSum, double.MaxValue) < epsilon;
    }
}
