using System.Globalization;
using MetricsCluster.Core;

namespace MetricsCluster.Config;

/// <summary>
/// One setting: its flag (<c>--server.http-listen-port</c>), which is also its YAML key with dots as nesting
/// and dashes as underscores (<c>server: {http_listen_port: 9009}</c>), its help, and how to read and set it.
/// </summary>
public sealed record ConfigOption(string Flag, string Help, bool IsBool, Func<ClusterConfig, string> Get, Action<ClusterConfig, string> Set)
{
    /// <summary>The YAML path of this option, e.g. <c>server.http_listen_port</c>.</summary>
    public string YamlKey => Flag.Replace('-', '_');

    /// <summary>Other YAML paths the config file accepts for this option, e.g. Mimir's <c>limits.compactor_blocks_retention_period</c>.</summary>
    public IReadOnlyList<string> YamlAliases { get; init; } = [];

    /// <summary>Every option, in help order. The command-line contract: never rename one.</summary>
    /// <remarks>Each component declares its flags next to its settings (ClusterConfig.&lt;Component&gt;.cs); this only concatenates them.</remarks>
    public static IReadOnlyList<ConfigOption> All => s_all.Value;

    // Lazy: the lists are static fields of ClusterConfig, whose initializer calls this type's factories.
    private static readonly Lazy<ConfigOption[]> s_all = new(() =>
    [
        .. ClusterConfig.ServerFlags,
        .. ClusterConfig.DistributorFlags,
        .. ClusterConfig.IngestionLimitFlags,
        .. ClusterConfig.IngesterFlags,
        .. ClusterConfig.ValidationLimitFlags,
        .. ClusterConfig.BucketFlags,
        .. ClusterConfig.ShipperFlags,
        .. ClusterConfig.BucketStoreFlags,
        .. ClusterConfig.QuerierFlags,
        .. ClusterConfig.QueryLimitFlags,
        .. ClusterConfig.QueryFrontendFlags,
        .. ClusterConfig.QueryFrontendDownstreamFlags,
        .. ClusterConfig.QueryFrontendShardingFlags,
        .. ClusterConfig.RetentionLimitFlags,
        .. ClusterConfig.CompactorFlags,
        .. ClusterConfig.RulerLimitFlags,
        .. ClusterConfig.RulerFlags,
        .. ClusterConfig.AgentFlags,
        .. ClusterConfig.ClusterFlags,
        .. ClusterConfig.LogFlags,
    ]);

    internal static ConfigOption Str(string f, string h, Func<ClusterConfig, string> g, Action<ClusterConfig, string> s) => new(f, h, false, g, s);

    internal static ConfigOption Int(string f, string h, Func<ClusterConfig, int> g, Action<ClusterConfig, int> s) =>
        new(f, h, false, c => g(c).ToString(CultureInfo.InvariantCulture), (c, v) => s(c, int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) ? x : throw Bad(f, v, "an integer")));

    internal static ConfigOption Long(string f, string h, Func<ClusterConfig, long> g, Action<ClusterConfig, long> s) =>
        new(f, h, false, c => g(c).ToString(CultureInfo.InvariantCulture), (c, v) => s(c, long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long x) ? x : throw Bad(f, v, "an integer")));

    internal static ConfigOption Dbl(string f, string h, Func<ClusterConfig, double> g, Action<ClusterConfig, double> s) =>
        new(f, h, false, c => g(c).ToString("R", CultureInfo.InvariantCulture), (c, v) => s(c, double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : throw Bad(f, v, "a number")));

    internal static ConfigOption Bool(string f, string h, Func<ClusterConfig, bool> g, Action<ClusterConfig, bool> s) =>
        new(f, h, true, c => g(c) ? "true" : "false", (c, v) => s(c, v.ToLowerInvariant() switch { "true" or "1" => true, "false" or "0" => false, _ => throw Bad(f, v, "true or false") }));

    internal static ConfigOption Dur(string f, string h, Func<ClusterConfig, TimeSpan> g, Action<ClusterConfig, TimeSpan> s) =>
        new(f, h, false, c => PromDuration.Format(g(c)), (c, v) => s(c, PromDuration.TryParse(v, out var d) ? d : throw Bad(f, v, "a duration like 10m or 1h30m")));

    private static ConfigException Bad(string flag, string value, string expected) =>
        new($"invalid value \"{value}\" for {flag.Replace('-', '_')} (--{flag}): expected {expected}");
}
