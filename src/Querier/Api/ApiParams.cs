using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MetricsCluster.Querier.Api;

/// <summary>Request parameters as Prometheus reads them: form body (POST) and query string together.</summary>
internal sealed class ApiParams
{
    // Prometheus' MinTime/MaxTime are far beyond any real sample; halving keeps ms arithmetic from overflowing.
    internal const long MinTime = long.MinValue / 2;
    internal const long MaxTime = long.MaxValue / 2;

    private readonly Dictionary<string, StringValues> _values;

    private ApiParams(Dictionary<string, StringValues> values)
    {
        _values = values;
    }

    internal static async Task<ApiParams> ReadAsync(HttpRequest request)
    {
        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            foreach (var (k, v) in form)
            {
                values[k] = v;
            }
        }

        foreach (var (k, v) in request.Query)
        {
            values[k] = values.TryGetValue(k, out var f) ? StringValues.Concat(f, v) : v;
        }

        return new ApiParams(values);
    }

    internal string[] All(string name) => _values.TryGetValue(name, out var v) ? v.Where(s => s is not null).Select(s => s!).ToArray() : [];

    internal string? One(string name) => _values.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    /// <summary>Parses a Prometheus timestamp parameter: float unix seconds or RFC 3339.</summary>
    internal long Time(string name, long dflt)
    {
        string? s = One(name);
        if (string.IsNullOrEmpty(s))
        {
            return dflt;
        }

        return TryParseTime(s, out long ms) ? ms : throw new ApiException($"invalid parameter \"{name}\": cannot parse \"{s}\" to a valid timestamp");
    }

    /// <summary>
    /// Prometheus' <c>parseTimeParam</c>, used by <c>query</c> (<c>time</c>) and <c>query_exemplars</c>: optional,
    /// and its message carries the extra "invalid time value for '…'" of that function.
    /// </summary>
    internal long OptionalTime(string name, long dflt)
    {
        string? s = One(name);
        if (string.IsNullOrEmpty(s))
        {
            return dflt;
        }

        return TryParseTime(s, out long ms)
            ? ms
            : throw new ApiException($"invalid parameter \"{name}\": invalid time value for '{name}': cannot parse \"{s}\" to a valid timestamp");
    }

    /// <summary>Prometheus' <c>parseTime</c> on a required parameter, as <c>query_range</c> reads start and end.</summary>
    internal long RequiredTime(string name)
    {
        string s = One(name) ?? string.Empty;
        return TryParseTime(s, out long ms) ? ms : throw new ApiException($"invalid parameter \"{name}\": cannot parse \"{s}\" to a valid timestamp");
    }

    /// <summary>Prometheus' <c>parseDuration</c>: float seconds or a duration like <c>5m</c>, in nanoseconds as Go's time.Duration.</summary>
    internal long DurationNs(string name)
    {
        string s = One(name) ?? string.Empty;
        return PromDurationParser.TryParseNs(s, out long ns, out string? error) ? ns : throw new ApiException($"invalid parameter \"{name}\": {error}");
    }

    private static bool TryParseTime(string s, out long ms)
    {
        ms = 0;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double secs))
        {
            if (double.IsNaN(secs) || double.IsInfinity(secs))
            {
                return false;
            }

            double rounded = Math.Round(secs * 1000, MidpointRounding.AwayFromZero);
            ms = rounded <= MinTime ? MinTime : rounded >= MaxTime ? MaxTime : (long)rounded;
            return true;
        }

        if (s.Length > 0 && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt))
        {
            ms = dt.ToUnixTimeMilliseconds();
            return true;
        }

        return false;
    }

    internal (long Start, long End) Range()
    {
        long start = Time("start", MinTime);
        long end = Time("end", MaxTime);
        if (end < start)
        {
            throw new ApiException("invalid parameter \"end\": end timestamp must not be before start time");
        }

        return (start, end);
    }

    /// <summary>
    /// The <c>match[]</c> selectors, each required to hold a matcher that does not match the empty string (Prometheus
    /// 2.42's rule); <paramref name="errorPrefix"/> precedes that error as it does in Prometheus' answer of the calling
    /// endpoint (<c>invalid parameter "match[]": </c> for /api/v1/series, nothing for the label endpoints).
    /// </summary>
    internal List<List<Core.Matcher>> MatcherSets(string errorPrefix = "")
    {
        var sets = new List<List<Core.Matcher>>();
        foreach (string m in All("match[]"))
        {
            List<Core.Matcher> set;
            try
            {
                set = SeriesSelector.Parse(m);
            }
            catch (FormatException e)
            {
                throw new ApiException(e.Message);
            }

            if (!SeriesSelector.HasNonEmptyMatcher(set))
            {
                throw new ApiException(errorPrefix + "match[] must contain at least one non-empty matcher");
            }

            sets.Add(set);
        }

        return sets;
    }
}

/// <summary>A bad request to the query API (<c>bad_data</c>, 400).</summary>
internal sealed class ApiException(string message) : Exception(message);
