namespace MetricsCluster.Agent.Scrape;

/// <summary>
/// The outcome of a loop's last scrape, for the targets API. Immutable and swapped as a whole, so a
/// reader on another thread sees one consistent snapshot.
/// </summary>
/// <param name="Health">Up, down, or unknown before the first scrape.</param>
/// <param name="LastScrape">When the last scrape started, or null.</param>
/// <param name="LastDuration">How long it took.</param>
/// <param name="LastError">Why it failed, or null.</param>
public sealed record ScrapeStatus(ScrapeHealth Health, DateTimeOffset? LastScrape, TimeSpan LastDuration, string? LastError)
{
    /// <summary>The status before the first scrape.</summary>
    public static ScrapeStatus NotScraped { get; } = new(ScrapeHealth.Unknown, null, TimeSpan.Zero, null);
}
