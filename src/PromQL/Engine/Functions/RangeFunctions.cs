using MetricsCluster.Core;
namespace MetricsCluster.PromQL.Engine;

/// <summary>One call of a range function: the window's points, its bounds and the scalar arguments at this step.</summary>
/// <param name="Points">Non-stale points in the window, oldest first.</param>
/// <param name="RangeStart">Window start (exclusive), ms.</param>
/// <param name="RangeEnd">Window end (inclusive), ms.</param>
/// <param name="RangeSeconds">The selector range in seconds.</param>
/// <param name="Ts">The evaluation timestamp, ms.</param>
/// <param name="Scalars">Scalar arguments by argument index (NaN for the range argument).</param>
internal readonly record struct RangeCall(List<FPoint> Points, long RangeStart, long RangeEnd, double RangeSeconds, long Ts, double[] Scalars);

/// <summary>The functions over range vectors (Prometheus' <c>funcRate</c>, <c>funcAvgOverTime</c>, ...), float samples only.</summary>
internal static class RangeFunctions
{
    /// <summary>Evaluates <paramref name="name"/>; false means no output sample for this window.</summary>
    public static bool TryEval(string name, in RangeCall c, out double result)
    {
        var p = c.Points;
        result = 0;
        switch (name)
        {
            case "rate":
                return ExtrapolatedRate(c, true, true, out result);
            case "increase":
                return ExtrapolatedRate(c, true, false, out result);
            case "delta":
                return ExtrapolatedRate(c, false, false, out result);
            case "irate":
                return InstantValue(p, true, out result);
            case "idelta":
                return InstantValue(p, false, out result);
            case "deriv":
                if (p.Count < 2)
                {
                    return false;
                }

                result = FloatMath.LinearRegression(p, p[0].T).Slope;
                return true;
            case "predict_linear":
                {
                    if (p.Count < 2)
                    {
                        return false;
                    }

                    var (slope, intercept) = FloatMath.LinearRegression(p, c.Ts);
                    result = (slope * c.Scalars[1]) + intercept;
                    return true;
                }

            case "avg_over_time":
                result = AvgOverTime(p);
                return true;
            case "sum_over_time":
                {
                    double sum = 0, comp = 0;
                    foreach (var f in p)
                    {
                        (sum, comp) = FloatMath.KahanSumInc(f.F, sum, comp);
                    }

                    result = double.IsInfinity(sum) ? sum : sum + comp;
                    return true;
                }

            case "count_over_time":
                result = p.Count;
                return true;
            case "min_over_time":
                result = p[0].F;
                foreach (var f in p)
                {
                    if (f.F < result || double.IsNaN(result))
                    {
                        result = f.F;
                    }
                }

                return true;
            case "max_over_time":
                result = p[0].F;
                foreach (var f in p)
                {
                    if (f.F > result || double.IsNaN(result))
                    {
                        result = f.F;
                    }
                }

                return true;
            case "last_over_time":
                result = p[^1].F;
                return true;
            case "present_over_time" or "absent_over_time":
                result = 1;
                return true;
            case "stddev_over_time":
                result = Math.Sqrt(StdVar(p));
                return true;
            case "stdvar_over_time":
                result = StdVar(p);
                return true;
            case "quantile_over_time":
                result = FloatMath.Quantile(c.Scalars[0], p.Select(f => f.F).ToList());
                return true;
            case "mad_over_time":
                {
                    var values = p.Select(f => f.F).ToList();
                    if (values.Any(double.IsNaN))
                    {
                        // A NaN sample makes the result NaN rather than being silently dropped.
                        result = double.NaN;
                        return true;
                    }

                    double median = FloatMath.Quantile(0.5, values);
                    result = FloatMath.Quantile(0.5, values.Select(v => Math.Abs(v - median)).ToList());
                    return true;
                }

            case "changes":
                {
                    int changes = 0;
                    double prev = p[0].F;
                    for (int i = 1; i < p.Count; i++)
                    {
                        double cur = p[i].F;
                        if (cur != prev && !(double.IsNaN(cur) && double.IsNaN(prev)))
                        {
                            changes++;
                        }

                        prev = cur;
                    }

                    result = changes;
                    return true;
                }

            case "resets":
                {
                    int resets = 0;
                    for (int i = 1; i < p.Count; i++)
                    {
                        if (p[i].F < p[i - 1].F)
                        {
                            resets++;
                        }
                    }

                    result = resets;
                    return true;
                }

            case "double_exponential_smoothing":
                return DoubleExponentialSmoothing(p, c.Scalars[1], c.Scalars[2], out result);
            default:
                throw new PromQLException(QueryErrorType.Internal, $"unknown range function {name}");
        }
    }

