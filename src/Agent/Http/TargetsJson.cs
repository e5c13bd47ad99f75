using System.Globalization;
using System.Text.Json;
using MetricsCluster.Agent.Manager;
using MetricsCluster.Agent.Scrape;
using MetricsCluster.Agent.Targets;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.Http;

/// <summary>Writes the body of Prometheus' <c>GET /api/v1/targets</c> (web/api/v1 targetDiscovery) field by field, in its order.</summary>
public static class TargetsJson
{
    /// <summary>Go's zero time, which Prometheus reports as lastScrape before the first scrape.</summary>
    public const string ZeroTime = "0001-01-01T00:00:00Z";

    /// <summary>Serialises <paramref name="targets"/>; <paramref name="state"/> is <c>active</c>, <c>dropped</c> or <c>any</c>.</summary>
    public static void Write(Utf8JsonWriter w, TargetsSnapshot targets, string state)
    {
        bool active = state is "any" or "active";
        bool dropped = state is "any" or "dropped";
        w.WriteStartObject();
        w.WriteString("status", "success");
        w.WriteStartObject("data");
        w.WriteStartArray("activeTargets");
        foreach (var t in active ? targets.Active : [])
        {
            WriteActive(w, t);
        }

        w.WriteEndArray();
        w.WriteStartArray("droppedTargets");
        foreach (var t in dropped ? targets.Dropped : [])
        {
            w.WriteStartObject();
            WriteLabels(w, "discoveredLabels", t.DiscoveredLabels);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Go's time.RFC3339Nano of a UTC instant: fraction without trailing zeros, none when zero.</summary>
    public static string Rfc3339Nano(DateTimeOffset? t) =>
        t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) : ZeroTime;

    /// <summary>The targets API's health string.</summary>
    public static string Health(ScrapeHealth h) => h switch
    {
        ScrapeHealth.Up => "up",
        ScrapeHealth.Down => "down",
        _ => "unknown",
    };

    private static void WriteActive(Utf8JsonWriter w, ActiveTargetInfo info)
    {
        DiscoveredTarget t = info.Target;
        var s = info.Status;
        w.WriteStartObject();
        WriteLabels(w, "discoveredLabels", t.DiscoveredLabels);
        WriteLabels(w, "labels", t.Labels);
        w.WriteString("scrapePool", info.ScrapePool);
        w.WriteString("scrapeUrl", t.Url.ToString());
        w.WriteString("globalUrl", t.Url.ToString());
        w.WriteString("lastError", s.LastError ?? string.Empty);
        w.WriteString("lastScrape", Rfc3339Nano(s.LastScrape));
        w.WriteNumber("lastScrapeDuration", s.LastDuration.TotalSeconds);
        w.WriteString("health", Health(s.Health));
        w.WriteString("scrapeInterval", t.InternalLabels.Get(TargetBuilder.ScrapeIntervalLabel));
        w.WriteString("scrapeTimeout", t.InternalLabels.Get(TargetBuilder.ScrapeTimeoutLabel));
        w.WriteEndObject();
    }

    private static void WriteLabels(Utf8JsonWriter w, string name, Labels labels)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in labels.Pairs())
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }
}
