namespace MetricsCluster.Ruler.RuleFiles;

/// <summary>
/// One recording rule (<see cref="Record"/> set) or alerting rule (<see cref="Alert"/> set), as written in a rule file.
/// Durations the file omits are zero. Labels and annotations are kept sorted by name (ordinal), as Prometheus holds
/// them, so that every output built from them is in one order.
/// </summary>
/// <param name="Record">The recorded metric name; null for an alerting rule.</param>
/// <param name="Alert">The alert name; null for a recording rule.</param>
/// <param name="Expr">The PromQL expression, as written.</param>
/// <param name="For">How long an alert stays pending before it fires.</param>
/// <param name="KeepFiringFor">How long a firing alert keeps firing after its condition clears.</param>
/// <param name="Labels">Labels added to (or overriding) the output; for alerts, templates.</param>
/// <param name="Annotations">Alert annotations (templates); empty for recording rules.</param>
public sealed record Rule(
    string? Record,
    string? Alert,
    string Expr,
    TimeSpan For,
    TimeSpan KeepFiringFor,
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    IReadOnlyList<KeyValuePair<string, string>> Annotations)
{
    /// <summary>The rule's name: the recorded metric or the alert.</summary>
    public string Name => Record ?? Alert ?? string.Empty;

    /// <summary>Whether this is an alerting rule.</summary>
    public bool IsAlert => Alert is not null;

    /// <summary>A recording rule.</summary>
    public static Rule Recording(string record, string expr, params KeyValuePair<string, string>[] labels) =>
        new(record, null, expr, TimeSpan.Zero, TimeSpan.Zero, Sorted(labels), []);

    /// <summary>
    /// Value equality, lists included (a record compares list references): the parser, the stores and the
    /// evaluation side compare rules that were built apart, e.g. to tell whether a re-synced group changed.
    /// </summary>
    public bool Equals(Rule? other) =>
        other is not null && Record == other.Record && Alert == other.Alert && Expr == other.Expr && For == other.For
            && KeepFiringFor == other.KeepFiringFor && Labels.SequenceEqual(other.Labels) && Annotations.SequenceEqual(other.Annotations);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Record, Alert, Expr, For, KeepFiringFor, Labels.Count, Annotations.Count);

    /// <summary>Sorts name/value pairs by name (ordinal), the order every rule holds them in.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Sorted(IEnumerable<KeyValuePair<string, string>> pairs) =>
        pairs.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
}
