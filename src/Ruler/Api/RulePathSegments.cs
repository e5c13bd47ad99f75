using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MetricsCluster.Ruler.Api;

/// <summary>
/// The namespace and group name of a config API request, taken from the raw request target and percent-decoded
/// once, as Mimir's <c>url.PathUnescape</c> of its encoded-path router does. The server's decoded path cannot serve:
/// it keeps <c>%2F</c> encoded (so a namespace may contain '/') but decodes everything else, so decoding it again
/// would turn <c>%2541</c> into <c>A</c> instead of <c>%41</c>.
/// </summary>
internal static class RulePathSegments
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The last <paramref name="count"/> segments of the request path (the route's parameters), decoded; false with
    /// Go's error text when one has a bad escape.
    /// </summary>
    public static bool TryGet(HttpContext ctx, int count, out string[] segments, out string? error)
    {
        string raw = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } target && target.StartsWith('/')
            ? target
            : ctx.Request.Path.Value ?? string.Empty;
        int query = raw.IndexOfAny(['?', '#']);
        string path = query >= 0 ? raw[..query] : raw;
        string[] parts = path.TrimEnd('/').Split('/');
        segments = new string[count];
        error = null;
        for (int i = 0; i < count; i++)
        {
            if (!TryUnescape(parts[parts.Length - count + i], out segments[i], out error))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Go's <c>url.PathUnescape</c>: <c>%XX</c> escapes only ('+' stays '+'); the bytes must be UTF-8.</summary>
    public static bool TryUnescape(string segment, out string value, out string? error)
    {
        value = segment;
        error = null;
        if (!segment.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        var bytes = new List<byte>(segment.Length);
        int literal = 0;
        for (int i = 0; i < segment.Length; i++)
        {
            if (segment[i] != '%')
            {
                continue;
            }

            if (i + 2 >= segment.Length || !byte.TryParse(segment.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                error = $"invalid URL escape \"{segment.Substring(i, Math.Min(3, segment.Length - i))}\"";
                return false;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(segment[literal..i]));
            bytes.Add(b);
            i += 2;
            literal = i + 1;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(segment[literal..]));
        try
        {
            value = s_strictUtf8.GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            error = $"invalid UTF-8 in path segment \"{segment}\"";
            return false;
        }
    }
}
