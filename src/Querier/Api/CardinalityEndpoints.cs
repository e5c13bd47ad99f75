using System.Globalization;
using System.Text.Json;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// Cardinality of a tenant's in-memory series, read from the ingesters through <see cref="IIngesterClient"/>:
/// Prometheus' <c>status/tsdb</c> (web/api/v1 <c>serveTSDBStatus</c>: head stats and four top-N lists) and Mimir's
/// <c>cardinality/label_names</c> and <c>cardinality/label_values</c> (<c>count_method=inmemory</c>). Each request
/// scans the tenant's head series once, so the scan is capped at <see cref="CardinalityLimits.MaxSeries"/>.
/// </summary>
public static class CardinalityEndpoints
{
    /// <summary>Prometheus' default length of each <c>status/tsdb</c> list.</summary>
    internal const int DefaultTsdbLimit = 10;

    /// <summary>Mimir's default and maximum <c>limit</c> of the cardinality endpoints.</summary>
    internal const int DefaultCardinalityLimit = 20;

    /// <summary>Mimir's maximum <c>limit</c> of the cardinality endpoints; also the cap of <c>status/tsdb</c>'s.</summary>
    internal const int MaxCardinalityLimit = 500;

    /// <summary>At most this many <c>label_names[]</c> in one <c>cardinality/label_values</c> request.</summary>
    internal const int MaxLabelNames = 100;

    private static readonly Matcher[] s_allSeries = [new Matcher(MatcherType.Regex, "__name__", ".+")];

    /// <summary>Maps the endpoints under <paramref name="prefix"/>.</summary>
    public static IEndpointRouteBuilder MapCardinality(this IEndpointRouteBuilder app, string prefix, IIngesterClient ingesters, CardinalityLimits limits,
        Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant)
    {
        string[] getPost = ["GET", "POST"];
        app.MapGet(prefix + "/api/v1/status/tsdb", ctx => PrometheusApi.Handle(ctx, resolveTenant, (t, p, w) => TsdbStatusAsync(ingesters, limits, t, p, w, ctx.RequestAborted)));
        app.MapMethods(prefix + "/api/v1/cardinality/label_names", getPost, ctx =>
            MimirHandle(ctx, resolveTenant, (t, p, w) => LabelNamesAsync(ingesters, limits, t, p, w, ctx.RequestAborted)));
        app.MapMethods(prefix + "/api/v1/cardinality/label_values", getPost, ctx =>
            MimirHandle(ctx, resolveTenant, (t, p, w) => LabelValuesAsync(ingesters, limits, t, p, w, ctx.RequestAborted)));
        return app;
    }

    /// <summary>
    /// Mimir's cardinality handlers write their object without Prometheus' envelope; errors keep the envelope (400,
    /// <c>bad_data</c>) as every other endpoint here.
    /// </summary>
    private static async Task MimirHandle(HttpContext ctx, Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant, Func<string, ApiParams, Utf8JsonWriter, Task> body)
    {
        var (tenant, error) = resolveTenant(ctx);
        if (error is not null)
        {
            await error.ExecuteAsync(ctx);
            return;
        }

        var buffer = new MemoryStream();
        try
        {
            var p = await ApiParams.ReadAsync(ctx.Request);
            await using var w = new Utf8JsonWriter(buffer);
            await body(tenant!, p, w);
        }
        catch (ApiException e)
        {
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.WriteAsync(QueryResponse.Error("bad_data", e.Message), ctx.RequestAborted);
            return;
        }

        ctx.Response.ContentType = "application/json";
        buffer.Position = 0;
        await buffer.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
    }

