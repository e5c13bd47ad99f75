using System.Text.RegularExpressions;

namespace MetricsCluster.Agent.Config;

/// <summary>One <c>file_sd_configs</c> entry: files (globs allowed in the last path element) and a refresh interval.</summary>
public sealed partial record FileSdConfig
{
    /// <summary>Prometheus' default refresh interval.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>Absolute file paths or glob patterns.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>How often every file is re-read even without a change notification.</summary>
    public TimeSpan RefreshInterval { get; init; } = DefaultRefreshInterval;

    internal static FileSdConfig Read(YamlMap map, string? baseDir)
    {
        var files = map.StrList("files") ?? [];
        var refresh = map.Duration("refresh_interval") ?? DefaultRefreshInterval;
        map.Done();
        if (files.Count == 0)
        {
            map.Fail(null, "file service discovery config must contain at least one path name");
        }

        foreach (string f in files)
        {
            // Prometheus' patFileSDName: a glob only in the last element, and a JSON or YAML extension.
            if (!NamePattern().IsMatch(f))
            {
                map.Fail("files", $"path name \"{f}\" is not valid for file discovery");
            }
        }

        return new FileSdConfig { Files = [.. files.Select(f => HttpAuth.Resolve(f, baseDir)!)], RefreshInterval = refresh };
    }

    [GeneratedRegex(@"\A[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
