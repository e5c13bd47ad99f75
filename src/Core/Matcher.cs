using System.Text;
using MetricsCluster.Core.Re2;
using MetricsCluster.Core.Storage;

namespace MetricsCluster.Core;

/// <summary>The four label matcher kinds of PromQL.</summary>
public enum MatcherType : byte
{
    /// <summary><c>=</c></summary>
    Equal = 0,

    /// <summary><c>!=</c></summary>
    NotEqual = 1,

    /// <summary><c>=~</c> (fully anchored)</summary>
    Regex = 2,

    /// <summary><c>!~</c> (fully anchored)</summary>
    NotRegex = 3,
}

/// <summary>
/// A label matcher. A missing label has the value "" (Prometheus semantics), so <c>foo=""</c> matches
/// series without <c>foo</c>. Regexes are RE2 (<see cref="Re2Regex"/>: linear time, no lookaround or backreferences),
/// fully anchored as <c>^(?s:pattern)$</c> as in Prometheus 3; common shapes skip the regex (<see cref="RegexShortcut"/>).
/// </summary>
public sealed class Matcher
{
    private readonly Re2Regex? _regex;
    private readonly RegexShortcut? _shortcut;
    private readonly string _requiredPrefix = string.Empty;
    private readonly byte[] _valueBytes;

    /// <summary>Creates a matcher; throws <see cref="ArgumentException"/> for an invalid regex.</summary>
    public Matcher(MatcherType type, string name, string value)
    {
        Type = type;
        Name = name;
        Value = value;
        NameBytes = Encoding.UTF8.GetBytes(name);
        _valueBytes = Encoding.UTF8.GetBytes(value);
        if (name == QueryShard.LabelName)
        {
            // Parsed here, once, so every store sees the same shard and a bad value fails where the matcher is made.
            Shard = QueryShard.Parse(type, value);
            return;
        }

        if (type is MatcherType.Regex or MatcherType.NotRegex)
        {
            // Compiled even when a shortcut applies, so an invalid pattern is rejected the same way either way.
            _regex = Re2Regex.CompileAnchored(value, dotMatchesNewline: true);
            _shortcut = RegexShortcut.TryCreate(value);
            _requiredPrefix = RegexShortcut.RequiredPrefix(value);
        }
    }

    /// <summary>The kind.</summary>
    public MatcherType Type { get; }

    /// <summary>The label name.</summary>
    public string Name { get; }

    /// <summary>The UTF-8 label name.</summary>
    public ReadOnlyMemory<byte> NameBytes { get; }

    /// <summary>The value or pattern.</summary>
    public string Value { get; }

    /// <summary>Convenience constructor for equality.</summary>
    public static Matcher Eq(string name, string value) => new(MatcherType.Equal, name, value);

    /// <summary>
    /// Set when this is the query-sharding matcher (<c>__query_shard__</c>): it selects by the series' labels hash,
    /// not by a label value, so stores must take it out before resolving postings (<see cref="QueryShard.Split"/>).
    /// </summary>
    public QueryShard? Shard { get; }

    /// <summary>True when the value "" matches, i.e. series lacking the label are selected (false for a shard matcher: it selects a strict subset).</summary>
    public bool MatchesEmpty => Shard is null && Matches(string.Empty);

    /// <summary>Tests a value.</summary>
    /// <exception cref="InvalidOperationException">A shard matcher: it has no label value to test; use <see cref="Matches(Labels)"/>.</exception>
    public bool Matches(string value) => Type switch
    {
        _ when Shard is not null => throw ShardHasNoValue(),
        MatcherType.Equal => value == Value,
        MatcherType.NotEqual => value != Value,
        MatcherType.Regex => RegexMatches(value),
        _ => !RegexMatches(value),
    };

    private bool RegexMatches(string value) =>
        _shortcut?.IsMatch(value) ?? (value.StartsWith(_requiredPrefix, StringComparison.Ordinal) && _regex!.IsMatch(value));

    /// <summary>Tests a UTF-8 value without allocating for the equality kinds.</summary>
    public bool Matches(ReadOnlySpan<byte> value) => Type switch
    {
        _ when Shard is not null => throw ShardHasNoValue(),
        MatcherType.Equal => value.SequenceEqual(_valueBytes),
        MatcherType.NotEqual => !value.SequenceEqual(_valueBytes),
        _ => Matches(Encoding.UTF8.GetString(value)),
    };

    /// <summary>Tests a whole label set (absent label = ""); a shard matcher tests the labels hash.</summary>
    public bool Matches(Labels labels) =>
        Shard is { } shard ? shard.Contains(labels) : labels.TryGetValue(NameBytes.Span, out var v) ? Matches(v) : Matches(ReadOnlySpan<byte>.Empty);

    // Loud on purpose: a store that forgot to take the shard matcher out would otherwise silently select nothing.
    private InvalidOperationException ShardHasNoValue() =>
        new($"{Name} selects series by their labels hash: use Matches(Labels), or take it out with QueryShard.Split before resolving postings");

    /// <summary>PromQL form, e.g. <c>job=~"a.*"</c>.</summary>
    public override string ToString()
    {
        string op = Type switch { MatcherType.Equal => "=", MatcherType.NotEqual => "!=", MatcherType.Regex => "=~", _ => "!~" };
        return Name + op + "\"" + Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
