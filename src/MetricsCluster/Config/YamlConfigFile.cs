using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MetricsCluster.Config;

/// <summary>
/// Applies a YAML config file: nested mappings flatten to dotted keys (<c>server: {http_listen_port: 9009}</c>
/// is <c>server.http_listen_port</c>), each of which must be a known option. Errors name the key and line.
/// </summary>
public static class YamlConfigFile
{
    /// <summary>Reads <paramref name="path"/> into <paramref name="config"/>.</summary>
    public static void Apply(string path, ClusterConfig config)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException($"config.file: file not found: {path}");
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ConfigException($"config.file {path}: invalid YAML at line {e.Start.Line}: {e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // YamlDotNet throws these instead of a YamlException on some malformed input (an unclosed
            // flow mapping, a NUL character as a key), found by tests/Fuzz (G19).
            throw new ConfigException($"config.file {path}: invalid YAML: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException($"config.file {path}: the top level must be a mapping");
        }

        var byKey = ConfigOption.All.ToDictionary(o => o.YamlKey, StringComparer.Ordinal);
        foreach (var option in ConfigOption.All)
        {
            foreach (string alias in option.YamlAliases)
            {
                byKey.Add(alias, option);
            }
        }
        foreach (var (key, node) in Flatten(path, root, string.Empty))
        {
            if (!byKey.TryGetValue(key, out var option))
            {
                throw new ConfigException($"config.file {path}: unknown key \"{key}\" at line {node.Start.Line}");
            }

            if (node is not YamlScalarNode scalar)
            {
                throw new ConfigException($"config.file {path}: key \"{key}\" at line {node.Start.Line} must be a scalar value");
            }

            try
            {
                option.Set(config, scalar.Value ?? string.Empty);
            }
            catch (ConfigException e)
            {
                throw new ConfigException($"config.file {path} line {node.Start.Line}: {e.Message}");
            }
        }
    }

    private static IEnumerable<(string Key, YamlNode Node)> Flatten(string path, YamlMappingNode map, string prefix)
    {
        foreach (var (k, v) in map.Children)
        {
            // YAML allows complex keys ("? [a]"); option keys are always plain names.
            if (k is not YamlScalarNode scalarKey)
            {
                throw new ConfigException($"config.file {path}: the key at line {k.Start.Line} must be a plain name, not a {k.NodeType}");
            }

            string key = prefix + scalarKey.Value;
            if (v is YamlMappingNode child)
            {
                foreach (var x in Flatten(path, child, key + "."))
                {
                    yield return x;
                }
            }
            else
            {
                yield return (key, v);
            }
        }
    }
}
