using System.Text.RegularExpressions;
using MetricsCluster.Core.Re2;

namespace MetricsCluster.Agent.Relabel;

/// <summary>
/// One relabel rule (Prometheus' relabel.Config). The defaults are Prometheus' DefaultRelabelConfig: action
/// replace, separator ";", regex "(.*)" (always fully anchored), replacement "$1". Call <see cref="Validate"/>
/// before use; the config parser does.
/// </summary>
public sealed class RelabelConfig
{
    /// <summary>The default regex pattern.</summary>
    public const string DefaultRegex = "(.*)";

    /// <summary>The default separator.</summary>
    public const string DefaultSeparator = ";";

    /// <summary>The default replacement.</summary>
    public const string DefaultReplacement = "$1";

    // Prometheus' relabelTarget: a label name that may contain $1 / ${name} references. Its nested quantifiers
    // backtrack exponentially on a long invalid target_label, so it runs linear-time as RE2 runs it in Prometheus.
    private static readonly Regex s_relabelTarget =
        new(@"\A(?:(?:[a-zA-Z_]|\$(?:\{[0-9A-Za-z_]+\}|[0-9A-Za-z_]+))+[0-9A-Za-z_]*)+\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    private Re2Regex? _compiled;

    /// <summary>Labels whose values are joined with <see cref="Separator"/>; null when not configured.</summary>
    public IReadOnlyList<string>? SourceLabels { get; init; }

    /// <summary>Goes between the joined source values.</summary>
    public string Separator { get; init; } = DefaultSeparator;

    /// <summary>The RE2 pattern, matched against the whole joined value.</summary>
    public string Regex { get; init; } = DefaultRegex;

    /// <summary>The modulus for <see cref="RelabelAction.HashMod"/>.</summary>
    public ulong Modulus { get; init; }

    /// <summary>The label written by replace, hashmod, lowercase, uppercase (and compared by keepequal/dropequal).</summary>
    public string TargetLabel { get; init; } = string.Empty;

    /// <summary>The template for replace and labelmap.</summary>
    public string Replacement { get; init; } = DefaultReplacement;

    /// <summary>What the rule does.</summary>
    public RelabelAction Action { get; init; } = RelabelAction.Replace;

    /// <summary>The compiled, anchored <see cref="Regex"/>.</summary>
    public Re2Regex CompiledRegex => _compiled ??= Re2Regex.CompileAnchored(Regex);

    /// <summary>Whether the regex is the default one (used by the replace fast path and validation).</summary>
    internal bool HasDefaultRegex => Regex == DefaultRegex;

    /// <summary>Checks the rule as Prometheus' relabel.Config.Validate does, and compiles the regex.</summary>
    /// <exception cref="ArgumentException">The message is Prometheus' wording.</exception>
    public void Validate()
    {
        _ = CompiledRegex;
        var a = Action;
        string name = a.Name();
        if (Modulus == 0 && a == RelabelAction.HashMod)
        {
            throw new ArgumentException("relabel configuration for hashmod requires non-zero modulus");
        }

        bool needsTarget = a is RelabelAction.Replace or RelabelAction.HashMod or RelabelAction.Lowercase or RelabelAction.Uppercase
            or RelabelAction.KeepEqual or RelabelAction.DropEqual;
        if (needsTarget && TargetLabel.Length == 0)
        {
            throw new ArgumentException($"relabel configuration for {name} action requires 'target_label' value");
        }

        bool targetOk = a == RelabelAction.Replace && TargetLabel.Contains('$')
            ? s_relabelTarget.IsMatch(TargetLabel)
            : LabelNames.IsValid(TargetLabel);
        if (needsTarget && !targetOk)
        {
            throw new ArgumentException($"\"{TargetLabel}\" is invalid 'target_label' for {name} action");
        }

        bool simple = a is RelabelAction.Lowercase or RelabelAction.Uppercase or RelabelAction.KeepEqual or RelabelAction.DropEqual;
        if (simple && Replacement != DefaultReplacement)
        {
            throw new ArgumentException($"'replacement' can not be set for {name} action");
        }

        if (a == RelabelAction.LabelMap && !s_relabelTarget.IsMatch(Replacement))
        {
            throw new ArgumentException($"\"{Replacement}\" is invalid 'replacement' for {name} action");
        }

        if (a is RelabelAction.KeepEqual or RelabelAction.DropEqual
            && (!HasDefaultRegex || Modulus != 0 || Separator != DefaultSeparator))
        {
            throw new ArgumentException($"{name} action requires only 'source_labels' and `target_label`, and no other fields");
        }

        if (a is RelabelAction.LabelDrop or RelabelAction.LabelKeep
            && (SourceLabels is not null || TargetLabel.Length != 0 || Modulus != 0 || Separator != DefaultSeparator
                || Replacement != DefaultReplacement))
        {
            throw new ArgumentException($"{name} action requires only 'regex', and no other fields");
        }
    }
}
