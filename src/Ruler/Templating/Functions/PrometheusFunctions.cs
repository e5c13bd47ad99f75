using MetricsCluster.Core;
using MetricsCluster.Core.Re2;
using MetricsCluster.Ruler.Templating.Exec;
using MetricsCluster.Ruler.Templating.Go;

namespace MetricsCluster.Ruler.Templating.Functions;

/// <summary>
/// The functions Prometheus 2.42 gives templates (template.go <c>NewTemplateExpander</c>), with their Go signatures:
/// argument conversion and errors follow from them (<c>title 1</c> is "expected string; found 1").
/// </summary>
internal static class PrometheusFunctions
{
    // What a nil pointer dereference inside a function turns into (text/template recovers the panic).
    private const string NilDereference = "runtime error: invalid memory address or nil pointer dereference";

    private static readonly GoType S = GoTypes.String;
    private static readonly GoType Any = GoTypes.Any;

    /// <summary>The functions by name.</summary>
    public static IReadOnlyDictionary<string, GoFunc> All { get; } = new[]
    {
        new GoFunc("query", [S], false, QueryAsync),
        F("first", [GoTypes.QueryResult], a => a[0].Len > 0 ? a[0].AsSlice![0] : throw Fail("first() called on vector with no elements")),
        F("label", [S, GoTypes.SamplePtr], a => Labels(a[1]) is { } m && m.TryGet(a[0].AsString, out var v) ? v : GoValue.String(string.Empty)),
        F("value", [GoTypes.SamplePtr], a => SampleOf(a[0]).Fields[1]),
        F("strvalue", [GoTypes.SamplePtr], a => Labels(a[0]) is { } m && m.TryGet("__value__", out var v) ? v : GoValue.String(string.Empty)),
        new GoFunc("args", [Any], true, (a, _) => ValueTask.FromResult(Args(a))),
        F("reReplaceAll", [S, S, S], a => GoValue.String(MustCompile(a[0].AsString).ReplaceAll(a[2].AsString, a[1].AsString))),
        F("safeHtml", [S], a => GoValue.String(a[0].AsString, GoTypes.Html)),
        F("match", [S, S], a => GoValue.Bool(Compile(a[0].AsString).IsMatch(a[1].AsString))),
        F("title", [S], a => GoValue.String(GoStrings.Title(a[0].AsString))),
        F("toUpper", [S], a => GoValue.String(GoStrings.ToUpper(a[0].AsString))),
        F("toLower", [S], a => GoValue.String(GoStrings.ToLower(a[0].AsString))),
        F("graphLink", [S], a => GoValue.String("/graph?g0.expr=" + GoUrl.QueryEscape(a[0].AsString) + "&g0.tab=0")),
        F("tableLink", [S], a => GoValue.String("/graph?g0.expr=" + GoUrl.QueryEscape(a[0].AsString) + "&g0.tab=1")),
        F("sortByLabel", [S, GoTypes.QueryResult], SortByLabel),
        F("stripPort", [S], a => GoValue.String(StripPort(a[0].AsString))),
        F("stripDomain", [S], a => GoValue.String(StripDomain(a[0].AsString))),
        F("humanize", [Any], a => GoValue.String(Humanize.Number(Humanize.ConvertToFloat(a[0])))),
        F("humanize1024", [Any], a => GoValue.String(Humanize.Binary(Humanize.ConvertToFloat(a[0])))),
        F("humanizeDuration", [Any], a => GoValue.String(Humanize.Duration(Humanize.ConvertToFloat(a[0])))),
        F("humanizePercentage", [Any], a => GoValue.String(Humanize.Percentage(Humanize.ConvertToFloat(a[0])))),
        F("humanizeTimestamp", [Any], a => GoValue.String(Humanize.Timestamp(Humanize.ConvertToFloat(a[0])))),
        F("toTime", [Any], a => GoTypes.TimeValue(Humanize.ToTime(Humanize.ConvertToFloat(a[0])), pointer: true)),
        new GoFunc("pathPrefix", [], false, (_, c) => ValueTask.FromResult(GoValue.String(UrlPath(c.ExternalUrl)))),
        new GoFunc("externalURL", [], false, (_, c) => ValueTask.FromResult(GoValue.String(NonEmptyUrl(c.ExternalUrl)))),
        F("parseDuration", [S], ParseDuration),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    private static GoFunc F(string name, GoType[] parameters, Func<GoValue[], GoValue> f) => GoFunc.Sync(name, parameters, false, f);

    private static GoFuncException Fail(string message) => new(message);

    private static async ValueTask<GoValue> QueryAsync(GoValue[] a, ExecContext context)
    {
        // Prometheus calls its query function unchecked; without one (as when only parsing) that is a nil call.
        var query = context.Query ?? throw Fail(NilDereference);
        IReadOnlyList<TemplateSample> samples;
        try
        {
            samples = await query(a[0].AsString, context.TimestampMs, context.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            throw Fail(e.Message);
        }

        var result = new GoValue[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            var labels = GoMap.FromLabels(samples[i].Labels);
            result[i] = GoValue.Of(GoTypes.SamplePtr, new GoStruct([labels, GoValue.Float(samples[i].Value)]));
        }

        return GoValue.Of(GoTypes.QueryResult, result);
    }

    private static GoStruct SampleOf(GoValue p) => p.AsStruct ?? throw Fail(NilDereference);

    private static GoMap? Labels(GoValue p) => SampleOf(p).Fields[0].AsMap;

    private static GoValue Args(GoValue[] a)
    {
        var d = new Dictionary<string, GoValue>(a.Length, StringComparer.Ordinal);
        for (int i = 0; i < a.Length; i++)
        {
            d["arg" + i] = a[i];
        }

        return GoValue.Of(GoTypes.MapStringAny, new GoMap(d));
    }

    // regexp.MustCompile panics with this text, which text/template reports as the call's error.
    private static Re2Regex MustCompile(string pattern)
    {
        try
        {
            return Re2Regex.Compile(pattern);
        }
        catch (ArgumentException e)
        {
            string quoted = GoText.CanBackquote(pattern) ? "`" + pattern + "`" : GoText.Quote(pattern);
            throw Fail("regexp: Compile(" + quoted + "): " + RegexpError(pattern, e));
        }
    }

    private static Re2Regex Compile(string pattern)
    {
        try
        {
            return Re2Regex.Compile(pattern);
        }
        catch (ArgumentException e)
        {
            throw Fail(RegexpError(pattern, e));
        }
    }

    /// <summary>
    /// Go's <c>*syntax.Error</c> text, <c>error parsing regexp: CODE: `EXPR`</c>. The code comes from our RE2 checks and
    /// is Go's for unbalanced parentheses (whose EXPR is the whole pattern, as here); for other mistakes the wording
    /// and the quoted fragment may differ from Go's.
    /// </summary>
    private static string RegexpError(string pattern, ArgumentException e)
    {
        string prefix = "invalid regular expression \"" + pattern + "\": ";
        string why = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
        return "error parsing regexp: " + why + ": `" + pattern + "`";
    }

    private static GoValue SortByLabel(GoValue[] a)
    {
        string label = a[0].AsString;
        var items = a[1].AsSlice;
        if (items is null)
        {
            return a[1];
        }

        // sort.Stable by the label's value, Go's string order.
        var sorted = items.Select((v, i) => (v, i)).ToList();
        sorted.Sort((x, y) =>
        {
            int c = GoText.Compare(LabelOf(x.v, label), LabelOf(y.v, label));
            return c != 0 ? c : x.i.CompareTo(y.i);
        });
        return GoValue.Of(a[1].Type!, sorted.Select(p => p.v).ToArray());
    }

    private static string LabelOf(GoValue sample, string label) =>
        Labels(sample) is { } m && m.TryGet(label, out var v) ? v.AsString : string.Empty;

    private static string StripPort(string hostPort) => GoNet.TrySplitHostPort(hostPort, out string host, out _) ? host : hostPort;

    private static string StripDomain(string hostPort)
    {
        if (!GoNet.TrySplitHostPort(hostPort, out string host, out string port))
        {
            host = hostPort;
            port = string.Empty;
        }

        if (GoNet.IsIP(host))
        {
            return hostPort;
        }

        host = host.Split('.')[0];
        return port.Length > 0 ? GoNet.JoinHostPort(host, port) : host;
    }

    private static GoValue ParseDuration(GoValue[] a)
    {
        string? error = PrometheusDuration.Parse(a[0].AsString, out long nanos);
        return error is null ? GoValue.Float(nanos / 1e9) : throw Fail(error);
    }

    // The external URL stands for Prometheus' *url.URL; an empty one is the nil URL promtool runs with.
    private static string NonEmptyUrl(string url) => url.Length > 0 ? url : throw Fail(NilDereference);

    /// <summary>The path of a URL as Go's <c>url.URL.Path</c> holds it (unescaped; empty when there is none).</summary>
    private static string UrlPath(string url)
    {
        string rest = NonEmptyUrl(url);
        int q = rest.IndexOfAny(['?', '#']);
        if (q >= 0)
        {
            rest = rest[..q];
        }

        int scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }

        return Uri.UnescapeDataString(rest);
    }
}
