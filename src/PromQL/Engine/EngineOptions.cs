namespace MetricsCluster.PromQL.Engine;

/// <summary>Engine settings (Prometheus' <c>EngineOpts</c>), with Prometheus' defaults.</summary>
public sealed record EngineOptions
{
    /// <summary>How far back an instant selector looks for a sample (<c>--query.lookback-delta</c>).</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Per-query time limit (<c>--querier.timeout</c>).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Most samples a query may hold in memory at once (<c>--querier.max-samples</c>).</summary>
    public int MaxSamples { get; init; } = 50_000_000;

    /// <summary>Most queries evaluated at once; more wait (<c>--querier.max-concurrent</c>).</summary>
    public int MaxConcurrent { get; init; } = 20;

    /// <summary>Prometheus 3's experimental delayed <c>__name__</c> removal (the test scripts use it; off by default).</summary>
    public bool DelayedNameRemoval { get; init; }

    /// <summary>Called with an unexpected exception (a bug or a storage failure) before it is reported as <c>internal</c>; the host logs it with its stack.</summary>
    public Action<string, Exception>? OnInternalError { get; init; }

    /// <summary>Subquery step when none is given, from the subquery range in ms (Prometheus: the global evaluation interval, 1m).</summary>
    public Func<long, long> NoStepSubqueryInterval { get; init; } = _ => 60_000;
}
