using MetricsCluster.Ruler.Templating;
using MetricsCluster.Ruler.Templating.Exec;
using MetricsCluster.Ruler.Templating.Parse;

namespace MetricsCluster.Ruler.Tests.Templating;

/// <summary>
/// Prometheus' <c>Expander.Expand</c> for tests: any data, a fixed query result, Prometheus' error wrapping
/// (<c>error parsing template NAME: ...</c>, <c>error executing template NAME: ...</c>).
/// </summary>
internal static class TemplateHarness
{
    /// <summary>The external URL of Prometheus' template_test.go.</summary>
    public const string TestExternalUrl = "http://testhost:9090/path/prefix";

    /// <summary>Expands; returns the output, or the error text with <c>ERROR: </c> in front.</summary>
    public static async Task<string> ExpandAsync(
        string text, GoValue data, IReadOnlyList<TemplateSample>? queryResult = null, string name = "test", string externalUrl = TestExternalUrl)
    {
        GoTemplate template;
        try
        {
            template = GoTemplate.Parse(name, text);
        }
        catch (TemplateParseException e)
        {
            return "ERROR: error parsing template " + name + ": " + e.Message;
        }

        TemplateQuery query = (_, _, _) => Task.FromResult(queryResult ?? []);
        try
        {
            return await template.ExecuteAsync(data, new ExecContext(query, 0, externalUrl, CancellationToken.None));
        }
        catch (TemplateExecException e)
        {
            return "ERROR: error executing template " + name + ": " + e.Message;
        }
    }

    /// <summary>A Go slice <c>[]T</c> of the values.</summary>
    public static GoValue Slice(GoType elem, params GoValue[] values) => GoValue.Of(GoType.SliceOf(elem), values);

    public static GoValue Floats(params double[] v) => Slice(GoTypes.Float64, [.. v.Select(GoValue.Float)]);

    public static GoValue Strings(params string[] v) => Slice(GoTypes.String, [.. v.Select(s => GoValue.String(s))]);

    public static GoValue Int64s(params long[] v) => Slice(GoTypes.Int64, [.. v.Select(x => GoValue.Int(x, GoTypes.Int64))]);

    public static GoValue Ints(params long[] v) => Slice(GoTypes.Int, [.. v.Select(x => GoValue.Int(x))]);

    public static GoValue Uint64s(params ulong[] v) => Slice(GoTypes.Uint64, [.. v.Select(x => GoValue.Uint(x, GoTypes.Uint64))]);

    public static GoValue Uints(params ulong[] v) => Slice(GoTypes.Uint, [.. v.Select(x => GoValue.Uint(x, GoTypes.Uint))]);

    /// <summary>A query result sample (Prometheus' tests build them with labels.FromStrings).</summary>
    public static TemplateSample Sample(double value, params string[] labels) =>
        new([.. labels.Chunk(2).Select(p => new KeyValuePair<string, string>(p[0], p[1]))], value);
}