    /// <summary>Prometheus' <c>extrapolatedRate</c> for floats: counter resets, extrapolation to the window edges.</summary>
    private static bool ExtrapolatedRate(in RangeCall c, bool isCounter, bool isRate, out double result)
    {
        var s = c.Points;
        result = 0;
        if (s.Count < 2)
        {
            return false;
        }

        int numSamplesMinusOne = s.Count - 1;
        long firstT = s[0].T, lastT = s[^1].T;
        double value = s[^1].F - s[0].F;
        if (isCounter)
        {
            double prev = s[0].F;
            for (int i = 1; i < s.Count; i++)
            {
                if (s[i].F < prev)
                {
                    value += prev;
                }

                prev = s[i].F;
            }
        }

        double durationToStart = (firstT - c.RangeStart) / 1000.0;
        double durationToEnd = (c.RangeEnd - lastT) / 1000.0;
        double sampledInterval = (lastT - firstT) / 1000.0;
        double averageDurationBetweenSamples = sampledInterval / numSamplesMinusOne;
        double extrapolationThreshold = averageDurationBetweenSamples * 1.1;
        double extrapolateToInterval = sampledInterval;
        if (durationToStart >= extrapolationThreshold)
        {
            durationToStart = averageDurationBetweenSamples / 2;
        }

        if (isCounter && value > 0 && s[0].F >= 0)
        {
            // A counter cannot go below zero: extrapolate at most to where it would have been zero.
            double durationToZero = sampledInterval * (s[0].F / value);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }

        extrapolateToInterval += durationToStart;
        if (durationToEnd >= extrapolationThreshold)
        {
            durationToEnd = averageDurationBetweenSamples / 2;
        }

        extrapolateToInterval += durationToEnd;
        double factor = extrapolateToInterval / sampledInterval;
        if (isRate)
        {
            factor /= c.RangeSeconds;
        }

        result = value * factor;
        return true;
    }

    private static bool InstantValue(List<FPoint> s, bool isRate, out double result)
    {
        result = 0;
        if (s.Count < 2)
        {
            return false;
        }

        var last = s[^1];
        var previous = s[^2];
        result = isRate && last.F < previous.F ? last.F : last.F - previous.F;
        if (isRate)
        {
            long sampledInterval = last.T - previous.T;
            if (sampledInterval == 0)
            {
                return false;
            }

            result /= sampledInterval / 1000.0;
        }

        return true;
    }

    /// <summary>Direct mean with Kahan summation, switching to an incremental mean when the sum would overflow.</summary>
    private static double AvgOverTime(List<FPoint> p)
    {
        double sum = p[0].F, count = 1, mean = 0, kahanC = 0;
        bool incremental = false;
        for (int i = 1; i < p.Count; i++)
        {
            double f = p[i].F;
            count = i + 1;
            if (!incremental)
            {
                var (newSum, newC) = FloatMath.KahanSumInc(f, sum, kahanC);
                if (!double.IsInfinity(newSum))
                {
                    (sum, kahanC) = (newSum, newC);
                    continue;
                }

                incremental = true;
                mean = sum / (count - 1);
                kahanC /= count - 1;
            }

            double q = (count - 1) / count;
            (mean, kahanC) = FloatMath.KahanSumInc(f / count, q * mean, q * kahanC);
        }

        return incremental ? mean + kahanC : (sum / count) + (kahanC / count);
    }

    private static double StdVar(List<FPoint> p)
    {
        double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
        foreach (var f in p)
        {
            count++;
            double delta = f.F - (mean + cMean);
            (mean, cMean) = FloatMath.KahanSumInc(delta / count, mean, cMean);
            (aux, cAux) = FloatMath.KahanSumInc(delta * (f.F - (mean + cMean)), aux, cAux);
        }

        return (aux + cAux) / count;
    }

    private static bool DoubleExponentialSmoothing(List<FPoint> p, double sf, double tf, out double result)
    {
        result = 0;
        if (sf <= 0 || sf >= 1)
        {
            throw PromQLException.Execution($"invalid smoothing factor. Expected: 0 < sf < 1, got: {GoFormat.F6(sf)}");
        }

        if (tf <= 0 || tf >= 1)
        {
            throw PromQLException.Execution($"invalid trend factor. Expected: 0 < tf < 1, got: {GoFormat.F6(tf)}");
        }

        if (p.Count < 2)
        {
            return false;
        }

        double s0 = 0, s1 = p[0].F, b = p[1].F - p[0].F;
        for (int i = 1; i < p.Count; i++)
        {
            double x = sf * p[i].F;
            b = i - 1 == 0 ? b : (tf * (s1 - s0)) + ((1 - tf) * b);
            double y = (1 - sf) * (s1 + b);
            (s0, s1) = (s1, x + y);
        }

        result = s1;
        return true;
    }
}
