namespace MetricsCluster.Ruler.Alerting;

/// <summary>An alert's state, ordered as Prometheus orders them (a rule's state is its alerts' highest).</summary>
public enum AlertState
{
    /// <summary>Not active (or resolved, kept a while to send the resolution).</summary>
    Inactive,

    /// <summary>Active for less than the rule's <c>for</c>.</summary>
    Pending,

    /// <summary>Active for the rule's <c>for</c> or longer.</summary>
    Firing,
}

/// <summary>The states' names in the API and the <c>alertstate</c> label.</summary>
public static class AlertStates
{
    /// <summary>Prometheus' lower-case name.</summary>
    public static string Name(this AlertState state) => state switch
    {
        AlertState.Pending => "pending",
        AlertState.Firing => "firing",
        _ => "inactive",
    };
}
