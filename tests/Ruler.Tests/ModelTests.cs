using MetricsCluster.Ruler.RuleFiles;
using Xunit;

namespace MetricsCluster.Ruler.Tests;

public sealed class ModelTests
{
    [Fact]
    public void Recording_rule_keeps_its_labels_sorted_by_name()
    {
        var rule = Rule.Recording("job:up:sum", "sum by (job) (up)", new("z", "1"), new("a", "2"));
        Assert.Equal(["a", "z"], rule.Labels.Select(l => l.Key));
        Assert.False(rule.IsAlert);
        Assert.Equal("job:up:sum", rule.Name);
    }
}
