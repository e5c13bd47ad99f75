namespace MetricsCluster.Agent.Relabel;

/// <summary>The relabel actions of Prometheus' model/relabel, spelled in YAML in lower case.</summary>
public enum RelabelAction
{
    /// <summary>Sets <c>target_label</c> to the expanded <c>replacement</c> when the regex matches.</summary>
    Replace,

    /// <summary>Drops the set when the joined source values do not match.</summary>
    Keep,

    /// <summary>Drops the set when the joined source values match.</summary>
    Drop,

    /// <summary>Drops the set when the joined source values differ from <c>target_label</c>'s value.</summary>
    KeepEqual,

    /// <summary>Drops the set when the joined source values equal <c>target_label</c>'s value.</summary>
    DropEqual,

    /// <summary>Sets <c>target_label</c> to md5(joined values) mod <c>modulus</c>.</summary>
    HashMod,

    /// <summary>Copies every label whose name matches to the name given by <c>replacement</c>.</summary>
    LabelMap,

    /// <summary>Removes every label whose name matches.</summary>
    LabelDrop,

    /// <summary>Removes every label whose name does not match.</summary>
    LabelKeep,

    /// <summary>Sets <c>target_label</c> to the joined values in lower case.</summary>
    Lowercase,

    /// <summary>Sets <c>target_label</c> to the joined values in upper case.</summary>
    Uppercase,
}

/// <summary>Parsing and printing of <see cref="RelabelAction"/> in Prometheus' spelling.</summary>
public static class RelabelActions
{
    private static readonly Dictionary<string, RelabelAction> s_byName = new(StringComparer.Ordinal)
    {
        ["replace"] = RelabelAction.Replace,
        ["keep"] = RelabelAction.Keep,
        ["drop"] = RelabelAction.Drop,
        ["keepequal"] = RelabelAction.KeepEqual,
        ["dropequal"] = RelabelAction.DropEqual,
        ["hashmod"] = RelabelAction.HashMod,
        ["labelmap"] = RelabelAction.LabelMap,
        ["labeldrop"] = RelabelAction.LabelDrop,
        ["labelkeep"] = RelabelAction.LabelKeep,
        ["lowercase"] = RelabelAction.Lowercase,
        ["uppercase"] = RelabelAction.Uppercase,
    };

    /// <summary>Parses an action name case-insensitively, as Prometheus' Action.UnmarshalYAML does.</summary>
    public static bool TryParse(string s, out RelabelAction action) =>
        s_byName.TryGetValue(s.ToLowerInvariant(), out action);

    /// <summary>The YAML spelling (<c>labelmap</c>, <c>hashmod</c>, ...).</summary>
    public static string Name(this RelabelAction action) => action.ToString().ToLowerInvariant();
}
