using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MetricsCluster.Core;
using YamlDotNet.RepresentationModel;

namespace MetricsCluster.Agent.Config;

/// <summary>
/// Strict reading of one YAML mapping, as Prometheus' yaml.UnmarshalStrict: each key is read at most once
/// through a typed getter, and <see cref="Done"/> rejects every key nobody asked for. Errors carry the
/// field path (<c>scrape_configs[job "node"].scrape_timeout</c>) and the line.
/// </summary>
internal sealed class YamlMap
{
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private YamlMap(string path, YamlNode node)
    {
        Path = path;
        Node = node;
    }

    /// <summary>The field path of this mapping.</summary>
    public string Path { get; }

    /// <summary>The mapping node (or a null scalar for an empty mapping).</summary>
    public YamlNode Node { get; }

    /// <summary>Wraps <paramref name="node"/>, which must be a mapping or null.</summary>
    public static YamlMap Of(YamlNode node, string path)
    {
        var map = new YamlMap(path, node);
        if (IsNull(node))
        {
            return map;
        }

        var m = node as YamlMappingNode ?? Fail<YamlMappingNode>(node, path, "expected a mapping");

        foreach (var (k, v) in m.Children)
        {
            string key = (k as YamlScalarNode)?.Value ?? Fail<string>(k, path, "keys must be strings");
            if (!map._entries.TryAdd(key, (k, v)))
            {
                Fail(k, Join(path, key), "field already set in this mapping");
            }
        }

        return map;
    }

    /// <summary>Whether a node is YAML null (absent value, <c>~</c> or <c>null</c>).</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode s && s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>The path of a child field.</summary>
    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>Throws a <see cref="ConfigException"/> at <paramref name="node"/>'s line.</summary>
    [DoesNotReturn]
    public static void Fail(YamlNode node, string path, string message) =>
        throw new ConfigException($"line {node.Start.Line}: {path}: {message}");

    /// <summary>As <see cref="Fail(YamlNode, string, string)"/>, usable as an expression.</summary>
    [DoesNotReturn]
    public static T Fail<T>(YamlNode node, string path, string message) =>
        throw new ConfigException($"line {node.Start.Line}: {path}: {message}");

    /// <summary>Throws for this mapping (or for field <paramref name="key"/> when it is present).</summary>
    [DoesNotReturn]
    public void Fail(string? key, string message)
    {
        if (key is not null && _entries.TryGetValue(key, out var e))
        {
            Fail(e.Value, Join(Path, key), message);
        }

        Fail(Node, key is null ? Path : Join(Path, key), message);
    }

    /// <summary>The raw value of <paramref name="key"/>, or null when absent or YAML null; marks it read.</summary>
    public YamlNode? Raw(string key)
    {
        _read.Add(key);
        return _entries.TryGetValue(key, out var e) && !IsNull(e.Value) ? e.Value : null;
    }

    /// <summary>Whether <paramref name="key"/> is present with a non-null value (does not mark it read).</summary>
    public bool Has(string key) => _entries.TryGetValue(key, out var e) && !IsNull(e.Value);

    /// <summary>A string scalar.</summary>
    public string? Str(string key) => Raw(key) is { } n ? Scalar(n, Join(Path, key)) : null;

    /// <summary>A boolean (<c>true</c>/<c>false</c>).</summary>
    public bool? Bool(string key) => Str(key) switch
    {
        null => null,
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        _ => FailField<bool>(key, "expected true or false"),
    };

    /// <summary>A non-negative integer.</summary>
    public ulong? UInt(string key)
    {
        string? s = Str(key);
        return s is null ? null
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v
            : FailField<ulong>(key, $"\"{s}\" is not a non-negative integer");
    }

    /// <summary>A Prometheus duration.</summary>
    public TimeSpan? Duration(string key)
    {
        string? s = Str(key);
        return s is null ? null
            : PromDuration.TryParse(s, out var d) ? d
            : FailField<TimeSpan>(key, $"not a valid duration string: \"{s}\"");
    }

    /// <summary>A byte size such as <c>10MB</c>.</summary>
    public long? Bytes(string key)
    {
        string? s = Str(key);
        return s is null ? null
            : ByteSize.TryParse(s, out long b) ? b
            : FailField<long>(key, $"\"{s}\" is not a valid byte size (use B, KB, MB, GB, ...)");
    }

    /// <summary>A sequence of strings.</summary>
    public List<string>? StrList(string key) =>
        Raw(key) is { } n ? [.. Seq(n, Join(Path, key)).Select((x, i) => Scalar(x, $"{Join(Path, key)}[{i}]"))] : null;

    /// <summary>A mapping of strings to strings, in file order.</summary>
    public List<KeyValuePair<string, string>>? StrMap(string key)
    {
        if (Raw(key) is not { } n)
        {
            return null;
        }

        string path = Join(Path, key);
        var map = Of(n, path);
        return [.. map._entries.Select(e => new KeyValuePair<string, string>(e.Key, Scalar(e.Value.Value, Join(path, e.Key))))];
    }

    /// <summary>A nested mapping.</summary>
    public YamlMap? Map(string key) => Raw(key) is { } n ? Of(n, Join(Path, key)) : null;

    /// <summary>The items of a sequence field.</summary>
    public IReadOnlyList<YamlNode> List(string key) => Raw(key) is { } n ? Seq(n, Join(Path, key)) : [];

    /// <summary>Rejects every key that was never read.</summary>
    public void Done()
    {
        foreach (var (key, (k, _)) in _entries)
        {
            if (!_read.Contains(key))
            {
                Fail(k, Join(Path, key), "unknown field (check spelling and indentation)");
            }
        }
    }

    /// <summary>The keys present, in file order.</summary>
    public IEnumerable<string> Keys => _entries.Keys;

    private static IReadOnlyList<YamlNode> Seq(YamlNode n, string path) =>
        n is YamlSequenceNode s ? [.. s.Children] : Fail<IReadOnlyList<YamlNode>>(n, path, "expected a list");

    private static string Scalar(YamlNode n, string path) =>
        n is YamlScalarNode s ? s.Value ?? string.Empty : Fail<string>(n, path, "expected a single value");

    [DoesNotReturn]
    private T FailField<T>(string key, string message)
    {
        Fail(key, message);
        return default;
    }
}
