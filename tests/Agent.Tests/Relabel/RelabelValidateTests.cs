using MetricsCluster.Agent.Relabel;
using Xunit;

namespace MetricsCluster.Agent.Tests.Relabel;

/// <summary>Prometheus' TestRelabelValidate and TestTargetLabelValidity, plus every per-action rule of Validate.</summary>
public sealed class RelabelValidateTests
{
    public static TheoryData<RelabelConfig, string?> Cases => new()
    {
        { new RelabelConfig { Action = RelabelAction.Replace }, "requires 'target_label' value" },
        { new RelabelConfig { Action = RelabelAction.Lowercase }, "requires 'target_label' value" },
        { new RelabelConfig { Action = RelabelAction.Lowercase, TargetLabel = "${3}" }, "\"${3}\" is invalid 'target_label'" },
        { new RelabelConfig { Action = RelabelAction.Replace, SourceLabels = ["a"], Regex = "some-([^-]+)-([^,]+)", Replacement = "${1}", TargetLabel = "${3}" }, null },
        { new RelabelConfig { Action = RelabelAction.Replace, SourceLabels = ["a"], Regex = "some-([^-]+)-([^,]+)", Replacement = "${1}", TargetLabel = "0${3}" }, "\"0${3}\" is invalid 'target_label'" },
        { new RelabelConfig { Action = RelabelAction.Replace, SourceLabels = ["a"], Regex = "some-([^-]+)-([^,]+)", Replacement = "${1}", TargetLabel = "-${3}" }, "\"-${3}\" is invalid 'target_label' for replace action" },
        { new RelabelConfig { Action = RelabelAction.Replace, TargetLabel = "a-b" }, "\"a-b\" is invalid 'target_label' for replace action" },
        // The target-label check has nested quantifiers: a backtracking engine never finishes on this one.
        { new RelabelConfig { Action = RelabelAction.Replace, TargetLabel = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-" }, "is invalid 'target_label' for replace action" },
        { new RelabelConfig { Action = RelabelAction.HashMod, TargetLabel = "t" }, "hashmod requires non-zero modulus" },
        { new RelabelConfig { Action = RelabelAction.HashMod, TargetLabel = "t$1", Modulus = 2 }, "is invalid 'target_label' for hashmod action" },
        { new RelabelConfig { Action = RelabelAction.HashMod, TargetLabel = "t", Modulus = 2 }, null },
        { new RelabelConfig { Action = RelabelAction.Uppercase, TargetLabel = "t", Replacement = "x" }, "'replacement' can not be set for uppercase action" },
        { new RelabelConfig { Action = RelabelAction.KeepEqual, TargetLabel = "t", Regex = "x" }, "keepequal action requires only 'source_labels' and `target_label`" },
        { new RelabelConfig { Action = RelabelAction.DropEqual, TargetLabel = "t", Separator = "," }, "dropequal action requires only" },
        { new RelabelConfig { Action = RelabelAction.LabelMap, Replacement = "-x" }, "\"-x\" is invalid 'replacement' for labelmap action" },
        { new RelabelConfig { Action = RelabelAction.LabelMap, Regex = "__meta_(.+)" }, null },
        { new RelabelConfig { Action = RelabelAction.LabelDrop, Regex = "x", SourceLabels = ["a"] }, "labeldrop action requires only 'regex', and no other fields" },
        { new RelabelConfig { Action = RelabelAction.LabelKeep, Regex = "x", TargetLabel = "a" }, "labelkeep action requires only 'regex'" },
        { new RelabelConfig { Action = RelabelAction.LabelKeep, Regex = "x", Replacement = "y" }, "labelkeep action requires only 'regex'" },
        { new RelabelConfig { Action = RelabelAction.Keep, Regex = "(a" }, "invalid regular expression" },
        { new RelabelConfig { Action = RelabelAction.Keep, Regex = "a(?=b)" }, "not supported by RE2" },
        { new RelabelConfig { Action = RelabelAction.Keep, Regex = @"(a)\1" }, "is not supported" },
        { new RelabelConfig { Action = RelabelAction.Keep, Regex = "a{1001}" }, "at most 1000" },
        { new RelabelConfig { Action = RelabelAction.Keep, Regex = "(?U)a+" }, "ungreedy" },
        { new RelabelConfig { Action = RelabelAction.Keep, Regex = @"a\Z" }, "is not supported" },
        { new RelabelConfig { Action = RelabelAction.Keep, Regex = @"\p{Greek}" }, "only general categories" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate(RelabelConfig config, string? expectedError)
    {
        if (expectedError is null)
        {
            config.Validate();
            return;
        }

        var e = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Contains(expectedError, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-label", false)]
    [InlineData("label", true)]
    [InlineData("label${1}", true)]
    [InlineData("${1}label", true)]
    [InlineData("${1}", true)]
    [InlineData("${", false)]
    [InlineData("$", false)]
    [InlineData("${}", false)]
    [InlineData("foo${", false)]
    [InlineData("$1", true)]
    [InlineData("asd$2asd", true)]
    [InlineData("-foo${1}bar-", false)]
    [InlineData("_${1}_", true)]
    [InlineData("foo${bar}foo", true)]
    public void TargetLabelValidity(string target, bool valid)
    {
        var cfg = new RelabelConfig { Action = RelabelAction.Replace, TargetLabel = target };
        if (valid)
        {
            cfg.Validate();
        }
        else
        {
            Assert.Throws<ArgumentException>(cfg.Validate);
        }
    }
}
