namespace MetricsCluster.Agent.Scrape;

/// <summary>Target health as the targets API reports it.</summary>
public enum ScrapeHealth
{
    /// <summary>Not scraped yet.</summary>
    Unknown = 0,

    /// <summary>The last scrape succeeded.</summary>
    Up,

    /// <summary>The last scrape failed.</summary>
    Down,
}
