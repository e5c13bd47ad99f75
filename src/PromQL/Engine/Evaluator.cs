namespace MetricsCluster.PromQL.Engine;

internal sealed class Evaluator(QueryPlan plan, EngineOptions options, CancellationToken ct)
{
    public Annotations Annotations { get; } = new();

    public QueryValue Run(Expr expr, bool isRange) =>
        throw new PromQLException(QueryErrorType.Internal, $"engine under construction {plan.Start} {options.MaxSamples} {ct.IsCancellationRequested} {expr} {isRange}");
}
