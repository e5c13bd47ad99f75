namespace MetricsCluster.Agent.Parsing;

/// <summary>The type named by a <c># TYPE</c> line; text 0.0.4's <c>untyped</c> maps to <see cref="Unknown"/>.</summary>
public enum MetricType
{
    /// <summary><c>unknown</c> (OpenMetrics) or <c>untyped</c> (text 0.0.4), and the default without TYPE.</summary>
    Unknown = 0,

    /// <summary><c>counter</c>.</summary>
    Counter,

    /// <summary><c>gauge</c>.</summary>
    Gauge,

    /// <summary><c>histogram</c>.</summary>
    Histogram,

    /// <summary><c>gaugehistogram</c> (OpenMetrics only).</summary>
    GaugeHistogram,

    /// <summary><c>summary</c>.</summary>
    Summary,

    /// <summary><c>info</c> (OpenMetrics only).</summary>
    Info,

    /// <summary><c>stateset</c> (OpenMetrics only).</summary>
    StateSet,
}
