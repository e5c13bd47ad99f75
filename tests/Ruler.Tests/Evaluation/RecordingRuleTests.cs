using MetricsCluster.Core;
using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.RuleFiles;
using Xunit;

namespace MetricsCluster.Ruler.Tests.Evaluation;

public sealed class RecordingRuleTests
{
    private static readonly Labels A = Labels.FromStrings("__name__", "up", "instance", "a", "job", "j");
    private static readonly Labels B = Labels.FromStrings("__name__", "up", "instance", "b", "job", "j");

    [Fact]
    public async Task Output_is_renamed_and_relabelled_and_a_later_rule_reads_an_earlier_rules_output()
    {
        using var h = new GroupHarness();
        h.Storage.Add(A, 9_990_000, 1);
        h.Storage.Add(B, 9_990_000, 0);
        var group = GroupHarness.Group(
            Rule.Recording("job:up:sum", "sum by (job) (up)", new("team", "infra"), new("job", "")),
            Rule.Recording("job:up:double", "job:up:sum * 2"));
        var runtime = new GroupRuntime(group, "f", h.Services);

        await runtime.EvaluateAsync(10_000_000, 0, CancellationToken.None);

        var sum = Assert.Single(h.WrittenAt(10_000_000, "job:up:sum"));
        Assert.Equal(Labels.FromStrings("__name__", "job:up:sum", "team", "infra"), sum.Labels);
        Assert.Equal(1, sum.Value);
        var doubled = Assert.Single(h.WrittenAt(10_000_000, "job:up:double"));
        Assert.Equal(2, doubled.Value);
        Assert.All(runtime.Rules, r => Assert.Equal(RuleHealth.Good, r.Health));
    }

    [Fact]
    public async Task Series_that_disappear_get_a_stale_marker_at_the_next_evaluation()
    {
        using var h = new GroupHarness(new RulerOptions { EvaluationInterval = TimeSpan.FromMinutes(1) });
        h.Storage.Add(A, 9_990_000, 1);
        h.Storage.Add(B, 9_990_000, 1);
        var runtime = new GroupRuntime(GroupHarness.Group(Rule.Recording("r", "up == 1")), "f", h.Services);
        await runtime.EvaluateAsync(10_000_000, 0, CancellationToken.None);
        Assert.Equal(2, h.WrittenAt(10_000_000, "r").Count);

        h.Storage.Add(A, 10_050_000, 1);
        h.Storage.Add(B, 10_050_000, 0);
        await runtime.EvaluateAsync(10_060_000, 0, CancellationToken.None);

        var at = h.WrittenAt(10_060_000, "r");
        Assert.Equal(2, at.Count);
        Assert.Equal(1, at.Single(s => s.Labels.Get("instance") == "a").Value);
        Assert.True(StaleMarker.Is(at.Single(s => s.Labels.Get("instance") == "b").Value));
    }

    [Fact]
    public async Task Duplicate_label_sets_and_the_group_limit_make_the_rule_unhealthy_and_write_nothing()
    {
        using var h = new GroupHarness();
        h.Storage.Add(A, 9_990_000, 1);
        h.Storage.Add(B, 9_990_000, 1);
        var dup = Rule.Recording("r", "up", new KeyValuePair<string, string>("instance", "x"));
        var runtime = new GroupRuntime(GroupHarness.Group(dup), "f", h.Services);
        await runtime.EvaluateAsync(10_000_000, 0, CancellationToken.None);
        Assert.Equal(RuleHealth.Bad, runtime.Rules[0].Health);
        Assert.Equal("vector contains metrics with the same labelset after applying rule labels", runtime.Rules[0].LastError);
        Assert.Empty(h.Written);

        var limited = new TenantRuleGroup("t1", "ns", new RuleGroup("g", null, 1, null, [Rule.Recording("r", "up")], []));
        var runtime2 = new GroupRuntime(limited, "f", h.Services);
        await runtime2.EvaluateAsync(10_000_000, 0, CancellationToken.None);
        Assert.Equal("exceeded limit of 1 with 2 series", runtime2.Rules[0].LastError);
        Assert.Empty(h.Written);
    }

    [Fact]
    public async Task A_query_error_is_the_rules_last_error_and_counted()
    {
        using var h = new GroupHarness();
        var runtime = new GroupRuntime(GroupHarness.Group(Rule.Recording("r", "{__name__=~\".+\"} + on() {__name__=~\".+\"}")), "f", h.Services);
        h.Storage.Add(A, 9_990_000, 1);
        h.Storage.Add(B, 9_990_000, 1);
        await runtime.EvaluateAsync(10_000_000, 0, CancellationToken.None);
        Assert.Equal(RuleHealth.Bad, runtime.Rules[0].Health);
        Assert.Contains("many-to-many", runtime.Rules[0].LastError, StringComparison.Ordinal);
        Assert.Equal(1, h.Metrics.EvaluationFailures.WithLabels("t1", "ns;g").Value);
    }

    [Fact]
    public async Task A_refused_write_is_the_rules_last_error()
    {
        using var h = new GroupHarness();
        h.Storage.Add(A, 9_990_000, 1);
        h.FailWrites = _ => new RuleWriteException(400, "err-mimir-too-many-series");
        var runtime = new GroupRuntime(GroupHarness.Group(Rule.Recording("r", "up")), "f", h.Services);
        await runtime.EvaluateAsync(10_000_000, 0, CancellationToken.None);
        Assert.Equal("err-mimir-too-many-series", runtime.Rules[0].LastError);
    }
}
