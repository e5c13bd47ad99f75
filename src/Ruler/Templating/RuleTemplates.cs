using System.Collections.Concurrent;
using MetricsCluster.Ruler.Templating.Exec;
using MetricsCluster.Ruler.Templating.Parse;

namespace MetricsCluster.Ruler.Templating;

/// <summary>
/// Alert label and annotation templates: Go's text/template with Prometheus 2.42's functions, expanding byte for byte
/// as Prometheus does (rules/alerting.go), errors included. Parsed templates are cached by text, so the per-alert,
/// per-evaluation cost is the execution alone. Thread-safe.
/// </summary>
/// <remarks>
/// Known differences from Prometheus: template invocations nest at most <see cref="Exec.Executor.MaxExecDepth"/> deep
/// (Go: 100000) and parentheses and control structures <see cref="Parse.Tree.MaxNesting"/> deep (Go 1.19: unbounded);
/// a pointer printed inside a value (<c>{{ query "up" }}</c>) shows a fixed stand-in address; of <c>time.Time</c>'s
/// methods only the formatting and field accessors exist; regexp syntax errors other than unbalanced parentheses are
/// worded by our RE2 checks; strings are .NET strings, so bytes that are not UTF-8 (from <c>\x</c> escapes or byte
/// slicing) become U+FFFD; Unicode tables are .NET's rather than Go 1.19's.
/// </remarks>
public static class RuleTemplates
{
    /// <summary>The variables rules/alerting.go declares before every template; they share line 1 with its text.</summary>
    internal const string Defs =
        "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

    // A rule set has a bounded number of distinct templates, but templates built by users are not ours to bound:
    // past the capacity the cache starts over (parsing is cheap next to a stream of distinct texts held forever).
    private const int CacheCapacity = 4096;

    private static readonly ConcurrentDictionary<(string Name, string Text), Parsed> s_cache = new();

    /// <summary>
    /// Parses <paramref name="text"/> as Prometheus does when it checks a rule file, the template named
    /// <paramref name="name"/> (<c>__alert_&lt;alertname&gt;</c>) with the variable definitions prepended; returns null
    /// when it parses, else Go's error text (for example <c>template: __alert_X:1: function "nosuch" not defined</c>).
    /// </summary>
    /// <param name="name">The template name, <c>__alert_</c> and the alert's name.</param>
    /// <param name="text">The label or annotation value as written in the rule.</param>
    public static string? ParseError(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        return IsPlain(text) ? null : Get(name, text).Error;
    }

    /// <summary>
    /// Expands <paramref name="text"/> as Prometheus' rules/alerting.go <c>expand()</c> does: the variable definitions
    /// prepended, the template named <c>__alert_</c> + <paramref name="alertName"/>; on a parse or execution error the
    /// result is <c>&lt;error expanding template: ...&gt;</c> with Go's error text.
    /// </summary>
    /// <param name="alertName">The alerting rule's name.</param>
    /// <param name="text">The label or annotation value as written in the rule.</param>
    /// <param name="data">The alert's labels and value, the external labels and URL, the evaluation time.</param>
    /// <param name="query">Runs the template function <c>query</c>; null fails it as a nil function would.</param>
    /// <param name="cancellationToken">Cancels the expansion (and its queries).</param>
    /// <returns>The expansion, or the error text in its place.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<string> ExpandAsync(
        string alertName, string text, TemplateData data, TemplateQuery? query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertName);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(data);
        if (IsPlain(text))
        {
            return text; // The definitions print nothing and cannot fail.
        }

        string name = "__alert_" + alertName;
        var parsed = Get(name, text);
        if (parsed.Template is null)
        {
            return "<error expanding template: error parsing template " + name + ": " + parsed.Error + ">";
        }

        try
        {
            var context = new ExecContext(query, data.TimestampMs, data.ExternalUrl, cancellationToken);
            return await parsed.Template.ExecuteAsync(ToGoValue(data), context);
        }
        catch (TemplateExecException e)
        {
            return "<error expanding template: error executing template " + name + ": " + e.Message + ">";
        }
    }

    /// <summary>The alert data as the Go struct the templates see (<c>.Labels</c>, <c>.ExternalLabels</c>, <c>.ExternalURL</c>, <c>.Value</c>).</summary>
    internal static GoValue ToGoValue(TemplateData data) => GoValue.Of(GoTypes.AlertData, new GoStruct(
    [
        GoMap.FromLabels(data.Labels),
        GoMap.FromLabels(data.ExternalLabels),
        GoValue.String(data.ExternalUrl),
        GoValue.Float(data.Value),
    ]));

    private static bool IsPlain(string text) => !text.Contains("{{", StringComparison.Ordinal);

    private static Parsed Get(string name, string text)
    {
        if (s_cache.TryGetValue((name, text), out var cached))
        {
            return cached;
        }

        Parsed parsed;
        try
        {
            parsed = new Parsed(GoTemplate.Parse(name, Defs + text), null);
        }
        catch (TemplateParseException e)
        {
            parsed = new Parsed(null, e.Message);
        }

        if (s_cache.Count >= CacheCapacity)
        {
            s_cache.Clear();
        }

        s_cache[(name, text)] = parsed;
        return parsed;
    }

    private sealed record Parsed(GoTemplate? Template, string? Error);
}
