using System.Text.Json;
using MetricsCluster.Ruler.Templating;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Templating;

/// <summary>
/// Expansions compared byte for byte with Go's: testdata/go-expansions.json holds one alert's data, the results of
/// its queries, and templates with the output Go 1.19's text/template and fmt produce with Prometheus 2.42's functions
/// (computed once by a small Go program that ran each template through Prometheus 2.42's template package; that
/// program and the upstream code it used are not in the repository: a new case needs its expected output from Go).
/// The cases cover printf's verbs and flags, number literals, every function, the control structures, and parse and
/// execution errors with their positions.
/// </summary>
public sealed class GoExpansionTests
{
    private static readonly Lazy<GoldenFile> s_file = new(() =>
        JsonSerializer.Deserialize<GoldenFile>(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Templating", "testdata", "go-expansions.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in s_file.Value.Cases)
        {
            data.Add(c.Text, c.Expected);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Expands_as_Go_and_Prometheus_do(string text, string expected)
    {
        var f = s_file.Value;
        var data = new TemplateData(Sorted(f.Labels), Sorted(f.ExternalLabels), f.ExternalUrl, f.Value, 0);
        TemplateQuery query = (q, _, _) => f.Queries.TryGetValue(q, out var samples)
            ? Task.FromResult<IReadOnlyList<TemplateSample>>([.. samples.Select(s => new TemplateSample(Sorted(s.Labels), s.Value))])
            : throw new InvalidOperationException("no such query \"" + q + "\"");
        Assert.Equal(expected, await RuleTemplates.ExpandAsync(f.Alert, text, data, query, CancellationToken.None));
    }

    private static List<KeyValuePair<string, string>> Sorted(Dictionary<string, string> m) =>
        [.. m.OrderBy(p => p.Key, StringComparer.Ordinal)];

    private sealed record GoldenFile(
        string Alert,
        Dictionary<string, string> Labels,
        Dictionary<string, string> ExternalLabels,
        string ExternalUrl,
        double Value,
        Dictionary<string, List<GoldenSample>> Queries,
        List<GoldenCase> Cases);

    private sealed record GoldenSample(Dictionary<string, string> Labels, double Value);

    private sealed record GoldenCase(string Text, string Expected);
}
