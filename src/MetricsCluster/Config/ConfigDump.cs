using System.Text;

namespace MetricsCluster.Config;

/// <summary>Renders the effective configuration as YAML with the same keys the config file takes.</summary>
public static class ConfigDump
{
    /// <summary>The YAML text.</summary>
    public static string ToYaml(ClusterConfig config)
    {
        var sb = new StringBuilder();
        string[] previous = [];
        foreach (var o in ConfigOption.All.OrderBy(o => o.YamlKey, StringComparer.Ordinal))
        {
            string[] parts = o.YamlKey.Split('.');
            int common = 0;
            while (common < parts.Length - 1 && common < previous.Length - 1 && parts[common] == previous[common])
            {
                common++;
            }

            for (int i = common; i < parts.Length - 1; i++)
            {
                sb.Append(' ', i * 2).Append(parts[i]).Append(":\n");
            }

            string value = o.Get(config);
            sb.Append(' ', (parts.Length - 1) * 2).Append(parts[^1]).Append(": ")
                .Append(NeedsQuotes(value) ? "\"" + value + "\"" : value).Append('\n');
            previous = parts;
        }

        return sb.ToString();
    }

    // A plain scalar may not be empty, hold ": ", or start with a YAML indicator (a masked secret starts with '*', an alias).
    private static bool NeedsQuotes(string value) =>
        value.Length == 0 || value.Contains(':') || value[0] is '*' or '&' or '!' or '#' or '%' or '@' or '`' or '|' or '>' or '{' or '[' or '\'' or '"';
}
