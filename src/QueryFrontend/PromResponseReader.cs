using System.Globalization;
using System.Text.Json;
using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;

namespace MetricsCluster.QueryFrontend;

/// <summary>
/// Reads a Prometheus query API response (<c>{"status":…,"data":{"resultType":…,"result":…},"warnings":…}</c>) back
/// into a <see cref="QueryResult"/>. Values are written by Prometheus as shortest round-trip decimal strings (Go's
/// <c>FormatFloat(f, 'f' or 'e', -1, 64)</c>), so parsing them gives back the very same doubles; timestamps are
/// seconds with at most three fraction digits and are read as exact milliseconds.
/// </summary>
public static class PromResponseReader
{
    /// <summary>How the Prometheus API prefixes an engine's <c>bad_data</c> message.</summary>
    public const string QueryParameterPrefix = "invalid parameter \"query\": ";

    /// <summary>Parses <paramref name="body"/>; a body that is not a Prometheus response is an internal error naming <paramref name="statusCode"/>.</summary>
    public static QueryResult Read(ReadOnlySpan<byte> body, int statusCode)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException)
        {
            return Failed(ErrorTypeOf(statusCode), $"downstream answered {statusCode}: {Snippet(body)}");
        }

        using (doc)
        {
            try
            {
                return Read(doc.RootElement, statusCode);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or OverflowException)
            {
                return Failed(QueryErrorType.Internal, $"downstream answered {statusCode} with a malformed query response: {e.Message}");
            }
        }
    }

    /// <summary>The error type of a status code, as Prometheus' <c>respondError</c> assigns them (for bodies without an <c>errorType</c>).</summary>
    public static QueryErrorType ErrorTypeOf(int statusCode) => statusCode switch
    {
        400 => QueryErrorType.BadData,
        422 => QueryErrorType.Execution,
        499 => QueryErrorType.Canceled,
        503 => QueryErrorType.Timeout,
        _ => QueryErrorType.Internal,
    };

    private static QueryResult Read(JsonElement root, int statusCode)
    {
        var warnings = Strings(root, "warnings");
        var infos = Strings(root, "infos");
        if (root.GetProperty("status").GetString() != "success")
        {
            string message = root.TryGetProperty("error", out var e) ? e.GetString() ?? string.Empty : string.Empty;
            var type = root.TryGetProperty("errorType", out var t) ? ErrorType(t.GetString(), statusCode) : ErrorTypeOf(statusCode);
            if (type == QueryErrorType.BadData && message.StartsWith(QueryParameterPrefix, StringComparison.Ordinal))
            {
                // The query API wraps the engine's bad_data as a bad "query" parameter; the frontend's own API wraps
                // the result again, so the engine's message is what a QueryResult carries.
                message = message[QueryParameterPrefix.Length..];
            }

            return new QueryResult(null, new QueryError(type, message), warnings, infos);
        }

        var data = root.GetProperty("data");
        var result = data.GetProperty("result");
        QueryValue value = data.GetProperty("resultType").GetString() switch
        {
            "matrix" => new MatrixValue([.. result.EnumerateArray().Select(ReadSeries)]),
            "vector" => new VectorValue([.. result.EnumerateArray().Select(ReadSample)]),
            "scalar" => new ScalarValue(Millis(result[0]), ParseFloat(result[1].GetString()!)),
            "string" => new StringValue(Millis(result[0]), result[1].GetString()!),
            var other => throw new FormatException($"unknown resultType \"{other}\""),
        };
        return new QueryResult(value, null, warnings, infos);
    }

    private static Series ReadSeries(JsonElement s)
    {
        var points = new List<FPoint>();
        if (s.TryGetProperty("values", out var values))
        {
            foreach (var p in values.EnumerateArray())
            {
                points.Add(new FPoint(Millis(p[0]), ParseFloat(p[1].GetString()!)));
            }
        }

        return new Series(ReadLabels(s.GetProperty("metric")), points);
    }

    private static Sample ReadSample(JsonElement s)
    {
        var v = s.GetProperty("value");
        return new Sample(ReadLabels(s.GetProperty("metric")), Millis(v[0]), ParseFloat(v[1].GetString()!));
    }

    private static Labels ReadLabels(JsonElement metric)
    {
        var pairs = new List<string>();
        foreach (var p in metric.EnumerateObject())
        {
            pairs.Add(p.Name);
            pairs.Add(p.Value.GetString()!);
        }

        return Labels.FromStrings([.. pairs]);
    }

    /// <summary>Go's float text: shortest round-trip digits, or NaN/+Inf/-Inf.</summary>
    internal static double ParseFloat(string s) => s switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>Seconds with up to three fraction digits (a JSON number) as exact milliseconds.</summary>
    internal static long Millis(JsonElement seconds) =>
        (long)decimal.Round(decimal.Parse(seconds.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) * 1000m, MidpointRounding.AwayFromZero);

    private static IReadOnlyList<string> Strings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray().Select(e => e.GetString() ?? string.Empty)] : [];

    private static QueryErrorType ErrorType(string? name, int statusCode) => name switch
    {
        "bad_data" => QueryErrorType.BadData,
        "execution" => QueryErrorType.Execution,
        "timeout" => QueryErrorType.Timeout,
        "canceled" => QueryErrorType.Canceled,
        "internal" => QueryErrorType.Internal,
        _ => ErrorTypeOf(statusCode),
    };

    private static string Snippet(ReadOnlySpan<byte> body)
    {
        // Enough to identify a proxy's or server's error page without copying a large body into the message.
        string text = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 256)]).Trim();
        return text.Length == 0 ? "(empty body)" : text;
    }

    private static QueryResult Failed(QueryErrorType type, string message) => new(null, new QueryError(type, message), [], []);
}
