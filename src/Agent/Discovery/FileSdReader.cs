using System.Text.Json;
using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Relabel;
using MetricsCluster.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MetricsCluster.Agent.Discovery;

/// <summary>
/// Reads one file_sd file (Prometheus' discovery/file readFile): a JSON or YAML list of <c>{targets, labels}</c>
/// groups. Each group's source is <c>path:index</c> and it gets <c>__meta_filepath</c>. JSON ignores unknown
/// fields (Go's json.Unmarshal), YAML rejects them (yaml.UnmarshalStrict).
/// </summary>
public static class FileSdReader
{
    /// <summary>The label holding the file a target came from.</summary>
    public const string FilePathLabel = "__meta_filepath";

    /// <summary>Parses <paramref name="content"/>, the text of <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">The content is invalid; the message says why and where.</exception>
    public static List<TargetGroup> Parse(string path, string content)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".json" => ParseJson(path, content),
            ".yml" or ".yaml" => ParseYaml(path, content),
            _ => throw new FormatException($"{path}: unsupported file extension \"{ext}\" (want .json, .yml or .yaml)"),
        };
    }

    private static List<TargetGroup> ParseJson(string path, string content)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(content);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: invalid JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{path}: expected a JSON list of target groups");
            }

            var groups = new List<TargetGroup>();
            int i = 0;
            foreach (var g in doc.RootElement.EnumerateArray())
            {
                groups.Add(JsonGroup(path, i++, g));
            }

            return groups;
        }
    }

    private static TargetGroup JsonGroup(string path, int index, JsonElement g)
    {
        if (g.ValueKind == JsonValueKind.Null)
        {
            throw new FormatException($"{path}: nil target group item found (index {index})");
        }

        if (g.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: group {index}: expected an object");
        }

        var targets = new List<Labels>();
        if (g.TryGetProperty("targets", out var ts) && ts.ValueKind != JsonValueKind.Null)
        {
            foreach (var t in ts.ValueKind == JsonValueKind.Array ? ts.EnumerateArray() : throw new FormatException($"{path}: group {index}: targets must be a list"))
            {
                targets.Add(Labels.FromStrings(TargetGroup.AddressLabel, t.ValueKind == JsonValueKind.String ? t.GetString()! : throw new FormatException($"{path}: group {index}: targets must be strings")));
            }
        }

        var labels = new LabelsBuilder();
        if (g.TryGetProperty("labels", out var ls) && ls.ValueKind != JsonValueKind.Null)
        {
            foreach (var p in ls.ValueKind == JsonValueKind.Object ? ls.EnumerateObject() : throw new FormatException($"{path}: group {index}: labels must be an object"))
            {
                if (!LabelNames.IsValid(p.Name))
                {
                    throw new FormatException($"{path}: group {index}: \"{p.Name}\" is not a valid label name");
                }

                labels.Set(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new FormatException($"{path}: group {index}: label values must be strings"));
            }
        }

        labels.Set(FilePathLabel, path);
        return new TargetGroup($"{path}:{index}", targets, labels.Build());
    }

    private static List<TargetGroup> ParseYaml(string path, string content)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(content));
        }
        catch (YamlException e)
        {
            throw new FormatException($"{path}: line {e.Start.Line}: invalid YAML: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // YamlDotNet throws these instead of a YamlException on some malformed input (an unclosed
            // flow sequence followed by more block content), found by tests/Fuzz (G19).
            throw new FormatException($"{path}: invalid YAML: {e.Message}", e);
        }

        if (stream.Documents.Count == 0 || YamlMap.IsNull(stream.Documents[0].RootNode))
        {
            return [];
        }

        if (stream.Documents[0].RootNode is not YamlSequenceNode seq)
        {
            throw new FormatException($"{path}: expected a YAML list of target groups");
        }

        var groups = new List<TargetGroup>();
        try
        {
            for (int i = 0; i < seq.Children.Count; i++)
            {
                if (YamlMap.IsNull(seq.Children[i]))
                {
                    throw new FormatException($"{path}: nil target group item found (index {i})");
                }

                var map = YamlMap.Of(seq.Children[i], $"[{i}]");
                groups.Add(StaticConfigReader.ReadGroup(map, $"{path}:{i}", [new(FilePathLabel, path)]));
            }
        }
        catch (ConfigException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }

        return groups;
    }
}
