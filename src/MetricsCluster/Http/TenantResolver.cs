using System.Net.Http.Headers;
using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.Http;

/// <summary>
/// Reads a request's tenant: <c>X-Scope-OrgID</c> (401 when missing, 400 when invalid); with
/// <c>--auth.tenant-from-basic-auth</c>, the user name of HTTP basic auth when that header is absent; <c>anonymous</c>
/// without multitenancy.
/// </summary>
public sealed class TenantResolver
{
    /// <summary>The response header that says a named tenant was ignored (RFC 7234 warn-code 299, "miscellaneous persistent").</summary>
    public const string IgnoredTenantWarning = "299 - \"multi-tenancy is disabled (--auth.multitenancy-enabled=false): the tenant this request names was ignored and it was served as tenant anonymous\"";

    // One log line a minute is enough to make a misconfigured sender visible without a line per push.
    private static readonly TimeSpan s_logEvery = TimeSpan.FromMinutes(1);

    private readonly bool _multitenancyEnabled;
    private readonly bool _tenantFromBasicAuth;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private long _lastIgnoredLogTicks; // 0: never logged.

    /// <summary>Initializes a new instance of the <see cref="TenantResolver"/> class.</summary>
    /// <param name="multitenancyEnabled"><c>--auth.multitenancy-enabled</c>.</param>
    /// <param name="tenantFromBasicAuth"><c>--auth.tenant-from-basic-auth</c>.</param>
    /// <param name="logger">Where an ignored tenant is reported.</param>
    /// <param name="time">The clock of the log rate limit.</param>
    public TenantResolver(bool multitenancyEnabled, bool tenantFromBasicAuth = false, ILogger? logger = null, TimeProvider? time = null)
    {
        _multitenancyEnabled = multitenancyEnabled;
        _tenantFromBasicAuth = tenantFromBasicAuth;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Returns the tenant or the error response.</summary>
    public (string? Tenant, IResult? Error) Resolve(HttpContext ctx)
    {
        string? header = ctx.Request.Headers[TenantId.Header];
        if (!_multitenancyEnabled)
        {
            string? named = string.IsNullOrEmpty(header) ? BasicAuthUser(ctx) : header;
            if (!string.IsNullOrEmpty(named) && named != TenantId.Anonymous)
            {
                ReportIgnored(ctx, named);
            }

            return (TenantId.Anonymous, null);
        }

        string? id = header;
        string source = TenantId.Header;
        if (string.IsNullOrEmpty(id) && _tenantFromBasicAuth)
        {
            id = BasicAuthUser(ctx);
            source = "the basic auth user name";
        }

        if (string.IsNullOrEmpty(id))
        {
            return (null, Results.Text("no org id\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized));
        }

        return TenantId.Validate(id) is { } error
            ? (null, Results.Text($"{error} (from {source})\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest))
            : (id, null);
    }

    /// <summary>The user name of an <c>Authorization: Basic</c> header, or null; the password is not looked at.</summary>
    /// <param name="ctx">The request.</param>
    /// <returns>The user name, or null when there is no readable basic auth header.</returns>
    public static string? BasicAuthUser(HttpContext ctx)
    {
        string? authorization = ctx.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization) || !AuthenticationHeaderValue.TryParse(authorization, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return null;
        }

        // Kestrel bounds the header's size, so the decoded credentials are bounded too.
        byte[] decoded = new byte[((value.Parameter.Length + 3) / 4) * 3];
        if (!Convert.TryFromBase64String(value.Parameter, decoded, out int length))
        {
            return null;
        }

        string credentials = Encoding.UTF8.GetString(decoded, 0, length);
        int colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? credentials : credentials[..colon];
    }

    private void ReportIgnored(HttpContext ctx, string named)
    {
        ctx.Response.Headers.Append("Warning", IgnoredTenantWarning);
        long now = _time.GetUtcNow().UtcTicks;
        long last = Interlocked.Read(ref _lastIgnoredLogTicks);
        if ((last == 0 || now - last >= s_logEvery.Ticks) && Interlocked.CompareExchange(ref _lastIgnoredLogTicks, now, last) == last)
        {
            _logger.LogWarning(
                "a request to {Path} named tenant {Tenant}, but multi-tenancy is disabled (--auth.multitenancy-enabled=false): it was served as tenant anonymous (logged at most once a minute)",
                ctx.Request.Path.Value,
                named.Length > TenantId.MaxLength ? named[..TenantId.MaxLength] : named);
        }
    }
}