    private static async Task TsdbStatusAsync(IIngesterClient ingesters, CardinalityLimits limits, string tenant, ApiParams p, Utf8JsonWriter w, CancellationToken ct)
    {
        int limit = Limit(p, DefaultTsdbLimit, 1, MaxCardinalityLimit);
        var scan = await ScanAsync(ingesters, limits, tenant, s_allSeries, labelsOnly: false, ct);
        w.WriteStartObject();
        w.WriteStartObject("headStats");
        w.WriteNumber("numSeries", scan.Series);
        w.WriteNumber("numLabelPairs", scan.SeriesByPair.Count);
        w.WriteNumber("chunkCount", scan.Chunks);
        w.WriteNumber("minTime", scan.MinTime);
        w.WriteNumber("maxTime", scan.MaxTime);
        w.WriteEndObject();
        WriteTop(w, "seriesCountByMetricName", scan.ValuesByName.TryGetValue("__name__", out var names) ? names : [], limit);
        WriteTop(w, "labelValueCountByLabelName", scan.ValuesByName.Select(kv => KeyValuePair.Create(kv.Key, (long)kv.Value.Count)), limit);
        WriteTop(w, "memoryInBytesByLabelName", scan.ValuesByName.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Keys.Sum(v => (long)v.Length))), limit);
        WriteTop(w, "seriesCountByLabelValuePair", scan.SeriesByPair, limit);
        w.WriteEndObject();
    }

    private static async Task LabelNamesAsync(IIngesterClient ingesters, CardinalityLimits limits, string tenant, ApiParams p, Utf8JsonWriter w, CancellationToken ct)
    {
        int limit = Limit(p, DefaultCardinalityLimit, 0, MaxCardinalityLimit);
        var scan = await ScanAsync(ingesters, limits, tenant, Selector(p), labelsOnly: true, ct);

        // Mimir sorts by the number of values, descending, then by name.
        var names = scan.ValuesByName.OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        w.WriteStartObject();
        w.WriteNumber("label_values_count_total", names.Sum(kv => kv.Value.Count));
        w.WriteNumber("label_names_count", names.Count);
        w.WriteStartArray("cardinality");
        foreach (var (name, values) in names.Take(limit))
        {
            w.WriteStartObject();
            w.WriteString("label_name", name);
            w.WriteNumber("label_values_count", values.Count);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static async Task LabelValuesAsync(IIngesterClient ingesters, CardinalityLimits limits, string tenant, ApiParams p, Utf8JsonWriter w, CancellationToken ct)
    {
        string[] wanted = p.All("label_names[]");
        if (wanted.Length == 0)
        {
            throw new ApiException("label_names param is required");
        }

        if (wanted.Length > MaxLabelNames)
        {
            throw new ApiException($"at most {MaxLabelNames} label_names[] are accepted, got {wanted.Length}");
        }

        int limit = Limit(p, DefaultCardinalityLimit, 0, MaxCardinalityLimit);
        var scan = await ScanAsync(ingesters, limits, tenant, Selector(p), labelsOnly: true, ct);
        w.WriteStartObject();
        w.WriteNumber("series_count_total", scan.Series);
        w.WriteStartArray("labels");
        foreach (string name in wanted.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var values = scan.ValuesByName.TryGetValue(name, out var v) ? v : [];
            w.WriteStartObject();
            w.WriteString("label_name", name);
            w.WriteNumber("label_values_count", values.Count);
            w.WriteNumber("series_count", values.Values.Sum());
            w.WriteStartArray("cardinality");
            foreach (var (value, count) in values.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(limit))
            {
                w.WriteStartObject();
                w.WriteString("label_value", value);
                w.WriteNumber("series_count", count);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The optional <c>selector</c> (a series selector; regexes compile with the bounded RE2 engine), or every series.</summary>
    private static IReadOnlyList<Matcher> Selector(ApiParams p)
    {
        if (p.One("selector") is not { Length: > 0 } selector)
        {
            return s_allSeries;
        }

        try
        {
            // "{}" names no matcher: every series, as an absent selector.
            return SeriesSelector.Parse(selector) is { Count: > 0 } set ? set : s_allSeries;
        }
        catch (FormatException e)
        {
            throw new ApiException("invalid parameter \"selector\": " + e.Message);
        }
    }

    private static int Limit(ApiParams p, int dflt, int min, int max)
    {
        if (p.One("limit") is not { Length: > 0 } s)
        {
            return dflt;
        }

        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new ApiException($"invalid parameter \"limit\": must be an integer between {min} and {max}, got \"{s}\"");
    }

    private static void WriteTop(Utf8JsonWriter w, string property, IEnumerable<KeyValuePair<string, long>> items, int limit)
    {
        w.WriteStartArray(property);
        foreach (var (name, value) in items.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(limit))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteNumber("value", value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static async Task<Scan> ScanAsync(IIngesterClient ingesters, CardinalityLimits limits, string tenant, IReadOnlyList<Matcher> matchers, bool labelsOnly, CancellationToken ct)
    {
        var scan = new Scan();
        await foreach (var s in ingesters.SelectAsync(tenant, long.MinValue, long.MaxValue, labelsOnly, matchers, ct))
        {
            if (++scan.Series > limits.MaxSeries)
            {
                throw new ApiException(
                    $"the tenant has more than {limits.MaxSeries} in-memory series matching the selector; cardinality statistics scan at most that many " +
                    $"{ErrorId.Tag(CardinalityLimits.ErrorIdMaxSeries)}. Narrow the selector");
            }

            foreach (var (name, value) in s.Labels.Pairs())
            {
                if (!scan.ValuesByName.TryGetValue(name, out var values))
                {
                    scan.ValuesByName[name] = values = new Dictionary<string, long>(StringComparer.Ordinal);
                }

                values[value] = values.GetValueOrDefault(value) + 1;
                string pair = name + "=" + value;
                scan.SeriesByPair[pair] = scan.SeriesByPair.GetValueOrDefault(pair) + 1;
            }

            foreach (var c in s.Chunks)
            {
                scan.Chunks++;
                scan.MinTime = Math.Min(scan.MinTime, c.MinTime);
                scan.MaxTime = Math.Max(scan.MaxTime, c.MaxTime);
            }
        }

        return scan;
    }

    /// <summary>What one scan of the head series counted.</summary>
    private sealed class Scan
    {
        public long Series { get; set; }

        public long Chunks { get; set; }

        // An empty head reports the extremes, as Prometheus' head does before its first sample.
        public long MinTime { get; set; } = long.MaxValue;

        public long MaxTime { get; set; } = long.MinValue;

        public Dictionary<string, Dictionary<string, long>> ValuesByName { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> SeriesByPair { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>Bounds of the cardinality endpoints.</summary>
/// <param name="MaxSeries">At most this many series are scanned per request.</param>
public sealed record CardinalityLimits(long MaxSeries = CardinalityLimits.DefaultMaxSeries)
{
    /// <summary>The default of <see cref="MaxSeries"/>: a million series is about a second of scanning on these machines.</summary>
    public const long DefaultMaxSeries = 1_000_000;

    /// <summary>The error id of a scan that hit <see cref="MaxSeries"/>.</summary>
    public const string ErrorIdMaxSeries = "max-cardinality-series";
}
