namespace MetricsCluster.Core.Ingest;

/// <summary>Prometheus metric types (remote write <c>MetricMetadata.type</c> numbering).</summary>
public enum MetricType
{
    /// <summary>Unknown.</summary>
    Unknown = 0,

    /// <summary>Counter.</summary>
    Counter = 1,

    /// <summary>Gauge.</summary>
    Gauge = 2,

    /// <summary>Histogram.</summary>
    Histogram = 3,

    /// <summary>Gauge histogram.</summary>
    GaugeHistogram = 4,

    /// <summary>Summary.</summary>
    Summary = 5,

    /// <summary>Info.</summary>
    Info = 6,

    /// <summary>State set.</summary>
    StateSet = 7,
}

/// <summary>Metadata of one metric family.</summary>
/// <param name="MetricFamilyName">The family name.</param>
/// <param name="Type">The type.</param>
/// <param name="Help">The HELP text.</param>
/// <param name="Unit">The unit.</param>
public sealed record MetricMetadata(string MetricFamilyName, MetricType Type, string Help, string Unit)
{
    /// <summary>The lower-case name Prometheus' metadata API uses for the type.</summary>
    public string TypeName => Type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        MetricType.GaugeHistogram => "gaugehistogram",
        MetricType.Summary => "summary",
        MetricType.Info => "info",
        MetricType.StateSet => "stateset",
        _ => "unknown",
    };
}
