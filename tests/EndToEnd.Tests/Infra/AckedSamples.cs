using System.Globalization;
using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>
/// Checks that a querier returns exactly the samples a <see cref="LoadWriter"/> had acknowledged: each series counted
/// with <c>count_over_time</c> at the last acknowledged timestamp; on a mismatch the raw samples of the first few
/// wrong series name the missing (or extra) timestamps.
/// </summary>
public static class AckedSamples
{
    /// <summary>Null when every acknowledged sample comes back exactly once, else what differs.</summary>
    public static async Task<string?> CheckAsync(HttpClient http, Uri querier, string tenant, LoadWriter writer)
    {
        var acked = writer.Acked;
        if (acked.Count == 0)
        {
            return "nothing acknowledged yet";
        }

        long at = writer.TimestampOf(acked[^1]);
        string time = (at / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
        var counts = await VectorAsync(http, querier, tenant, $"count_over_time({writer.Metric}[1h])", time);
        var wrong = Enumerable.Range(0, writer.Series)
            .Select(s => s.ToString(CultureInfo.InvariantCulture))
            .Where(s => !counts.TryGetValue(s, out double n) || n != acked.Count)
            .ToList();
        if (wrong.Count == 0)
        {
            return null;
        }

        var lines = new List<string>
        {
            $"{wrong.Count} of {writer.Series} series of {writer.Metric} do not hold the {acked.Count} acknowledged samples (query time {time}); counts: "
            + string.Join(", ", wrong.Take(10).Select(s => $"s={s}: {(counts.TryGetValue(s, out double n) ? n : 0)}")),
        };
        var expected = acked.Select(writer.TimestampOf).ToHashSet();
        foreach (string s in wrong.Take(3))
        {
            var got = await RawAsync(http, querier, tenant, $"{writer.Metric}{{s=\"{s}\"}}[1h]", time);
            var missing = expected.Where(t => !got.Contains(t)).Order().ToList();
            var extra = got.Where(t => !expected.Contains(t)).ToList();
            lines.Add($"  s={s}: missing {missing.Count} [{string.Join(",", missing.Take(20).Select(t => $"round {(t - writer.T0) / LoadWriter.StepMs}"))}], extra or duplicated {extra.Count + (got.Count - got.Distinct().Count())}");
        }

        return string.Join('\n', lines);
    }

    /// <summary>
    /// Null when every acknowledged sample comes back, and besides them at most the samples of refused rounds (a push
    /// answered 5xx may still have been stored; its sender retries it); else what differs.
    /// </summary>
    public static async Task<string?> CheckAtLeastOnceAsync(HttpClient http, Uri querier, string tenant, LoadWriter writer)
    {
        var acked = writer.Acked;
        int refused = writer.Failures.Count;
        if (acked.Count == 0)
        {
            return "nothing acknowledged yet";
        }

        string time = (writer.TimestampOf(Math.Max(acked[^1], acked.Count + refused)) / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
        var counts = await VectorAsync(http, querier, tenant, $"count_over_time({writer.Metric}[1h])", time);
        var wrong = Enumerable.Range(0, writer.Series)
            .Select(s => s.ToString(CultureInfo.InvariantCulture))
            .Where(s => !counts.TryGetValue(s, out double n) || n < acked.Count || n > acked.Count + refused)
            .ToList();
        return wrong.Count == 0 ? null :
            $"{wrong.Count} of {writer.Series} series of {writer.Metric} do not hold the {acked.Count} acknowledged samples (plus at most {refused} refused); counts: "
            + string.Join(", ", wrong.Take(10).Select(s => $"s={s}: {(counts.TryGetValue(s, out double n) ? n : 0)}"));
    }

    private static async Task<Dictionary<string, double>> VectorAsync(HttpClient http, Uri querier, string tenant, string query, string time)
    {
        using var data = await QueryAsync(http, querier, tenant, query, time);
        return data.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
            r => r.GetProperty("metric").GetProperty("s").GetString()!,
            r => double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));
    }

    private static async Task<List<long>> RawAsync(HttpClient http, Uri querier, string tenant, string query, string time)
    {
        using var data = await QueryAsync(http, querier, tenant, query, time);
        var result = data.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0
            ? []
            : [.. result[0].GetProperty("values").EnumerateArray().Select(v => (long)Math.Round(v[0].GetDouble() * 1000))];
    }

    private static async Task<JsonDocument> QueryAsync(HttpClient http, Uri querier, string tenant, string query, string time)
    {
        var (status, json, raw) = await QueryApi.GetAsync(http, querier, $"/prometheus/api/v1/query?query={Uri.EscapeDataString(query)}&time={time}", tenant);
        return status == 200 && json is not null ? json : throw new InvalidOperationException($"query {query} answered {status}: {raw}");
    }
}
