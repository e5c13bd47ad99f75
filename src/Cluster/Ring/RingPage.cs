using MetricsCluster.Cluster.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// The ring status page (Mimir's ring/http.go): GET shows every instance, as HTML for people or JSON for scripts
/// (<c>Accept: application/json</c> or <c>?format=json</c>); POST with form field <c>forget=&lt;id&gt;</c> removes a
/// dead instance's entry, which nothing else ever does.
/// </summary>
public static class RingPage
{
    /// <summary>Maps GET and POST <paramref name="path"/> (e.g. <c>/ingester/ring</c>) for the ring at <paramref name="key"/>.</summary>
    public static IEndpointRouteBuilder MapRingPage(this IEndpointRouteBuilder app, string path, RingClient ring, IRingStore store, string key, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(time);
        app.MapGet(path, context => ShowAsync(context, ring, key, time));
        app.MapPost(path, context => ForgetAsync(context, path, store, key));
        return app;
    }

    private static Task ShowAsync(HttpContext context, RingClient ring, string key, TimeProvider time)
    {
        RingPageModel model = RingPageModel.Build(ring, key, time.GetUtcNow());
        bool json = string.Equals(context.Request.Query["format"], "json", StringComparison.OrdinalIgnoreCase)
            || context.Request.Headers.Accept.Any(a => a is not null && a.Contains("application/json", StringComparison.OrdinalIgnoreCase));
        context.Response.ContentType = json ? "application/json; charset=utf-8" : "text/html; charset=utf-8";
        byte[] body = json ? RingPageRender.Json(model) : RingPageRender.Html(model);
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static async Task ForgetAsync(HttpContext context, string path, IRingStore store, string key)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted);
        string id = form["forget"].ToString();
        if (id.Length == 0)
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, "missing form field forget=<instance id>");
            return;
        }

        bool found = false;
        try
        {
            await store.CasAsync(
                key,
                desc =>
                {
                    found = desc is not null && desc.Instances.Remove(id);
                    return found ? desc : null;
                },
                context.RequestAborted);
        }
        catch (RingStoreUnavailableException e)
        {
            await PlainAsync(context, StatusCodes.Status503ServiceUnavailable, $"cannot forget {id}: the ring store is unavailable: {e.Message}");
            return;
        }

        if (!found)
        {
            await PlainAsync(context, StatusCodes.Status404NotFound, $"instance {id} is not in the {key} ring");
            return;
        }

        // Post/redirect/get, as Mimir: a reload does not repeat the forget.
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = context.Request.PathBase + path;
    }

    private static Task PlainAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
