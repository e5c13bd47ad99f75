using System.Globalization;
using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra.PromQLComparison;

/// <summary>One series of a query result: canonical label text and its (timestamp, value text) points.</summary>
public sealed record AnswerSeries(string Labels, IReadOnlyList<(double T, string V)> Points);

/// <summary>A /api/v1/query or /api/v1/query_range answer, normalised for comparison.</summary>
public sealed record QueryAnswer(int HttpStatus, string Status, string? ErrorType, string? ResultType, IReadOnlyList<AnswerSeries> Series, string Raw)
{
    /// <summary>Parses the Prometheus JSON envelope; anything else becomes status "unparsable".</summary>
    public static QueryAnswer Parse(int httpStatus, string raw)
    {
        try
        {
            using var doc = JsonDocument.Parse(raw);
            JsonElement root = doc.RootElement;
            string status = root.GetProperty("status").GetString() ?? "?";
            if (status != "success")
            {
                string? errorType = root.TryGetProperty("errorType", out var et) ? et.GetString() : null;
                return new QueryAnswer(httpStatus, status, errorType, null, [], raw);
            }

            JsonElement data = root.GetProperty("data");
            string resultType = data.GetProperty("resultType").GetString() ?? "?";
            JsonElement result = data.GetProperty("result");
            var series = resultType switch
            {
                "scalar" or "string" => [new AnswerSeries(string.Empty, [Point(result)])],
                "vector" => result.EnumerateArray().Select(e => new AnswerSeries(Labels(e), [Point(e.GetProperty("value"))])).ToList(),
                "matrix" => result.EnumerateArray().Select(e => new AnswerSeries(Labels(e), e.GetProperty("values").EnumerateArray().Select(Point).ToList())).ToList(),
                _ => new List<AnswerSeries>(),
            };
            return new QueryAnswer(httpStatus, status, null, resultType, series, raw);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new QueryAnswer(httpStatus, "unparsable", null, null, [], raw);
        }
    }

    /// <summary>A value text as a number: Prometheus writes NaN, +Inf and -Inf.</summary>
    public static double Number(string v) => v switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static (double T, string V) Point(JsonElement pair) => (pair[0].GetDouble(), pair[1].GetString() ?? string.Empty);

    private static string Labels(JsonElement element) =>
        "{" + string.Join(", ", element.GetProperty("metric").EnumerateObject()
            .Select(p => (p.Name, Value: p.Value.GetString()))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}=\"{p.Value}\"")) + "}";
}
