namespace MetricsCluster.Ruler.RuleFiles.Yaml;

/// <summary>A position in a YAML text, 1-based (yaml.v3's <c>Node.Line</c>/<c>Node.Column</c>); 0:0 means "absent".</summary>
internal readonly record struct YPos(int Line, int Column)
{
    /// <summary>The position of a field that is not in the text: Go's zero <c>yaml.Node</c>.</summary>
    public static YPos None => default;

    /// <inheritdoc/>
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>A node of a parsed YAML document.</summary>
internal abstract record YNode(YPos Pos)
{
    /// <summary>yaml.v3's short tag of the node (<c>!!str</c>, <c>!!int</c>, <c>!!map</c>, ...), as its errors quote it.</summary>
    public abstract string Tag { get; }
}

/// <summary>A scalar, with its text as written (yaml.v3's <c>Node.Value</c>) and its resolved tag.</summary>
internal sealed record YScalar(YPos Pos, string Value, string ResolvedTag) : YNode(Pos)
{
    /// <inheritdoc/>
    public override string Tag => ResolvedTag;

    /// <summary>Whether the scalar is YAML's null (<c>~</c>, <c>null</c> or nothing), which decodes to a zero value.</summary>
    public bool IsNull => ResolvedTag == ScalarTags.Null;
}

/// <summary>A sequence.</summary>
internal sealed record YSequence(YPos Pos, IReadOnlyList<YNode> Items) : YNode(Pos)
{
    /// <inheritdoc/>
    public override string Tag => "!!seq";
}

/// <summary>A mapping, its pairs in text order (duplicates kept, so the decoder can report them).</summary>
internal sealed record YMapping(YPos Pos, IReadOnlyList<KeyValuePair<YNode, YNode>> Pairs) : YNode(Pos)
{
    /// <inheritdoc/>
    public override string Tag => "!!map";
}
