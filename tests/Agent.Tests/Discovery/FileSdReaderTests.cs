using MetricsCluster.Agent.Discovery;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Discovery;

/// <summary>File SD file formats, as Prometheus' discovery/file reads them.</summary>
public sealed class FileSdReaderTests
{
    [Theory]
    [InlineData("/sd/a.json", """[{"targets": ["h1:9100", "h2:9100"], "labels": {"env": "prod"}}, {"targets": ["h3:1"], "extra": 1}]""")]
    [InlineData("/sd/a.yml", "- targets: [h1:9100, h2:9100]\n  labels: {env: prod}\n- targets: [h3:1]\n")]
    [InlineData("/sd/a.YAML", "- targets: [h1:9100, h2:9100]\n  labels:\n    env: prod\n- targets: ['h3:1']\n")]
    public void ParsesGroups(string path, string content)
    {
        var groups = FileSdReader.Parse(path, content);
        Assert.Equal(2, groups.Count);
        Assert.Equal($"{path}:0", groups[0].Source);
        Assert.Equal($"{path}:1", groups[1].Source);
        Assert.Equal(["h1:9100", "h2:9100"], groups[0].Targets.Select(t => t.Get("__address__")));
        Assert.Equal(Labels.FromStrings("env", "prod", "__meta_filepath", path), groups[0].Labels);
        Assert.Equal(Labels.FromStrings("__meta_filepath", path), groups[1].Labels);
    }

    [Theory]
    [InlineData("/sd/a.json", "{}", "expected a JSON list")]
    [InlineData("/sd/a.json", "[null]", "nil target group item found (index 0)")]
    [InlineData("/sd/a.json", """[{"targets": ["a"], "labels": {"a-b": "x"}}]""", "\"a-b\" is not a valid label name")]
    [InlineData("/sd/a.json", """[{"targets": [1]}]""", "targets must be strings")]
    [InlineData("/sd/a.json", "[{", "invalid JSON")]
    [InlineData("/sd/a.yml", "- targets: [a]\n  lables: {}\n", "[0].lables: unknown field")]
    [InlineData("/sd/a.yml", "- ~\n", "nil target group item found (index 0)")]
    [InlineData("/sd/a.yml", "targets: [a]\n", "expected a YAML list")]
    [InlineData("/sd/a.yml", "- targets: [a\n", "invalid YAML")]
    [InlineData("/sd/a.yml", "- targets: [a\nb:\n", "invalid YAML")] // Found by tests/Fuzz (crash 55698648): YamlDotNet threw InvalidOperationException.
    [InlineData("/sd/a.txt", "[]", "unsupported file extension")]
    public void RejectsInvalid(string path, string content, string expected)
    {
        var e = Assert.Throws<FormatException>(() => FileSdReader.Parse(path, content));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyYamlFileHasNoGroups() => Assert.Empty(FileSdReader.Parse("/sd/a.yml", ""));
}
