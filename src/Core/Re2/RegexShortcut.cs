namespace MetricsCluster.Core.Re2;

/// <summary>
/// Prometheus' <c>FastRegexMatcher</c> shortcuts (<c>model/labels/regexp.go</c>) for the regex shapes dashboards send
/// most, answered without running a regex: a set of literals (<c>a|b|c</c>, Grafana's multi-value variables), a
/// literal before, after or inside <c>.*</c>, and <c>.*</c> / <c>.+</c> themselves. Semantics are those of a fully
/// anchored pattern with <c>(?s)</c> (dot matches a newline), as label matchers use. Instances are immutable.
/// </summary>
public sealed class RegexShortcut
{
    private const string Meta = @"\.+*?()|[]{}^$";
    private const string AnyRun = ".*";

    private readonly Kind _kind;
    private readonly string _literal;
    private readonly HashSet<string>? _set;

    private RegexShortcut(Kind kind, string literal, HashSet<string>? set)
    {
        _kind = kind;
        _literal = literal;
        _set = set;
    }

    private enum Kind : byte
    {
        Any,
        NonEmpty,
        Set,
        Prefix,
        Suffix,
        Contains,
    }

    /// <summary>The shortcut for <paramref name="pattern"/>, or null when the pattern needs the regex engine.</summary>
    public static RegexShortcut? TryCreate(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        switch (pattern)
        {
            case AnyRun:
                return new RegexShortcut(Kind.Any, string.Empty, null);
            case ".+":
                return new RegexShortcut(Kind.NonEmpty, string.Empty, null);
        }

        bool leading = pattern.StartsWith(AnyRun, StringComparison.Ordinal);
        bool trailing = pattern.Length >= (leading ? 4 : 2) && pattern.EndsWith(AnyRun, StringComparison.Ordinal);
        string middle = pattern[(leading ? 2 : 0)..(pattern.Length - (trailing ? 2 : 0))];
        if (leading || trailing)
        {
            if (middle.Length == 0 || !IsLiteral(middle))
            {
                return null;
            }

            var kind = leading && trailing ? Kind.Contains : leading ? Kind.Suffix : Kind.Prefix;
            return new RegexShortcut(kind, middle, null);
        }

        // Alternatives of plain literals; an escaped '|' or any other metacharacter needs the regex engine.
        var alternatives = pattern.Split('|');
        foreach (string a in alternatives)
        {
            if (!IsLiteral(a))
            {
                return null;
            }
        }

        return new RegexShortcut(Kind.Set, string.Empty, new HashSet<string>(alternatives, StringComparer.Ordinal));
    }

    /// <summary>
    /// Literal text every match of the fully anchored <paramref name="pattern"/> starts with, or "" when none is
    /// certain: checked before running the regex, as Prometheus' <c>FastRegexMatcher</c> checks its prefix, so most
    /// values of a <c>job-.*-x</c> style pattern are rejected without the (linear but slower) regex engine.
    /// </summary>
    public static string RequiredPrefix(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);

        // An alternation anywhere may offer another start; giving up is always correct.
        if (pattern.Contains('|', StringComparison.Ordinal))
        {
            return string.Empty;
        }

        int end = pattern.AsSpan().IndexOfAny(Meta);
        if (end < 0)
        {
            return pattern;
        }

        // A quantifier after the run applies to its last character only, which is then not required.
        if (pattern[end] is '?' or '*' or '+' or '{')
        {
            end--;
        }

        return end <= 0 ? string.Empty : pattern[..end];
    }

    /// <summary>Whether the whole of <paramref name="value"/> matches.</summary>
    public bool IsMatch(string value) => _kind switch
    {
        Kind.Any => true,
        Kind.NonEmpty => value.Length > 0,
        Kind.Set => _set!.Contains(value),
        Kind.Prefix => value.StartsWith(_literal, StringComparison.Ordinal),
        Kind.Suffix => value.EndsWith(_literal, StringComparison.Ordinal),
        _ => value.Contains(_literal, StringComparison.Ordinal),
    };

    private static bool IsLiteral(string s) => s.AsSpan().IndexOfAny(Meta) < 0;
}
