using MetricsCluster.Ruler.Templating.Go;
using MetricsCluster.Ruler.RuleFiles.Yaml;

namespace MetricsCluster.Ruler.RuleFiles.Parsing;

/// <summary>The walk over mappings and sequences, with yaml.v3's shape errors.</summary>
internal sealed partial class RuleYamlDecoder
{
    // A struct: each key is a field; the handler returns false for a key it does not know.
    private void ForEachField(YNode? node, string goType, Func<string, YNode, bool> field) =>
        ForEachPair(node, goType, (key, value) =>
        {
            string name = key is YScalar s ? s.Value : string.Empty;
            if (!field(name, value) && _strict)
            {
                _shapeErrors.Add($"line {key.Pos.Line}: field {name} not found in type {goType}");
            }
        });

    private void ForEachPair(YNode? node, string goType, Action<YNode, YNode> pair)
    {
        if (node is null or YScalar { IsNull: true })
        {
            return;
        }

        if (node is not YMapping map)
        {
            TypeError(node, goType);
            return;
        }

        // yaml.v3 checks a mapping's keys for duplicates first and, if any, decodes none of it.
        if (ReportDuplicateKeys(map))
        {
            return;
        }

        foreach (var p in map.Pairs)
        {
            pair(p.Key, p.Value);
        }
    }

    private void ForEachItem(YNode? node, string goType, Action<YNode> item)
    {
        if (node is null or YScalar { IsNull: true })
        {
            return;
        }

        if (node is not YSequence seq)
        {
            TypeError(node, goType);
            return;
        }

        foreach (var i in seq.Items)
        {
            item(i);
        }
    }

    private bool ReportDuplicateKeys(YMapping map)
    {
        int before = _shapeErrors.Count;
        for (int i = 0; i < map.Pairs.Count; i++)
        {
            for (int j = i + 1; j < map.Pairs.Count; j++)
            {
                if (map.Pairs[i].Key is YScalar a && map.Pairs[j].Key is YScalar b && a.Value == b.Value)
                {
                    _shapeErrors.Add($"line {b.Pos.Line}: mapping key {GoText.Quote(b.Value)} already defined at line {a.Pos.Line}");
                }
            }
        }

        return _shapeErrors.Count > before;
    }

    // yaml.v3's terror: scalars are quoted in backticks, cut to 7 characters and "..." past 10.
    private void TypeError(YNode node, string goType)
    {
        string value = node is YScalar s
            ? s.Value.Length > 10 ? $" `{s.Value[..7]}...`" : $" `{s.Value}`"
            : string.Empty;
        _shapeErrors.Add($"line {node.Pos.Line}: cannot unmarshal {node.Tag}{value} into {goType}");
    }
}
