using System.CommandLine;
using System.CommandLine.Parsing;

namespace MetricsCluster.Config;

/// <summary>
/// The command line: one option per <see cref="ConfigOption"/> plus <c>--config.file</c>. Each accepts
/// <c>--name value</c>, <c>--name=value</c> and Mimir's single-dash <c>-name=value</c>.
/// </summary>
public static class CommandLine
{
    /// <summary>Builds the root command; <paramref name="run"/> receives the loaded config.</summary>
    public static RootCommand Build(Func<ClusterConfig, CancellationToken, Task<int>> run)
    {
        var root = new RootCommand("metrics-cluster: a horizontally scalable, multi-tenant store for Prometheus metrics.");
        var configFile = new Option<string?>("--config.file", "-config.file") { Description = "YAML configuration file; flags override its values." };
        root.Options.Add(configFile);
        var options = new List<(ConfigOption Def, Option<string?> Cli)>();
        var defaults = new ClusterConfig();
        foreach (var def in ConfigOption.All)
        {
            var o = new Option<string?>("--" + def.Flag, "-" + def.Flag)
            {
                Description = $"{def.Help} (default: {Show(def.Get(defaults))}; YAML: {def.YamlKey})",
                Arity = def.IsBool ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
                HelpName = def.IsBool ? "bool" : "value",
            };
            root.Options.Add(o);
            options.Add((def, o));
        }

        root.SetAction(async (parse, ct) =>
        {
            ClusterConfig config;
            try
            {
                config = Load(parse, configFile, options);
            }
            catch (ConfigException e)
            {
                await Console.Error.WriteLineAsync("error: invalid configuration: " + e.Message);
                return 2;
            }

            return await run(config, ct);
        });
        return root;
    }

    private static ClusterConfig Load(ParseResult parse, Option<string?> configFile, List<(ConfigOption Def, Option<string?> Cli)> options)
    {
        var config = new ClusterConfig();
        if (parse.GetValue(configFile) is { } file)
        {
            YamlConfigFile.Apply(file, config);
        }

        foreach (var (def, cli) in options)
        {
            if (parse.GetResult(cli) is not { } result)
            {
                continue;
            }

            string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "true";
            def.Set(config, value);
        }

        config.Validate();
        return config;
    }

    private static string Show(string v) => v.Length == 0 ? "\"\"" : v;
}
