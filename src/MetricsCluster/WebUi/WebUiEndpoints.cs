using System.Collections.Frozen;

namespace MetricsCluster.WebUi;

/// <summary>
/// The web UI (issue 15 item 4): <c>/</c> and its assets under <c>/ui/</c>, plain HTML, CSS and JavaScript embedded
/// in this assembly (no CDN, no build step, works offline). The pages call the same HTTP API as any client, with the
/// tenant chosen in the page sent as <c>X-Scope-OrgID</c>.
/// </summary>
internal static class WebUiEndpoints
{
    private const string ResourcePrefix = "webui/";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Maps <c>/</c> and <c>/ui/{file}</c>.</summary>
    internal static void MapWebUi(this WebApplication app)
    {
        var assets = Load();
        app.MapGet("/", (HttpContext ctx) => Serve(ctx, assets, "index.html"));
        app.MapGet("/ui/{file}", (HttpContext ctx, string file) => Serve(ctx, assets, file));
    }

    private static Task Serve(HttpContext ctx, FrozenDictionary<string, byte[]> assets, string file)
    {
        if (!assets.TryGetValue(file, out var body))
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        ctx.Response.ContentType = s_contentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");

        // Revalidated on each load, so a new binary's UI is never mixed with an old cached script.
        ctx.Response.Headers.CacheControl = "no-cache";
        return ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).AsTask();
    }

    /// <summary>Every embedded asset by file name; they are a few kilobytes, read once at start-up.</summary>
    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(WebUiEndpoints).Assembly;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name[ResourcePrefix.Length..]] = copy.ToArray();
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
