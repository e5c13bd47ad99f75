namespace MetricsCluster.Ruler.Evaluation;

/// <summary>
/// What the rules API shows of one group (Prometheus' <c>RuleGroup</c>): the group's definition with each rule's last
/// evaluation and alerts. Plain data, so a group evaluated on another ruler can hand it over as JSON.
/// </summary>
/// <param name="Name">The group.</param>
/// <param name="File">The namespace.</param>
/// <param name="IntervalSeconds">The evaluation interval.</param>
/// <param name="Limit">The group's limit.</param>
/// <param name="EvaluationTimeSeconds">How long the last evaluation took.</param>
/// <param name="LastEvaluation">When it started, or null.</param>
/// <param name="Rules">The rules, in order.</param>
public sealed record GroupStatus(
    string Name,
    string File,
    double IntervalSeconds,
    int Limit,
    double EvaluationTimeSeconds,
    DateTimeOffset? LastEvaluation,
    IReadOnlyList<RuleStatus> Rules);

/// <summary>One rule in the rules API.</summary>
/// <param name="Type"><c>alerting</c> or <c>recording</c>.</param>
/// <param name="Name">Alert or record name.</param>
/// <param name="Query">The printed expression.</param>
/// <param name="DurationSeconds">The <c>for</c>.</param>
/// <param name="KeepFiringForSeconds">The <c>keep_firing_for</c>.</param>
/// <param name="Labels">The rule's labels.</param>
/// <param name="Annotations">The rule's annotations (alerting).</param>
/// <param name="State">The rule's state (alerting): inactive, pending or firing.</param>
/// <param name="Alerts">Its active alerts (alerting).</param>
/// <param name="Health">ok, err or unknown.</param>
/// <param name="LastError">The last error, or null.</param>
/// <param name="EvaluationTimeSeconds">How long the last evaluation took.</param>
/// <param name="LastEvaluation">When it started, or null.</param>
public sealed record RuleStatus(
    string Type,
    string Name,
    string Query,
    double DurationSeconds,
    double KeepFiringForSeconds,
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    IReadOnlyList<KeyValuePair<string, string>> Annotations,
    string State,
    IReadOnlyList<AlertStatus> Alerts,
    string Health,
    string? LastError,
    double EvaluationTimeSeconds,
    DateTimeOffset? LastEvaluation);

/// <summary>One active alert in the rules and alerts APIs.</summary>
/// <param name="Labels">The alert's labels.</param>
/// <param name="Annotations">Its expanded annotations.</param>
/// <param name="State">pending or firing.</param>
/// <param name="ActiveAtMs">Active since (Unix ms).</param>
/// <param name="KeepFiringSinceMs">Kept firing since (Unix ms), 0 when not.</param>
/// <param name="Value">The value, as Prometheus prints it (Go's <c>'e'</c> format).</param>
public sealed record AlertStatus(
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    IReadOnlyList<KeyValuePair<string, string>> Annotations,
    string State,
    long ActiveAtMs,
    long KeepFiringSinceMs,
    string Value);
