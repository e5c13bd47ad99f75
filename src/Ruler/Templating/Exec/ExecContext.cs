namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>What Prometheus' functions need from the expansion: the query function, the time, the external URL.</summary>
internal sealed record ExecContext(TemplateQuery? Query, long TimestampMs, string ExternalUrl, CancellationToken CancellationToken);
