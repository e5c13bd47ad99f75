using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>
/// Deterministic past data for the long-term-storage tests: <see cref="SeriesCount"/> series
/// <c>{__name__=Metric, g=s%5, s=NNNN}</c>, one sample every <see cref="StepMs"/> from <see cref="StartMs"/> to
/// <see cref="EndMs"/> inclusive, every value distinct (<c>s·10000 + i/2</c>, exact in binary so text round-trips).
/// </summary>
/// <param name="Metric">The metric name.</param>
/// <param name="SeriesCount">How many series.</param>
/// <param name="StartMs">First timestamp (ms).</param>
/// <param name="EndMs">Last timestamp (ms), a whole number of steps after the first.</param>
/// <param name="StepMs">The scrape interval (ms).</param>
public sealed record PastSeries(string Metric, int SeriesCount, long StartMs, long EndMs, long StepMs)
{
    /// <summary>Samples per series.</summary>
    public int Points => (int)((EndMs - StartMs) / StepMs) + 1;

    /// <summary>Samples in total.</summary>
    public long TotalSamples => (long)Points * SeriesCount;

    /// <summary><paramref name="hours"/> hours ending one step before the current minute, at a one-minute interval.</summary>
    public static PastSeries Recent(string metric, int seriesCount, int hours)
    {
        const long step = 60_000;
        long end = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / step * step) - step;
        return new PastSeries(metric, seriesCount, end - (hours * 3_600_000L), end, step);
    }

    /// <summary>The value of sample <paramref name="i"/> of series <paramref name="s"/>.</summary>
    public static double Value(int s, int i) => (s * 10_000.0) + (i * 0.5);

    /// <summary>The value of label <c>s</c> for series <paramref name="s"/>.</summary>
    public static string SeriesLabel(int s) => s.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Remote-write bodies covering [<paramref name="fromMs"/>, <paramref name="toMs"/>), in time order, at most about 20,000 samples each.</summary>
    public IEnumerable<byte[]> Bodies(long fromMs, long toMs)
    {
        int first = (int)Math.Max(0, (fromMs - StartMs + StepMs - 1) / StepMs);
        int last = (int)Math.Min(Points, (toMs - StartMs + StepMs - 1) / StepMs);
        int perBody = Math.Max(1, 20_000 / SeriesCount);
        for (int lo = first; lo < last; lo += perBody)
        {
            int hi = Math.Min(last, lo + perBody);
            yield return RemoteWrite.Body([.. Enumerable.Range(0, SeriesCount).Select(s => RemoteWrite.Series(
                [.. Enumerable.Range(lo, hi - lo).Select(i => (StartMs + (i * StepMs), Value(s, i)))],
                "__name__", Metric, "g", (s % 5).ToString(CultureInfo.InvariantCulture), "s", SeriesLabel(s)))]);
        }
    }

    /// <summary>The whole data set as an OpenMetrics text file (one gauge family, timestamps in seconds).</summary>
    public string OpenMetrics()
    {
        var sb = new StringBuilder();
        sb.Append("# HELP ").Append(Metric).Append(" Deterministic test data.\n# TYPE ").Append(Metric).Append(" gauge\n");
        for (int s = 0; s < SeriesCount; s++)
        {
            for (int i = 0; i < Points; i++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{Metric}{{g=\"{s % 5}\",s=\"{SeriesLabel(s)}\"}} {Value(s, i).ToString("R", CultureInfo.InvariantCulture)} {(StartMs + (i * StepMs)) / 1000}\n");
            }
        }

        return sb.Append("# EOF\n").ToString();
    }

    /// <summary>
    /// Runs <c>query_range(Metric)</c> over the whole range with step = the scrape interval and returns null when it
    /// holds exactly every sample (each series once, every timestamp and value), else the first difference.
    /// </summary>
    public async Task<string?> QueryDifferenceAsync(HttpClient http, Uri baseUri, string? tenant, string apiPrefix = "/prometheus/api/v1")
    {
        string path = FormattableString.Invariant($"{apiPrefix}/query_range?query={Metric}&start={StartMs / 1000.0}&end={EndMs / 1000.0}&step={StepMs / 1000.0}");
        var (status, json, raw) = await QueryApi.GetAsync(http, baseUri, path, tenant);
        if (status != 200 || json is null)
        {
            return $"query_range answered {status}: {Truncate(raw)}";
        }

        using (json)
        {
            return Difference(json.RootElement.GetProperty("data").GetProperty("result"));
        }
    }

    private string? Difference(JsonElement result)
    {
        var seen = new HashSet<int>();
        foreach (var series in result.EnumerateArray())
        {
            int s = int.Parse(series.GetProperty("metric").GetProperty("s").GetString()!, CultureInfo.InvariantCulture);
            if (s < 0 || s >= SeriesCount || !seen.Add(s))
            {
                return $"unexpected or duplicate series s={s}";
            }

            int i = 0;
            foreach (var point in series.GetProperty("values").EnumerateArray())
            {
                long t = (long)Math.Round(point[0].GetDouble() * 1000);
                double v = double.Parse(point[1].GetString()!, CultureInfo.InvariantCulture);
                if (i >= Points || t != StartMs + (i * StepMs) || v != Value(s, i))
                {
                    return FormattableString.Invariant($"series s={s} point {i}: got ({t}, {v}), want ({StartMs + (i * StepMs)}, {Value(s, i)})");
                }

                i++;
            }

            if (i != Points)
            {
                return $"series s={s}: {i} points, want {Points}";
            }
        }

        return seen.Count == SeriesCount ? null : $"{seen.Count} series, want {SeriesCount}";
    }

    private static string Truncate(string s) => s.Length <= 500 ? s : s[..500] + "...";
}
