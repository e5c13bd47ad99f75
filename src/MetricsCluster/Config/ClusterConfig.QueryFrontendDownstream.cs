namespace MetricsCluster.Config;

/// <summary>
/// The standalone query-frontend's downstream (docs/query-frontend.md, "Standalone"): with a URL, the frontend
/// forwards its sub-queries and the other read endpoints to remote queriers over HTTP and runs no querier itself.
/// </summary>
public sealed partial class ClusterConfig
{
    /// <summary><c>--query-frontend.downstream-url</c> (Mimir's name): the queriers' base URL; empty = the querier in this process.</summary>
    public string QueryFrontendDownstreamUrl { get; set; } = string.Empty;

    /// <summary><c>--query-frontend.downstream-timeout</c>: one forwarded request's time limit.</summary>
    public TimeSpan QueryFrontendDownstreamTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary><c>--query-frontend.downstream-max-response-bytes</c>: the largest response body the frontend reads from the queriers.</summary>
    public long QueryFrontendDownstreamMaxResponseBytes { get; set; } = 256L << 20;

    /// <summary>The parsed downstream URL (ending with '/', so API paths append to it), or null when none is set.</summary>
    /// <exception cref="ConfigException">The URL is not an absolute http(s) URL, or a bound is not positive.</exception>
    public Uri? QueryFrontendDownstream()
    {
        if (QueryFrontendDownstreamUrl.Length == 0)
        {
            return null;
        }

        if (!Uri.TryCreate(QueryFrontendDownstreamUrl.EndsWith('/') ? QueryFrontendDownstreamUrl : QueryFrontendDownstreamUrl + "/", UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https"))
        {
            throw new ConfigException($"query_frontend.downstream_url (--query-frontend.downstream-url): \"{QueryFrontendDownstreamUrl}\" is not an absolute http or https URL");
        }

        if (QueryFrontendDownstreamTimeout <= TimeSpan.Zero || QueryFrontendDownstreamMaxResponseBytes <= 0)
        {
            throw new ConfigException("--query-frontend.downstream-timeout and --query-frontend.downstream-max-response-bytes must be positive");
        }

        return uri;
    }

    /// <summary>The standalone query-frontend's flags, in help order.</summary>
    internal static readonly ConfigOption[] QueryFrontendDownstreamFlags =
    [
        ConfigOption.Str("query-frontend.downstream-url", "Base URL of the queriers (e.g. http://querier:8080); the query-frontend then forwards queries and read endpoints there over HTTP and runs no querier. Empty = the querier in this process.", c => c.QueryFrontendDownstreamUrl, (c, v) => c.QueryFrontendDownstreamUrl = v),
        ConfigOption.Dur("query-frontend.downstream-timeout", "Time limit of one request forwarded to the downstream URL (longer than the queriers' -querier.timeout, so they answer their own timeout).", c => c.QueryFrontendDownstreamTimeout, (c, v) => c.QueryFrontendDownstreamTimeout = v),
        ConfigOption.Long("query-frontend.downstream-max-response-bytes", "Largest response body read from the downstream URL; a larger answer fails the query.", c => c.QueryFrontendDownstreamMaxResponseBytes, (c, v) => c.QueryFrontendDownstreamMaxResponseBytes = v),
    ];
}
