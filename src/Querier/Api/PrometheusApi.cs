using System.Text.Encodings.Web;
using System.Text.Json;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// The metadata part of the Prometheus HTTP API under a prefix (Mimir's <c>/prometheus</c>): series,
/// labels, label values and metric metadata, with Prometheus' JSON shapes and error envelope.
/// </summary>
public static class PrometheusApi
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps the endpoints. <paramref name="resolveTenant"/> returns the tenant or an error result.</summary>
    public static IEndpointRouteBuilder MapPrometheusMetadataApi(
        this IEndpointRouteBuilder app,
        string prefix,
        IQueryable queryable,
        IIngesterClient metadata,
        Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant)
    {
        string[] getPost = ["GET", "POST"];
        app.MapMethods(prefix + "/api/v1/series", getPost, ctx => Handle(ctx, resolveTenant, (t, p, w) => Series(queryable, t, p, w, ctx.RequestAborted)));
        app.MapMethods(prefix + "/api/v1/labels", getPost, ctx => Handle(ctx, resolveTenant, (t, p, w) => LabelNames(queryable, t, p, w, ctx.RequestAborted)));
        app.MapGet(prefix + "/api/v1/label/{name}/values", ctx =>
            Handle(ctx, resolveTenant, (t, p, w) => LabelValues(queryable, t, (string)ctx.Request.RouteValues["name"]!, p, w, ctx.RequestAborted)));
        app.MapGet(prefix + "/api/v1/metadata", ctx => Handle(ctx, resolveTenant, (t, p, w) => Metadata(metadata, t, p, w, ctx.RequestAborted)));
        return app;
    }

    /// <summary>Runs <paramref name="body"/> inside Prometheus' JSON envelope; <see cref="ApiException"/> becomes <c>bad_data</c> (400).</summary>
    internal static async Task Handle(HttpContext ctx, Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant, Func<string, ApiParams, Utf8JsonWriter, Task> body)
    {
        var (tenant, error) = resolveTenant(ctx);
        if (error is not null)
        {
            await error.ExecuteAsync(ctx);
            return;
        }

        var buffer = new MemoryStream();
        int status = 200;
        await using (var w = new Utf8JsonWriter(buffer, s_json))
        {
            try
            {
                var p = await ApiParams.ReadAsync(ctx.Request);
                w.WriteStartObject();
                w.WriteString("status", "success");
                w.WritePropertyName("data");
                await body(tenant!, p, w);
                w.WriteEndObject();
            }
            catch (ApiException e)
            {
                status = 400;
                w.Reset();
                buffer.SetLength(0);
                WriteError(w, "bad_data", e.Message);
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
            {
                return;
            }
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        buffer.Position = 0;
        await buffer.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
    }

    private static void WriteError(Utf8JsonWriter w, string type, string message)
    {
        w.WriteStartObject();
        w.WriteString("status", "error");
        w.WriteString("errorType", type);
        w.WriteString("error", message);
        w.WriteEndObject();
    }

    private static async Task Series(IQueryable queryable, string tenant, ApiParams p, Utf8JsonWriter w, CancellationToken ct)
    {
        var sets = p.MatcherSets("invalid parameter \"match[]\": ");
        if (sets.Count == 0)
        {
            throw new ApiException("no match[] parameter provided");
        }

        var (start, end) = p.Range();
        var seen = new HashSet<Labels>();
        var all = new List<Labels>();
        await using var q = queryable.Querier(tenant, start, end);
        foreach (var set in sets)
        {
            await foreach (var s in q.SelectAsync(true, new SelectHints(start, end, 0, SelectHints.SeriesOnly), set, ct))
            {
                if (seen.Add(s.Labels))
                {
                    all.Add(s.Labels);
                }
            }
        }

        all.Sort(Labels.Compare);
        w.WriteStartArray();
        foreach (var l in all)
        {
            w.WriteStartObject();
            foreach (var pair in l)
            {
                w.WriteString(pair.Name, pair.Value);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static async Task LabelNames(IQueryable queryable, string tenant, ApiParams p, Utf8JsonWriter w, CancellationToken ct)
    {
        var (start, end) = p.Range();
        await using var q = queryable.Querier(tenant, start, end);
        WriteStrings(w, await UnionOverMatchSets(p, set => q.LabelNamesAsync(set, ct)));
    }

    private static async Task LabelValues(IQueryable queryable, string tenant, string name, ApiParams p, Utf8JsonWriter w, CancellationToken ct)
    {
        if (!IsValidLabelName(name))
        {
            throw new ApiException($"invalid label name: \"{name}\"");
        }

        var (start, end) = p.Range();
        await using var q = queryable.Querier(tenant, start, end);
        WriteStrings(w, await UnionOverMatchSets(p, set => q.LabelValuesAsync(name, set, ct)));
    }

    /// <summary>The sorted union of <paramref name="get"/> over each <c>match[]</c> set (one empty set when none is given).</summary>
    private static async Task<SortedSet<string>> UnionOverMatchSets(ApiParams p, Func<IReadOnlyList<Matcher>, ValueTask<IReadOnlyList<string>>> get)
    {
        var sets = p.MatcherSets();
        if (sets.Count == 0)
        {
            sets.Add([]);
        }

        var union = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var set in sets)
        {
            union.UnionWith(await get(set));
        }

        return union;
    }

    private static async Task Metadata(IIngesterClient ingester, string tenant, ApiParams p, Utf8JsonWriter w, CancellationToken ct)
    {
        int limit = int.TryParse(p.One("limit"), out int l) ? l : -1;
        var md = await ingester.MetadataAsync(tenant, p.One("metric") is { Length: > 0 } metric ? metric : null, limit, ct);
        w.WriteStartObject();
        foreach (var m in md)
        {
            w.WritePropertyName(m.MetricFamilyName);
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("type", m.TypeName);
            w.WriteString("help", m.Help);
            w.WriteString("unit", m.Unit);
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, IEnumerable<string> values)
    {
        w.WriteStartArray();
        foreach (string v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static bool IsValidLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
