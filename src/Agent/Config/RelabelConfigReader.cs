using MetricsCluster.Agent.Relabel;
using YamlDotNet.RepresentationModel;

namespace MetricsCluster.Agent.Config;

/// <summary>Reads a list of relabel rules (<c>relabel_configs</c>, <c>metric_relabel_configs</c>, <c>write_relabel_configs</c>).</summary>
internal static class RelabelConfigReader
{
    public static List<RelabelConfig> ReadList(YamlMap parent, string key)
    {
        var result = new List<RelabelConfig>();
        var items = parent.List(key);
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"{YamlMap.Join(parent.Path, key)}[{i}]";
            if (YamlMap.IsNull(items[i]))
            {
                YamlMap.Fail(items[i], path, "empty or null relabeling rule");
            }

            result.Add(Read(YamlMap.Of(items[i], path)));
        }

        return result;
    }

    private static RelabelConfig Read(YamlMap m)
    {
        var src = m.StrList("source_labels");
        foreach (string name in src ?? [])
        {
            if (!LabelNames.IsValid(name))
            {
                m.Fail("source_labels", $"\"{name}\" is not a valid label name");
            }
        }

        var action = RelabelAction.Replace;
        if (m.Str("action") is { } a && !RelabelActions.TryParse(a, out action))
        {
            m.Fail("action", $"unknown relabel action \"{a}\"");
        }

        var cfg = new RelabelConfig
        {
            SourceLabels = src,
            Separator = m.Str("separator") ?? RelabelConfig.DefaultSeparator,
            Regex = m.Str("regex") ?? RelabelConfig.DefaultRegex,
            Modulus = m.UInt("modulus") ?? 0,
            TargetLabel = m.Str("target_label") ?? string.Empty,
            Replacement = m.Str("replacement") ?? RelabelConfig.DefaultReplacement,
            Action = action,
        };
        m.Done();
        try
        {
            cfg.Validate();
        }
        catch (ArgumentException e)
        {
            YamlNode at = m.Has("regex") && e.Message.StartsWith("invalid regular expression", StringComparison.Ordinal)
                ? m.Raw("regex")!
                : m.Node;
            YamlMap.Fail(at, m.Path, e.Message);
        }

        return cfg;
    }
}
