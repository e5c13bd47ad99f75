namespace MetricsCluster.Agent.Parsing;

/// <summary>What an exposition parser found at its current position (Prometheus' textparse.Entry).</summary>
public enum EntryKind
{
    /// <summary>The end of the page: nothing more to read.</summary>
    EndOfInput = 0,

    /// <summary>A <c># HELP</c> line.</summary>
    Help,

    /// <summary>A <c># TYPE</c> line.</summary>
    Type,

    /// <summary>A <c># UNIT</c> line (OpenMetrics only).</summary>
    Unit,

    /// <summary>Any other comment line (text 0.0.4 only; OpenMetrics forbids them).</summary>
    Comment,

    /// <summary>A sample line.</summary>
    Series,
}
