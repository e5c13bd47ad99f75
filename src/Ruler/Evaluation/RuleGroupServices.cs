using MetricsCluster.Ruler.Alerting;
using MetricsCluster.Ruler.Notifier;
using Microsoft.Extensions.Logging;
using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>What every group of this process evaluates with: one query path, one writer, one notifier.</summary>
/// <param name="Query">Rule queries (the querier's read path).</param>
/// <param name="Storage">The same data, read directly to restore alert state.</param>
/// <param name="Writer">Rule output (the distributor's push path).</param>
/// <param name="Notifier">Alert notifications.</param>
/// <param name="Expander">Makes a tenant's template expander.</param>
/// <param name="Options">The ruler's settings.</param>
/// <param name="Metrics">The ruler's metrics.</param>
/// <param name="Time">The clock.</param>
/// <param name="Log">Where evaluation failures are logged.</param>
public sealed record RuleGroupServices(
    RuleQuery Query,
    IQueryable Storage,
    IRuleSampleWriter Writer,
    AlertNotifier Notifier,
    Func<string, AlertExpander> Expander,
    RulerOptions Options,
    RulerMetrics Metrics,
    TimeProvider Time,
    ILogger Log);
