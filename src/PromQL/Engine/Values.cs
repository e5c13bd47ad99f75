using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary>A float point of a series: timestamp in ms and value.</summary>
/// <param name="T">Timestamp (ms).</param>
/// <param name="F">Value.</param>
public readonly record struct FPoint(long T, double F);

/// <summary>One element of an instant vector (Prometheus' <c>promql.Sample</c>).</summary>
/// <param name="Metric">Labels.</param>
/// <param name="T">Timestamp (ms).</param>
/// <param name="F">Value.</param>
/// <param name="DropName">With delayed name removal: the name is removed when the query ends.</param>
public readonly record struct Sample(Labels Metric, long T, double F, bool DropName = false);

/// <summary>A series of a range vector or range-query result (Prometheus' <c>promql.Series</c>).</summary>
public sealed class Series
{
    /// <summary>Creates a series.</summary>
    public Series(Labels metric, List<FPoint> floats, bool dropName = false)
    {
        Metric = metric;
        Floats = floats;
        DropName = dropName;
    }

    /// <summary>Labels.</summary>
    public Labels Metric { get; set; }

    /// <summary>Points in time order.</summary>
    public List<FPoint> Floats { get; set; }

    /// <summary>With delayed name removal: the name is removed when the query ends.</summary>
    public bool DropName { get; set; }
}

/// <summary>Result value types of a query, as in the API's <c>resultType</c>.</summary>
public abstract record QueryValue
{
    /// <summary>"scalar", "string", "vector" or "matrix".</summary>
    public abstract string ResultType { get; }
}

/// <summary>A scalar result.</summary>
/// <param name="T">Timestamp (ms).</param>
/// <param name="V">Value.</param>
public sealed record ScalarValue(long T, double V) : QueryValue
{
    /// <inheritdoc/>
    public override string ResultType => "scalar";
}

/// <summary>A string result.</summary>
/// <param name="T">Timestamp (ms).</param>
/// <param name="V">Value.</param>
public sealed record StringValue(long T, string V) : QueryValue
{
    /// <inheritdoc/>
    public override string ResultType => "string";
}

/// <summary>An instant-vector result.</summary>
/// <param name="Samples">The samples.</param>
public sealed record VectorValue(IReadOnlyList<Sample> Samples) : QueryValue
{
    /// <inheritdoc/>
    public override string ResultType => "vector";
}

/// <summary>A range-vector (matrix) result, sorted by labels.</summary>
/// <param name="Series">The series.</param>
public sealed record MatrixValue(IReadOnlyList<Series> Series) : QueryValue
{
    /// <inheritdoc/>
    public override string ResultType => "matrix";
}
