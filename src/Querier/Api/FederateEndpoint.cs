using System.Globalization;
using System.Text;
using MetricsCluster.Core;
using MetricsCluster.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Querier.Api;

/// <summary>
/// <c>GET &lt;prefix&gt;/federate?match[]=…</c>: Prometheus' federation endpoint (web/federate.go). The latest sample
/// of every series of the tenant matching any <c>match[]</c>, looked up 5 minutes back from now as an instant query
/// does, in the text exposition format 0.0.4: families sorted by name, each with <c>untyped</c> TYPE line, series
/// sorted by labels, each sample with its own timestamp. Stale series are left out. Bounded: at most
/// <see cref="MaxMatchers"/> selectors and <see cref="FederateLimits.MaxSeries"/> series per request.
/// </summary>
public static class FederateEndpoint
{
    /// <summary>At most this many <c>match[]</c> parameters.</summary>
    internal const int MaxMatchers = 32;

    /// <summary>Prometheus' default lookback delta.</summary>
    internal static readonly TimeSpan Lookback = TimeSpan.FromMinutes(5);

    private const long StaleNaNBits = 0x7ff0000000000002;

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapFederate(this IEndpointRouteBuilder app, string prefix, IQueryable queryable, FederateLimits limits,
        Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant, TimeProvider time)
    {
        app.MapGet(prefix + "/federate", async ctx =>
        {
            var (tenant, error) = resolveTenant(ctx);
            if (error is not null)
            {
                await error.ExecuteAsync(ctx);
                return;
            }

            // Prometheus answers bad input with plain text and 400 here, not with the API's JSON.
            string[] selectors = ctx.Request.Query["match[]"].Where(s => s is not null).Select(s => s!).ToArray();
            if (selectors.Length > MaxMatchers)
            {
                await PlainAsync(ctx, 400, $"at most {MaxMatchers} match[] parameters are accepted, got {selectors.Length}");
                return;
            }

            var sets = new List<List<Matcher>>();
            foreach (string s in selectors)
            {
                try
                {
                    // As Prometheus': no emptiness check here; "{}" (no matcher at all) selects nothing, and
                    // {job=""} every series without a job label.
                    if (SeriesSelector.Parse(s) is { Count: > 0 } set)
                    {
                        sets.Add(set);
                    }
                }
                catch (FormatException e)
                {
                    await PlainAsync(ctx, 400, e.Message);
                    return;
                }
            }

            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var latest = await LatestAsync(queryable, tenant!, sets, now, limits, ctx.RequestAborted);
            if (latest is null)
            {
                await PlainAsync(ctx, 422, $"more than {limits.MaxSeries} series match; federation returns at most that many {ErrorId.Tag(FederateLimits.ErrorIdMaxSeries)}. Narrow the match[] selectors");
                return;
            }

            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await ctx.Response.WriteAsync(Render(latest), ctx.RequestAborted);
        });
        return app;
    }

    /// <summary>The latest non-stale sample of each matching series, sorted by labels; null when more than the limit match.</summary>
    internal static async Task<List<(Labels Labels, Sample Sample)>?> LatestAsync(IQueryable queryable, string tenant, List<List<Matcher>> sets, long now, FederateLimits limits, CancellationToken ct)
    {
        long mint = now - (long)Lookback.TotalMilliseconds + 1;
        var found = new Dictionary<Labels, Sample>();
        await using var q = queryable.Querier(tenant, mint, now);
        SampleIterator? it = null;
        foreach (var set in sets)
        {
            await foreach (var s in q.SelectAsync(false, new SelectHints(mint, now), set, ct))
            {
                if (found.ContainsKey(s.Labels))
                {
                    continue;
                }

                it = s.Iterator(it);
                Sample? last = null;
                while (it.Next() && it.T <= now)
                {
                    if (it.T >= mint)
                    {
                        last = new Sample(it.T, it.V);
                    }
                }

                if (last is { } l && BitConverter.DoubleToInt64Bits(l.V) != StaleNaNBits)
                {
                    if (found.Count >= limits.MaxSeries)
                    {
                        return null;
                    }

                    found[s.Labels] = l;
                }
            }
        }

        var list = found.Select(kv => (kv.Key, kv.Value)).ToList();
        list.Sort((a, b) => Labels.Compare(a.Key, b.Key));
        return list;
    }

    /// <summary>The exposition text: one <c># TYPE name untyped</c> per family, then its series.</summary>
    internal static string Render(IEnumerable<(Labels Labels, Sample Sample)> series)
    {
        var sb = new StringBuilder();
        foreach (var family in series.Where(s => s.Labels.MetricName.Length > 0).GroupBy(s => s.Labels.MetricName).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append("# TYPE ").Append(family.Key).Append(" untyped\n");
            foreach (var (labels, sample) in family)
            {
                sb.Append(family.Key);
                bool first = true;
                foreach (var (name, value) in labels.Pairs())
                {
                    if (name == "__name__" || value.Length == 0)
                    {
                        continue;
                    }

                    sb.Append(first ? '{' : ',').Append(name).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
                    first = false;
                }

                sb.Append(first ? " " : "} ").Append(GoFloatG(sample.V)).Append(' ').Append(sample.T.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c> as expfmt writes sample values: shortest digits, the
    /// exponent form when the decimal exponent is below -4 or at least 21 (<c>1e+21</c>, <c>1e-05</c>).
    /// </summary>
    internal static string GoFloatG(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        if (v == 0)
        {
            return double.IsNegative(v) ? "-0" : "0";
        }

        // The shortest round-trip digits ("R", as Go's precision -1) and the position of the decimal point in them.
        string r = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E', StringComparison.Ordinal);
        string mantissa = e < 0 ? r : r[..e];
        int exp10 = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string all = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        string digits = all.TrimStart('0');
        int dp = (dot < 0 ? mantissa.Length : dot) + exp10 - (all.Length - digits.Length);
        digits = digits.TrimEnd('0');
        string sign = v < 0 ? "-" : string.Empty;

        // Go (ftoa.go): with the shortest precision the exponent form is used when exp < -4 || exp >= 6.
        int exp = dp - 1;
        if (exp < -4 || exp >= 6)
        {
            string frac = digits.Length > 1 ? "." + digits[1..] : string.Empty;
            return sign + digits[0] + frac + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }

        return sign + PromJsonWriter.FormatFloatF(Math.Abs(v));
    }

    private static string EscapeLabelValue(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static Task PlainAsync(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(message + "\n", ctx.RequestAborted);
    }
}

/// <summary>Bounds of <c>/federate</c>.</summary>
/// <param name="MaxSeries">At most this many series in one answer.</param>
public sealed record FederateLimits(int MaxSeries = FederateLimits.DefaultMaxSeries)
{
    /// <summary>The default of <see cref="MaxSeries"/>.</summary>
    public const int DefaultMaxSeries = 100_000;

    /// <summary>The error id of an answer that would exceed <see cref="MaxSeries"/>.</summary>
    public const string ErrorIdMaxSeries = "max-federate-series";
}
