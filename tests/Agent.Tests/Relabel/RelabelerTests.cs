using MetricsCluster.Agent.Relabel;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Relabel;

/// <summary>Prometheus' model/relabel/relabel_test.go TestRelabel, ported case by case, plus our own rows.</summary>
public sealed class RelabelerTests
{
    private static Labels L(params string[] kv) => Labels.FromStrings(kv);

    private static RelabelConfig R(
        RelabelAction action, string[]? src = null, string regex = RelabelConfig.DefaultRegex, string target = "",
        string replacement = RelabelConfig.DefaultReplacement, ulong modulus = 0, string separator = ";") =>
        new()
        {
            Action = action, SourceLabels = src, Regex = regex, TargetLabel = target, Replacement = replacement,
            Modulus = modulus, Separator = separator,
        };

    public static TheoryData<string, Labels, RelabelConfig[], Labels?> Cases => new()
    {
        {
            "prom: replace with ${1}", L("a", "foo", "b", "bar", "c", "baz"),
            [R(RelabelAction.Replace, ["a"], "f(.*)", "d", "ch${1}-ch${1}")],
            L("a", "foo", "b", "bar", "c", "baz", "d", "choo-choo")
        },
        {
            "prom: chained replaces", L("a", "foo", "b", "bar", "c", "baz"),
            [
                R(RelabelAction.Replace, ["a", "b"], "f(.*);(.*)r", "a", "b${1}${2}m"),
                R(RelabelAction.Replace, ["c", "a"], "(b).*b(.*)ba(.*)", "d", "$1$2$2$3"),
            ],
            L("a", "boobam", "b", "bar", "c", "baz", "d", "boooom")
        },
        {
            "prom: drop before replace", L("a", "foo"),
            [R(RelabelAction.Drop, ["a"], ".*o.*"), R(RelabelAction.Replace, ["a"], "f(.*)", "d", "ch$1-ch$1")],
            null
        },
        { "prom: drop", L("a", "foo", "b", "bar"), [R(RelabelAction.Drop, ["a"], ".*o.*")], null },
        { "prom: replace inner group", L("a", "abc"), [R(RelabelAction.Replace, ["a"], ".*(b).*", "d", "$1")], L("a", "abc", "d", "b") },
        { "prom: drop no match", L("a", "foo"), [R(RelabelAction.Drop, ["a"], "no-match")], L("a", "foo") },
        { "prom: drop is anchored", L("a", "foo"), [R(RelabelAction.Drop, ["a"], "f|o")], L("a", "foo") },
        { "prom: keep no match", L("a", "foo"), [R(RelabelAction.Keep, ["a"], "no-match")], null },
        { "prom: keep match", L("a", "foo"), [R(RelabelAction.Keep, ["a"], "f.*")], L("a", "foo") },
        { "prom: no replacement without match", L("a", "boo"), [R(RelabelAction.Replace, ["a"], "f", "b", "bar")], L("a", "boo") },
        {
            "prom: hashmod", L("a", "foo", "b", "bar", "c", "baz"), [R(RelabelAction.HashMod, ["c"], target: "d", modulus: 1000)],
            L("a", "foo", "b", "bar", "c", "baz", "d", "976")
        },
        {
            "prom: hashmod newline", L("a", "foo\nbar"), [R(RelabelAction.HashMod, ["a"], target: "b", modulus: 1000)],
            L("a", "foo\nbar", "b", "734")
        },
        {
            "prom: labelmap", L("a", "foo", "b1", "bar", "b2", "baz"), [R(RelabelAction.LabelMap, regex: "(b.*)", replacement: "bar_${1}")],
            L("a", "foo", "b1", "bar", "b2", "baz", "bar_b1", "bar", "bar_b2", "baz")
        },
        {
            "prom: labelmap meta", L("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc"),
            [R(RelabelAction.LabelMap, regex: "__meta_(my.*)", replacement: "${1}")],
            L("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc", "my_bar", "aaa", "my_baz", "bbb")
        },
        {
            "prom: target from group", L("a", "some-name-value"),
            [R(RelabelAction.Replace, ["a"], "some-([^-]+)-([^,]+)", "${1}", "${2}")],
            L("a", "some-name-value", "name", "value")
        },
        {
            "prom: unknown group replacement is empty", L("a", "some-name-value"),
            [R(RelabelAction.Replace, ["a"], "some-([^-]+)-([^,]+)", "${1}", "${3}")],
            L("a", "some-name-value")
        },
        {
            "prom: invalid target labels", L("a", "some-name-0"),
            [
                R(RelabelAction.Replace, ["a"], "some-([^-]+)-([^,]+)", "${3}", "${1}"),
                R(RelabelAction.Replace, ["a"], "some-([^-]+)-([^,]+)", "${3}", "${1}"),
                R(RelabelAction.Replace, ["a"], "some-([^-]+)(-[^,]+)", "${3}", "${1}"),
            ],
            L("a", "some-name-0")
        },
        {
            "prom: real-life tags", L("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"),
            [
                R(RelabelAction.Replace, ["__meta_sd_tags"], "(?:.+,|^)path:(/[^,]+).*", "__metrics_path__", "${1}"),
                R(RelabelAction.Replace, ["__meta_sd_tags"], "(?:.+,|^)job:([^,]+).*", "job", "${1}"),
                R(RelabelAction.Replace, ["__meta_sd_tags"], "(?:.+,|^)label:([^=]+)=([^,]+).*", "${1}", "${2}"),
            ],
            L("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar", "__metrics_path__", "/secret", "job", "some-job", "foo", "bar")
        },
        {
            "prom: issue 12283", L("__meta_kubernetes_pod_container_port_name", "foo", "__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"),
            [
                R(RelabelAction.LabelDrop, regex: "^__meta_kubernetes_pod_container_port_name$"),
                R(RelabelAction.Replace, ["__meta_kubernetes_pod_annotation_XXX_metrics_port"], "(.+)", "__meta_kubernetes_pod_container_port_name", "metrics"),
                R(RelabelAction.Keep, ["__meta_kubernetes_pod_container_port_name"], "^metrics$"),
            ],
            L("__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091", "__meta_kubernetes_pod_container_port_name", "metrics")
        },
        { "prom: labelkeep", L("a", "foo", "b1", "bar", "b2", "baz"), [R(RelabelAction.LabelKeep, regex: "(b.*)")], L("b1", "bar", "b2", "baz") },
        { "prom: labeldrop", L("a", "foo", "b1", "bar", "b2", "baz"), [R(RelabelAction.LabelDrop, regex: "(b.*)")], L("a", "foo") },
        {
            "prom: upper and lower", L("foo", "bAr123Foo"),
            [R(RelabelAction.Uppercase, ["foo"], target: "foo_uppercase"), R(RelabelAction.Lowercase, ["foo"], target: "foo_lowercase")],
            L("foo", "bAr123Foo", "foo_lowercase", "bar123foo", "foo_uppercase", "BAR123FOO")
        },
        {
            "prom: keepequal equal", L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"),
            [R(RelabelAction.KeepEqual, ["__tmp_port"], target: "__port1")], L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678")
        },
        { "prom: dropequal equal", L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"), [R(RelabelAction.DropEqual, ["__tmp_port"], target: "__port1")], null },
        {
            "prom: dropequal differ", L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"),
            [R(RelabelAction.DropEqual, ["__tmp_port"], target: "__port2")], L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678")
        },
        { "prom: keepequal differ", L("__tmp_port", "1234", "__port1", "1234", "__port2", "5678"), [R(RelabelAction.KeepEqual, ["__tmp_port"], target: "__port2")], null },

        // Our rows: behaviour that follows from Go's regexp and labels.Builder.
        { "empty replacement deletes", L("a", "x", "b", "y"), [R(RelabelAction.Replace, ["a"], "x", "b", "")], L("a", "x") },
        { "fast path sets literal", L("a", "x"), [R(RelabelAction.Replace, ["missing"], target: "b", replacement: "lit")], L("a", "x", "b", "lit") },
        { "named group", L("a", "k=v"), [R(RelabelAction.Replace, ["a"], "(?P<key>[^=]+)=(?P<val>.*)", "${key}", "$val")], L("a", "k=v", "k", "v") },
        { "named group keeps Go numbering", L("a", "k=v"), [R(RelabelAction.Replace, ["a"], "(?P<key>[^=]+)=(.*)", "b", "$1-$2")], L("a", "k=v", "b", "k-v") },
        { "$1x is group 1x, so empty", L("a", "foo"), [R(RelabelAction.Replace, ["a"], "(.*)", "b", "$1x")], L("a", "foo") },
        { "$$ is a dollar", L("a", "foo"), [R(RelabelAction.Replace, ["a"], "(.*)", "b", "$$${1}")], L("a", "foo", "b", "$foo") },
        { "malformed ${ stays literal", L("a", "foo"), [R(RelabelAction.Replace, ["a"], "(.*)", "b", "${1")], L("a", "foo", "b", "${1") },
        { "$ is end of text not before newline", L("a", "foo\n"), [R(RelabelAction.Keep, ["a"], "foo$")], null },
        { "\\d is ASCII only", L("a", "\u0663"), [R(RelabelAction.Keep, ["a"], @"\d")], null },
        { "posix class", L("a", "abc"), [R(RelabelAction.Keep, ["a"], "[[:alpha:]]+")], L("a", "abc") },
        { "custom separator", L("a", "1", "b", "2"), [R(RelabelAction.Replace, ["a", "b"], target: "c", separator: "-")], L("a", "1", "b", "2", "c", "1-2") },
        { "missing source joins empty", L("a", "1"), [R(RelabelAction.Replace, ["a", "z"], "1;", "c", "ok")], L("a", "1", "c", "ok") },
        { "lowercase empty deletes target", L("a", "1", "t", "x"), [R(RelabelAction.Lowercase, ["z"], target: "t")], L("a", "1") },
        { "keep with no source matches empty string", L("a", "1"), [R(RelabelAction.Keep, regex: "")], L("a", "1") },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Process(string name, Labels input, RelabelConfig[] configs, Labels? expected)
    {
        foreach (var c in configs)
        {
            c.Validate();
        }

        var got = Relabeler.Process(input, configs);
        Assert.True(expected == got, $"{name}: expected {expected?.ToString() ?? "dropped"}, got {got?.ToString() ?? "dropped"}");
    }

    [Fact]
    public void HashModMatchesPrometheus()
    {
        // Values from relabel_test.go: md5 bytes 8..16 big-endian, mod 1000.
        Assert.Equal(976UL, Relabeler.HashMod("baz", 1000));
        Assert.Equal(734UL, Relabeler.HashMod("foo\nbar", 1000));
    }

    [Fact]
    public void ForReturnsIdentityWithoutRules()
    {
        var l = L("a", "b");
        Assert.Equal(l, Relabeler.For([])(l));
        Assert.Null(Relabeler.For([R(RelabelAction.Drop, ["a"], "b")])(l));
    }
}
