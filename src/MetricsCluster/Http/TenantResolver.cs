using MetricsCluster.Core;

namespace MetricsCluster.Http;

/// <summary>Reads the tenant from <c>X-Scope-OrgID</c> (401 when missing, 400 when invalid), or <c>anonymous</c> without multitenancy.</summary>
public sealed class TenantResolver(bool multitenancyEnabled)
{
    /// <summary>Returns the tenant or the error response.</summary>
    public (string? Tenant, IResult? Error) Resolve(HttpContext ctx)
    {
        if (!multitenancyEnabled)
        {
            return (TenantId.Anonymous, null);
        }

        string? id = ctx.Request.Headers[TenantId.Header];
        if (string.IsNullOrEmpty(id))
        {
            return (null, Results.Text("no org id\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized));
        }

        return TenantId.Validate(id) is { } error
            ? (null, Results.Text(error + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest))
            : (id, null);
    }
}
