namespace MetricsCluster.Ruler.Templating;

/// <summary>
/// Runs the PromQL instant query of a template's <c>query</c> function at <paramref name="timestampMs"/>. An exception
/// becomes the template's error (<c>error calling query: MESSAGE</c>); cancellation of
/// <paramref name="cancellationToken"/> cancels the expansion.
/// </summary>
/// <param name="query">The PromQL expression.</param>
/// <param name="timestampMs">The evaluation time, in milliseconds since the epoch.</param>
/// <param name="cancellationToken">Cancels the query.</param>
/// <returns>The instant vector, in the order the query engine returned it.</returns>
public delegate Task<IReadOnlyList<TemplateSample>> TemplateQuery(string query, long timestampMs, CancellationToken cancellationToken);
