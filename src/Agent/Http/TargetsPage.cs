using System.Globalization;
using System.Net;
using System.Text;
using MetricsCluster.Agent.Manager;

namespace MetricsCluster.Agent.Http;

/// <summary>The small HTML targets page: one table per pool with endpoint, state, labels, last scrape, duration and error.</summary>
public static class TargetsPage
{
    /// <summary>Renders the page; every value from the configuration or a target is HTML-escaped.</summary>
    /// <param name="targets">The targets.</param>
    /// <param name="now">The time "last scrape" is measured from.</param>
    /// <param name="destinations">Where the samples go and as which tenant (<see cref="AgentService.Destinations"/>).</param>
    /// <returns>The page.</returns>
    public static string Render(TargetsSnapshot targets, DateTimeOffset now, IReadOnlyList<string>? destinations = null)
    {
        var sb = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Targets - metrics-cluster agent</title>")
            .Append("<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}")
            .Append(".up{color:#060}.down{color:#b00}.unknown{color:#666}</style></head><body>\n<h1>Targets</h1>\n");
        if (destinations is { Count: > 0 })
        {
            sb.Append("<p>Samples are written to: ").Append(E(string.Join("; ", destinations))).Append("</p>\n");
        }

        foreach (var pool in targets.Active.GroupBy(t => t.ScrapePool))
        {
            int up = pool.Count(t => t.Status.Health == Scrape.ScrapeHealth.Up);
            sb.Append("<h2>").Append(E(pool.Key)).Append(" (").Append(up).Append('/').Append(pool.Count()).Append(" up)</h2>\n")
                .Append("<table><tr><th>Endpoint</th><th>State</th><th>Labels</th><th>Last Scrape</th><th>Scrape Duration</th><th>Error</th></tr>\n");
            foreach (var t in pool)
            {
                string health = TargetsJson.Health(t.Status.Health);
                string last = t.Status.LastScrape is { } ls
                    ? ((now - ls).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + "s ago")
                    : "never";
                sb.Append("<tr><td><a href=\"").Append(E(t.Target.Url.ToString())).Append("\">").Append(E(t.Target.Url.ToString())).Append("</a></td>")
                    .Append("<td class=\"").Append(health).Append("\">").Append(health.ToUpperInvariant()).Append("</td><td>")
                    .Append(E(string.Join(", ", t.Target.Labels.Pairs().Select(p => p.Key + "=\"" + p.Value + "\"")))).Append("</td><td>")
                    .Append(last).Append("</td><td>")
                    .Append((t.Status.LastDuration.TotalMilliseconds / 1000).ToString("0.000", CultureInfo.InvariantCulture)).Append("s</td><td>")
                    .Append(E(t.Status.LastError ?? string.Empty)).Append("</td></tr>\n");
            }

            sb.Append("</table>\n");
        }

        if (targets.Dropped.Count > 0)
        {
            sb.Append("<h2>Dropped targets (").Append(targets.Dropped.Count).Append(")</h2>\n<table><tr><th>Pool</th><th>Discovered labels</th></tr>\n");
            foreach (var d in targets.Dropped)
            {
                sb.Append("<tr><td>").Append(E(d.ScrapePool)).Append("</td><td>").Append(E(d.DiscoveredLabels.ToString())).Append("</td></tr>\n");
            }

            sb.Append("</table>\n");
        }

        return sb.Append("</body></html>\n").ToString();
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
