using System.Text;
using MetricsCluster.Agent.Parsing;
using Xunit;

namespace MetricsCluster.Agent.Tests.Parsing;

/// <summary>
/// A real page captured from <c>prometheus-node-exporter</c> 1.5.0 (<c>testdata/node_exporter.txt</c>) and the
/// same page rewritten to OpenMetrics (<c>untyped</c> → <c>unknown</c>, <c># EOF</c> appended).
/// </summary>
public sealed class NodeExporterPageTests
{
    internal static byte[] TextPage => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "testdata", "node_exporter.txt"));

    internal static byte[] OpenMetricsPage => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "testdata", "node_exporter.om.txt"));

    /// <summary>Sample lines are the lines that do not start with '#'.</summary>
    private static int CountSampleLines(byte[] page) =>
        Encoding.UTF8.GetString(page).Split('\n').Count(l => l.Length > 0 && l[0] != '#');

    [Fact]
    public void TextPageParsesEveryLine()
    {
        var page = TextPage;
        var entries = ParsedEntry.Drain(new PromTextParser(page));
        Assert.Equal(CountSampleLines(page), entries.Count(e => e.Kind == EntryKind.Series));
        Assert.Contains(entries, e => e.Kind == EntryKind.Type && e.M == "node_cpu_seconds_total" && e.Type == MetricType.Counter);
        Assert.Contains(entries, e => e.Kind == EntryKind.Series && e.Labels!.Contains("__name__=\"go_gc_duration_seconds\"", StringComparison.Ordinal));
        Assert.True(entries.Count(e => e.Kind == EntryKind.Series) > 300);
    }

    [Fact]
    public void OpenMetricsPageGivesTheSameSamples()
    {
        var text = ParsedEntry.Drain(new PromTextParser(TextPage)).Where(e => e.Kind == EntryKind.Series).ToList();
        var om = ParsedEntry.Drain(new OpenMetricsParser(OpenMetricsPage)).Where(e => e.Kind == EntryKind.Series).ToList();
        Assert.Equal(text, om);
    }
}
