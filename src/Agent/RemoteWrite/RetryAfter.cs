using System.Net.Http.Headers;

namespace MetricsCluster.Agent.RemoteWrite;

/// <summary>Turns a <c>Retry-After</c> header (delta seconds or HTTP date) into a delay.</summary>
public static class RetryAfter
{
    /// <summary>The delay the header asks for; a date in the past gives zero, no header gives null.</summary>
    /// <param name="header">The parsed header, if present.</param>
    /// <param name="now">The current time, for the HTTP-date form.</param>
    /// <returns>The delay, or null.</returns>
    public static TimeSpan? From(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
