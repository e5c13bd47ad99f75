using MetricsCluster.Core;
using MetricsCluster.PromQL.Engine;
using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>One element of a rule's query result.</summary>
/// <param name="Labels">The series' labels.</param>
/// <param name="Value">The value at the evaluation time.</param>
public readonly record struct RuleQuerySample(Labels Labels, double Value);

/// <summary>
/// Runs a rule's expression as an instant query through the querier's read path (ingesters and store-gateways), as
/// Prometheus' <c>EngineQueryFunc</c>: a vector as is, a scalar as one sample without labels, anything else an error.
/// </summary>
public sealed class RuleQuery(QueryEngine engine, IQueryable storage)
{
    /// <summary>Evaluates <paramref name="expr"/> for <paramref name="tenant"/> at <paramref name="timeMs"/>.</summary>
    /// <exception cref="RuleQueryException">The query failed; the message is Prometheus'.</exception>
    public async Task<IReadOnlyList<RuleQuerySample>> InstantAsync(string tenant, string expr, long timeMs, CancellationToken cancellationToken)
    {
        var result = await engine.InstantQueryAsync(storage, tenant, expr, timeMs, cancellationToken).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            throw new RuleQueryException(error.Message);
        }

        return result.Value switch
        {
            // A sample whose name the engine dropped (DropName) already carries the labels without it.
            VectorValue v => v.Samples.Select(s => new RuleQuerySample(s.Metric, s.F)).ToArray(),
            ScalarValue s => [new RuleQuerySample(Labels.Empty, s.V)],
            _ => throw new RuleQueryException("rule result is not a vector or scalar"),
        };
    }
}

/// <summary>A rule's query failed.</summary>
public sealed class RuleQueryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RuleQueryException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RuleQueryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RuleQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
