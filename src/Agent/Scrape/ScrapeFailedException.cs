namespace MetricsCluster.Agent.Scrape;

/// <summary>
/// A scrape that fails as a whole (HTTP status, timeout, content type, body size, a limit, duplicate
/// labels). The loop turns it into <c>up 0</c>, stale markers and the target's last error.
/// </summary>
public sealed class ScrapeFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScrapeFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ScrapeFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ScrapeFailedException()
    {
    }
}
