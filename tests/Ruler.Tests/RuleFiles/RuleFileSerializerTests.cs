using MetricsCluster.Ruler.RuleFiles;
using Xunit;

namespace MetricsCluster.Ruler.Tests.RuleFiles;

public sealed class RuleFileSerializerTests
{
    private static readonly RuleGroup s_full = new(
        "api",
        TimeSpan.FromMinutes(90),
        10,
        TimeSpan.Zero,
        [
            Rule.Recording("job:up:sum", "sum by (job) (up)", KeyValuePair.Create("team", "a")),
            new Rule(null, "Down", "up == 0\nand on() vector(1)\n", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30),
                [KeyValuePair.Create("severity", "page")], [KeyValuePair.Create("summary", "{instance} is down")]),
        ],
        ["t1", "t2"]);

    [Fact]
    public void A_group_is_written_with_prometheus_field_names_and_order_and_empty_fields_left_out()
    {
        Assert.Equal(
            """
            name: api
            interval: 1h30m
            query_offset: 0s
            limit: 10
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
                labels:
                  team: a
              - alert: Down
                expr: |
                  up == 0
                  and on() vector(1)
                for: 5m
                keep_firing_for: 30s
                labels:
                  severity: page
                annotations:
                  summary: '{instance} is down'
            source_tenants:
              - t1
              - t2

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            RuleFileSerializer.ToYaml(s_full));
        Assert.Equal("name: g\nrules: []\n", RuleFileSerializer.ToYaml(new RuleGroup("g", [])));
    }

    public static TheoryData<RuleGroup> Groups => new()
    {
        s_full,
        new RuleGroup("g", null, 0, null, [Rule.Recording("a", "up")], []),
        new RuleGroup("strings YAML would misread", [
            new Rule(null, "true", "1.5", TimeSpan.Zero, TimeSpan.Zero,
                [KeyValuePair.Create("empty", ""), KeyValuePair.Create("null", "null"), KeyValuePair.Create("quote", "it's \"x\""), KeyValuePair.Create("tilde", "~"), KeyValuePair.Create("unicode", "ü ✓"), KeyValuePair.Create("yes", "yes")],
                Rule.Sorted([KeyValuePair.Create("colon", "a: b"), KeyValuePair.Create("hash", "# not a comment"), KeyValuePair.Create("lead", " spaced "), KeyValuePair.Create("trailing", "line \nnext"),
                    KeyValuePair.Create("indented", "  first\nsecond\n"), KeyValuePair.Create("newlines", "a\n\n\n"), KeyValuePair.Create("nofinal", "a\nb")])),
        ]),
    };

    [Theory]
    [MemberData(nameof(Groups))]
    public void What_is_written_reads_back_the_same(RuleGroup group)
    {
        string yaml = RuleFileSerializer.ToYaml(group);
        Assert.Equal(group, RuleFileParser.ParseGroup(yaml).Group);

        var file = RuleFileParser.ParseFile(RuleFileSerializer.ToRuleFile([group, group with { Name = "second" }]));
        Assert.Equal([group, group with { Name = "second" }], file.Groups);
    }

    [Fact]
    public void Namespaces_map_to_their_groups_sorted_and_no_group_is_an_empty_map()
    {
        Assert.Equal("{}\n", RuleFileSerializer.ToNamespaceYaml([]));
        string yaml = RuleFileSerializer.ToNamespaceYaml(
        [
            new TenantRuleGroup("t", "b/ns", new RuleGroup("z", [Rule.Recording("a", "up")])),
            new TenantRuleGroup("t", "a", new RuleGroup("y", [Rule.Recording("b", "up")])),
            new TenantRuleGroup("t", "b/ns", new RuleGroup("x", [Rule.Recording("c", "up")])),
        ]);

        Assert.Equal(
            """
            a:
              - name: y
                rules:
                  - record: b
                    expr: up
            b/ns:
              - name: x
                rules:
                  - record: c
                    expr: up
              - name: z
                rules:
                  - record: a
                    expr: up

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            yaml);
    }
}
