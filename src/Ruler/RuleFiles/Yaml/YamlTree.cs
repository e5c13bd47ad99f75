using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MetricsCluster.Ruler.RuleFiles.Yaml;

/// <summary>
/// Reads the first YAML document of a text into a <see cref="YNode"/> tree with positions. We read YamlDotNet's event
/// stream ourselves, rather than its representation model, because that model rejects duplicate keys by throwing,
/// while Prometheus (yaml.v3) reports them among the other decoding errors, and because it drops the tag resolution
/// of plain scalars that yaml.v3's messages quote (<c>cannot unmarshal !!str `x` into int</c>).
/// </summary>
internal static class YamlTree
{
    /// <summary>
    /// Parses <paramref name="text"/>; returns the root node (null for an empty document), or throws
    /// <see cref="YamlSyntaxException"/> with the line of a syntax error. Later documents are ignored, as
    /// Prometheus' rule loader ignores them.
    /// </summary>
    public static YNode? Parse(string text)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            if (parser.Accept<DocumentEnd>(out _))
            {
                return null;
            }

            return ReadNode(parser, anchors);
        }
        catch (YamlException e)
        {
            throw new YamlSyntaxException(e.Start.Line, TrimLocation(e.Message), e);
        }
    }

    private static YNode ReadNode(IParser parser, Dictionary<string, YNode> anchors)
    {
        var ev = parser.Consume<ParsingEvent>();
        YNode node = ev switch
        {
            AnchorAlias alias => anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value.Value}' referenced"),
            Scalar s => new YScalar(Pos(s.Start), s.Value, ScalarTags.Resolve(s)),
            SequenceStart => ReadSequence(parser, anchors, Pos(ev.Start)),
            MappingStart => ReadMapping(parser, anchors, Pos(ev.Start)),
            _ => throw new YamlException(ev.Start, ev.End, $"unexpected {ev.GetType().Name}"),
        };
        if (ev is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            anchors[anchored.Anchor.Value] = node;
        }

        return node;
    }

    private static YSequence ReadSequence(IParser parser, Dictionary<string, YNode> anchors, YPos pos)
    {
        var items = new List<YNode>();
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            items.Add(ReadNode(parser, anchors));
        }

        return new YSequence(pos, items);
    }

    private static YMapping ReadMapping(IParser parser, Dictionary<string, YNode> anchors, YPos pos)
    {
        var pairs = new List<KeyValuePair<YNode, YNode>>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = ReadNode(parser, anchors);
            pairs.Add(new(key, ReadNode(parser, anchors)));
        }

        return new YMapping(pos, pairs);
    }

    // YamlDotNet's marks are 1-based, as yaml.v3's node lines and columns are.
    private static YPos Pos(Mark m) => new((int)m.Line, (int)m.Column);

    // YamlDotNet prefixes "(Line: 3, Col: 8, Idx: 40) - (Line: ...): "; the line is reported separately.
    private static string TrimLocation(string message)
    {
        int i = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && i >= 0 ? message[(i + 3)..] : message;
    }
}

/// <summary>A YAML syntax error: the text is not YAML at all (as opposed to YAML of the wrong shape).</summary>
internal sealed class YamlSyntaxException(long line, string reason, Exception inner)
    : Exception($"yaml: line {line}: {reason}", inner);
