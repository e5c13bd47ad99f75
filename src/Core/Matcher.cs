using System.Text;
using System.Text.RegularExpressions;

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
/// series without <c>foo</c>. Regexes are fully anchored and <c>.</c> matches newlines, as in Prometheus 3.
/// </summary>
public sealed class Matcher
{
    private readonly Regex? _regex;
    private readonly byte[] _valueBytes;

    /// <summary>Creates a matcher; throws <see cref="ArgumentException"/> for an invalid regex.</summary>
    public Matcher(MatcherType type, string name, string value)
    {
        Type = type;
        Name = name;
        Value = value;
        NameBytes = Encoding.UTF8.GetBytes(name);
        _valueBytes = Encoding.UTF8.GetBytes(value);
        if (type is MatcherType.Regex or MatcherType.NotRegex)
        {
            _regex = new Regex("^(?:" + value + ")$", RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.Compiled);
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

    /// <summary>True when the value "" matches, i.e. series lacking the label are selected.</summary>
    public bool MatchesEmpty => Matches(string.Empty);

    /// <summary>Tests a value.</summary>
    public bool Matches(string value) => Type switch
    {
        MatcherType.Equal => value == Value,
        MatcherType.NotEqual => value != Value,
        MatcherType.Regex => _regex!.IsMatch(value),
        _ => !_regex!.IsMatch(value),
    };

    /// <summary>Tests a UTF-8 value without allocating for the equality kinds.</summary>
    public bool Matches(ReadOnlySpan<byte> value) => Type switch
    {
        MatcherType.Equal => value.SequenceEqual(_valueBytes),
        MatcherType.NotEqual => !value.SequenceEqual(_valueBytes),
        _ => Matches(Encoding.UTF8.GetString(value)),
    };

    /// <summary>Tests a whole label set (absent label = "").</summary>
    public bool Matches(Labels labels) =>
        labels.TryGetValue(NameBytes.Span, out var v) ? Matches(v) : Matches(ReadOnlySpan<byte>.Empty);

    /// <summary>PromQL form, e.g. <c>job=~"a.*"</c>.</summary>
    public override string ToString()
    {
        string op = Type switch { MatcherType.Equal => "=", MatcherType.NotEqual => "!=", MatcherType.Regex => "=~", _ => "!~" };
        return Name + op + "\"" + Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
