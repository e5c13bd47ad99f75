using System.Text;

namespace MetricsCluster.Agent.Scrape;

/// <summary>
/// Where in each interval a target is scraped: Prometheus' <c>Target.offset</c> (scrape/target.go). A hash of
/// the target's labels and URL, mixed with a per-agent seed, picks a fixed phase, so targets spread over the
/// interval and a target keeps its phase across restarts.
/// </summary>
public static class ScrapeOffset
{
    private const ulong FnvOffset64 = 14695981039346656037;
    private const ulong FnvPrime64 = 1099511628211;

    /// <summary>The target's hash: FNV-1a 64 over its label hash and URL (as Prometheus' <c>Target.hash</c>).</summary>
    public static ulong TargetHash(ScrapeTarget target)
    {
        ulong h = FnvOffset64;
        ulong labelsHash = target.Labels.Hash;
        for (int i = 0; i < 8; i++)
        {
            h = (h ^ (byte)(labelsHash >> (8 * i))) * FnvPrime64;
        }

        foreach (byte b in Encoding.UTF8.GetBytes(target.Url.ToString()))
        {
            h = (h ^ b) * FnvPrime64;
        }

        return h;
    }

    /// <summary>
    /// The wait from <paramref name="now"/> until the target's first scrape, in [0, interval]: the phase
    /// <c>(hash ^ seed) mod interval</c> measured from the next interval boundary of absolute time.
    /// </summary>
    public static TimeSpan Compute(ScrapeTarget target, DateTimeOffset now, ulong seed)
    {
        long interval = target.Interval.Ticks;
        long nowTicks = (now - DateTimeOffset.UnixEpoch).Ticks;
        long baseWait = interval - (nowTicks % interval);
        long phase = (long)((TargetHash(target) ^ seed) % (ulong)interval);
        long next = baseWait + phase;
        if (next > interval)
        {
            next -= interval;
        }

        return TimeSpan.FromTicks(next);
    }
}
