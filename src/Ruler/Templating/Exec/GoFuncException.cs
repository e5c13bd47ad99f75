namespace MetricsCluster.Ruler.Templating.Exec;

/// <summary>
/// An error a function returns (Go's second result, or a recovered panic); execution stops with
/// <c>error calling NAME: MESSAGE</c>.
/// </summary>
internal sealed class GoFuncException(string message) : Exception(message);
