using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MetricsCluster.Core;

namespace MetricsCluster.Distributor;

/// <summary>
/// <c>POST /api/v1/push</c>: Prometheus remote write 1.0 into the <see cref="Distributor"/> that
/// the host registered in DI. The body is read into a pooled buffer with a hard cap, so an
/// oversize request costs at most <see cref="DistributorOptions.MaxRecvMsgSize"/> bytes of memory.
/// </summary>
/// <remarks>
/// Pooled-buffer note (G11): the body buffer is rented here, lent to
/// <see cref="Distributor.PushAsync"/> as a <see cref="ReadOnlyMemory{T}"/>, and returned in a
/// <c>finally</c> once that call completes. The distributor only reads it to snappy-decode into a
/// pooled buffer of its own (see <see cref="Distributor"/>) and never retains it; Kestrel never sees it.
/// </remarks>
public static class PushEndpoint
{
    /// <summary>The route, as Mimir's.</summary>
    public const string Path = "/api/v1/push";

    // Buffer to start with when the sender gives no Content-Length (chunked).
    private const int InitialBuffer = 64 * 1024;

    /// <summary>Maps the push route.</summary>
    /// <param name="app">The route builder.</param>
    /// <param name="resolveTenant">
    /// Resolves the tenant of a request (e.g. from <c>X-Scope-OrgID</c> via <see cref="TenantId.TryResolve"/>);
    /// a non-null <c>Error</c> is executed as the response instead (Mimir answers 401 "no org id").
    /// </param>
    /// <returns><paramref name="app"/>.</returns>
    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app, Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(resolveTenant);
        app.MapPost(Path, context => HandleAsync(context, resolveTenant));
        return app;
    }

    private static async Task HandleAsync(HttpContext context, Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant)
    {
        var (tenant, error) = resolveTenant(context);
        if (error is not null)
        {
            await error.ExecuteAsync(context);
            return;
        }

        if (string.IsNullOrEmpty(tenant))
        {
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "no org id");
            return;
        }

        var distributor = context.RequestServices.GetRequiredService<Distributor>();
        int max = distributor.Options.MaxRecvMsgSize;
        long? declared = context.Request.ContentLength;
        if (declared > max)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, Distributor.TooLargeMessage(declared.Value, max, decompressed: false));
            return;
        }

        // The instance limits are checked before a byte of the body is read (Mimir does the same), so a burst of
        // large pushes is refused instead of being buffered together.
        using var lease = distributor.TryBeginPush(declared ?? 0, out var rejection);
        if (lease is null)
        {
            await WriteAsync(context, rejection!.StatusCode, rejection.Message);
            return;
        }

        // Our cap replaces Kestrel's (30 MB by default, below our 100 MiB default).
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        var (buffer, length) = await ReadCappedAsync(context.Request.Body, declared, max, lease, context.RequestAborted);
        if (buffer is null)
        {
            var refused = distributor.InstanceLimitOutcome(ErrorId.DistributorMaxInflightPushRequestsBytes);
            await WriteAsync(context, refused.StatusCode, refused.Message);
            return;
        }

        try
        {
            if (length > max)
            {
                await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, Distributor.TooLargeMessage(-1, max, decompressed: false));
                return;
            }

            var outcome = await distributor.PushAdmittedAsync(
                lease,
                tenant,
                buffer.AsMemory(0, length),
                context.Request.ContentType,
                context.Request.Headers.ContentEncoding.ToString(),
                context.RequestAborted);
            await WriteAsync(context, outcome.StatusCode, outcome.Message);
        }
        finally
        {
            BoundedArrayPool.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the body into a rented buffer, at most <paramref name="max"/> + 1 bytes: a returned
    /// length over <paramref name="max"/> means "too large". The caller returns the buffer. A body without a
    /// Content-Length (whose size <see cref="Distributor.TryBeginPush"/> could not reserve) reserves each growth
    /// of the buffer on <paramref name="lease"/>; a null buffer means the in-flight bytes limit refused one.
    /// </summary>
    private static async Task<(byte[]? Buffer, int Length)> ReadCappedAsync(Stream body, long? declared, int max, PushLease lease, CancellationToken cancellationToken)
    {
        int initial = declared is long d ? (int)Math.Max(d, 1) : Math.Min(InitialBuffer, max + 1);
        if (declared is null && !lease.TryReserve(initial))
        {
            return (null, 0);
        }

        byte[] buffer = BoundedArrayPool.Rent<byte>(initial);
        int length = 0;
        try
        {
            while (length <= max)
            {
                if (length == declared)
                {
                    // Kestrel ends the body at its Content-Length; growing to look for more would double the buffer.
                    break;
                }

                if (length == buffer.Length)
                {
                    int grown = (int)Math.Min((long)length * 2, (long)max + 1);
                    if (!lease.TryReserve(grown - length))
                    {
                        BoundedArrayPool.Return(buffer);
                        return (null, 0);
                    }

                    var bigger = BoundedArrayPool.Rent<byte>(grown);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    BoundedArrayPool.Return(buffer);
                    buffer = bigger;
                }

                int want = Math.Min(buffer.Length - length, max + 1 - length);
                int n = await body.ReadAsync(buffer.AsMemory(length, want), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                length += n;
            }

            return (buffer, length);
        }
        catch
        {
            BoundedArrayPool.Return(buffer);
            throw;
        }
    }

    private static Task WriteAsync(HttpContext context, int status, string? message)
    {
        context.Response.StatusCode = status;
        if (string.IsNullOrEmpty(message))
        {
            return Task.CompletedTask;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";

        // Newline-terminated like Go's http.Error, which Mimir uses.
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
