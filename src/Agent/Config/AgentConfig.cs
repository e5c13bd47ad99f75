using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MetricsCluster.Agent.Config;

/// <summary>
/// The agent's configuration: a Prometheus configuration file restricted to <c>global</c>, <c>scrape_configs</c>
/// and <c>remote_write</c>. Parsing is strict like Prometheus (unknown fields are errors), defaults are
/// Prometheus', and relative file paths resolve against the file's directory. See docs/agent-config.md.
/// </summary>
public sealed record AgentConfig
{
    // Top-level Prometheus sections the agent does not run (Prometheus' agent mode rejects most of them too).
    private static readonly HashSet<string> s_unsupportedSections = new(StringComparer.Ordinal)
    {
        "rule_files", "alerting", "remote_read", "storage", "tracing", "scrape_config_files",
    };

    /// <summary>The <c>global</c> section.</summary>
    public GlobalConfig Global { get; init; } = new();

    /// <summary>The scrape jobs, in file order.</summary>
    public IReadOnlyList<ScrapeConfig> ScrapeConfigs { get; init; } = [];

    /// <summary>The remote write endpoints.</summary>
    public IReadOnlyList<RemoteWriteConfig> RemoteWrite { get; init; } = [];

    /// <summary>Reads and validates the file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">The file is missing or invalid; the message names file, line and field.</exception>
    public static AgentConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ConfigException($"{path}: cannot read agent config: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigException($"{path}: cannot read agent config: {e.Message}", e);
        }

        return Parse(text, Path.GetDirectoryName(Path.GetFullPath(path)), path);
    }

    /// <summary>Parses YAML text.</summary>
    /// <param name="yaml">The configuration.</param>
    /// <param name="baseDirectory">Where relative file paths point; null leaves them as written.</param>
    /// <param name="source">Names the text in error messages.</param>
    public static AgentConfig Parse(string yaml, string? baseDirectory = null, string source = "<config>")
    {
        try
        {
            return ParseDocument(LoadYaml(yaml), baseDirectory);
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"{source}: {e.Message}", e);
        }
    }

    private static YamlNode? LoadYaml(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"line {e.Start.Line}: invalid YAML: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // YamlDotNet throws these instead of a YamlException on some malformed input (a NUL
            // character as a mapping key, an unclosed flow mapping), found by tests/Fuzz (G19).
            throw new ConfigException($"invalid YAML: {e.Message}", e);
        }

        if (stream.Documents.Count > 1)
        {
            throw new ConfigException($"line {stream.Documents[1].RootNode.Start.Line}: only one YAML document is allowed");
        }

        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    private static AgentConfig ParseDocument(YamlNode? root, string? baseDir)
    {
        if (root is null || YamlMap.IsNull(root))
        {
            return new AgentConfig();
        }

        var top = YamlMap.Of(root, string.Empty);
        foreach (string key in top.Keys.Where(s_unsupportedSections.Contains).ToList())
        {
            // An empty section (rule_files: []) asks for nothing, so it is accepted like Prometheus' agent mode does.
            if (top.Raw(key) is { } n && !(n is YamlSequenceNode { Children.Count: 0 } || n is YamlMappingNode { Children.Count: 0 }))
            {
                top.Fail(key, "is a Prometheus section the agent does not support");
            }
        }

        var global = GlobalConfig.Read(top.Map("global"));
        var scrapes = ReadScrapeConfigs(top, global, baseDir);
        var writes = ReadRemoteWrites(top, baseDir);
        top.Done();
        return new AgentConfig { Global = global, ScrapeConfigs = scrapes, RemoteWrite = writes };
    }

    private static List<ScrapeConfig> ReadScrapeConfigs(YamlMap top, GlobalConfig global, string? baseDir)
    {
        var result = new List<ScrapeConfig>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = top.List("scrape_configs");
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"scrape_configs[{i}]";
            if (YamlMap.IsNull(items[i]))
            {
                YamlMap.Fail(items[i], path, "empty or null scrape config section");
            }

            // Name the job in every error below this point, as far as it can be known before parsing.
            if (items[i] is YamlMappingNode mn && mn.Children.TryGetValue(new YamlScalarNode("job_name"), out var jn) && jn is YamlScalarNode { Value: { } job })
            {
                path = $"scrape_configs[{i}] (job \"{job}\")";
            }

            var cfg = ScrapeConfig.Read(YamlMap.Of(items[i], path), global, baseDir);
            if (!seen.Add(cfg.JobName))
            {
                YamlMap.Fail(items[i], path, $"found multiple scrape configs with job name \"{cfg.JobName}\"");
            }

            result.Add(cfg);
        }

        return result;
    }

    private static List<RemoteWriteConfig> ReadRemoteWrites(YamlMap top, string? baseDir)
    {
        var result = new List<RemoteWriteConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var items = top.List("remote_write");
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"remote_write[{i}]";
            if (YamlMap.IsNull(items[i]))
            {
                YamlMap.Fail(items[i], path, "empty or null remote write config section");
            }

            var cfg = RemoteWriteConfig.Read(YamlMap.Of(items[i], path), baseDir);
            if (cfg.Name.Length > 0 && !names.Add(cfg.Name))
            {
                YamlMap.Fail(items[i], path, $"found multiple remote write configs with job name \"{cfg.Name}\"");
            }

            result.Add(cfg);
        }

        return result;
    }
}
