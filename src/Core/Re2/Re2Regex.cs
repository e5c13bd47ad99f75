using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace MetricsCluster.Core.Re2;

/// <summary>
/// A Go (RE2) regular expression run on .NET: the pattern is translated by <see cref="Re2Translator"/> so that
/// it matches what Go's regexp matches, and constructs RE2 does not have (lookaround, backreferences) are
/// rejected as Prometheus rejects them. Group numbers and names follow Go (left to right, named groups
/// included), which .NET's own numbering does not, so named groups become unnamed and this type keeps the names.
/// It runs on <see cref="RegexOptions.NonBacktracking"/>, so a match takes time linear in the input as in RE2:
/// a user's pattern such as <c>((a+)+)+b</c> cannot hold a thread (there is no timeout to tune or to forget).
/// Instances are immutable and thread-safe.
/// </summary>
public sealed class Re2Regex
{
    // Compiling for NonBacktracking costs tens of microseconds to milliseconds; dashboards send the same few
    // patterns again and again, so compiled regexes are memoised (a pure function of pattern and flags, like
    // Regex's own static cache). The bound keeps a stream of distinct patterns from growing it without end.
    private const int CacheCapacity = 1024;
    private static readonly ConcurrentDictionary<(string Pattern, bool DotAll, bool Anchored), Re2Regex> s_cache = new();

    private readonly Regex _regex;
    private readonly Dictionary<string, int> _groupNames;

    private Re2Regex(string pattern, Regex regex, Dictionary<string, int> groupNames)
    {
        Pattern = pattern;
        _regex = regex;
        _groupNames = groupNames;
    }

    /// <summary>The pattern as written (without the implicit anchors).</summary>
    public string Pattern { get; }

    /// <summary>
    /// Compiles <paramref name="pattern"/> fully anchored: <c>^(?:pattern)$</c> as relabel.NewRegexp does, or with
    /// <paramref name="dotMatchesNewline"/> <c>^(?s:pattern)$</c> as Prometheus 3's label matchers and
    /// <c>label_replace</c> do. The pattern must be a regular expression on its own, so it cannot escape the anchors.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is not valid RE2, or uses RE2 syntax .NET cannot express.</exception>
    public static Re2Regex CompileAnchored(string pattern, bool dotMatchesNewline = false) =>
        Cached(pattern, dotMatchesNewline, anchored: true);

    /// <summary>
    /// Compiles <paramref name="pattern"/> unanchored, as Go's <c>regexp.Compile</c>: <see cref="IsMatch"/> and
    /// <see cref="ReplaceAll"/> then search the input (Prometheus' template functions <c>match</c> and <c>reReplaceAll</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is not valid RE2, or uses RE2 syntax .NET cannot express.</exception>
    public static Re2Regex Compile(string pattern) => Cached(pattern, dotAll: false, anchored: false);

    private static Re2Regex Cached(string pattern, bool dotAll, bool anchored)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (s_cache.TryGetValue((pattern, dotAll, anchored), out var cached))
        {
            return cached;
        }

        var compiled = CompileCore(pattern, dotAll, anchored);
        if (s_cache.Count >= CacheCapacity)
        {
            s_cache.Clear();
        }

        s_cache[(pattern, dotAll, anchored)] = compiled;
        return compiled;
    }

    private static Re2Regex CompileCore(string pattern, bool dotAll, bool anchored)
    {
        var translated = Re2Translator.Translate(pattern, out var names);
        try
        {
            string group = (dotAll ? "(?s:" : "(?:") + translated + ")";
            var regex = new Regex(anchored ? @"\A" + group + @"\z" : group, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            return new Re2Regex(pattern, regex, names);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // NotSupportedException: a construct NonBacktracking lacks, or a pattern too large for it (RE2 has size limits too).
            throw new ArgumentException($"invalid regular expression \"{pattern}\": {e.Message}", e);
        }
    }

    /// <summary>Whether <paramref name="input"/> matches: the whole of it when compiled anchored, any part otherwise.</summary>
    public bool IsMatch(string input) => _regex.IsMatch(input);

    /// <summary>The first match (of the whole input when compiled anchored); null when there is none.</summary>
    public Match? Match(string input)
    {
        var m = _regex.Match(input);
        return m.Success ? m : null;
    }

    /// <summary>
    /// Go's <c>Regexp.ReplaceAllString</c>: every non-overlapping match replaced by <paramref name="template"/> expanded
    /// as <see cref="Expand"/> does. As in Go, an empty match right after a previous match is not replaced (.NET's
    /// Replace would replace it: <c>a*</c> on "baaac" is "xbxcx" in Go, "xbxxcx" in .NET).
    /// </summary>
    public string ReplaceAll(string src, string template)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentNullException.ThrowIfNull(template);
        var sb = new StringBuilder(src.Length + 16);
        int lastMatchEnd = 0;
        int searchPos = 0;
        while (searchPos <= src.Length)
        {
            var m = _regex.Match(src, searchPos);
            if (!m.Success)
            {
                break;
            }

            int start = m.Index, end = m.Index + m.Length;
            sb.Append(src, lastMatchEnd, start - lastMatchEnd);
            if (end > lastMatchEnd || start == 0)
            {
                sb.Append(Expand(template, m));
            }

            lastMatchEnd = end;

            // Advance past the match, by at least one character (a surrogate pair is one).
            int width = searchPos < src.Length && char.IsHighSurrogate(src[searchPos]) && searchPos + 1 < src.Length ? 2 : 1;
            searchPos = searchPos + width > end ? searchPos + width : end;
        }

        sb.Append(src, lastMatchEnd, src.Length - lastMatchEnd);
        return sb.ToString();
    }

    /// <summary>
    /// Go's Regexp.ExpandString: <c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>${name}</c> and <c>$$</c>. A name is the
    /// longest run of letters, digits and underscores (so <c>$1x</c> is group "1x"); a reference to a group
    /// that does not exist or did not participate expands to nothing; a malformed <c>$</c> is kept literally.
    /// </summary>
    public string Expand(string template, Match match)
    {
        var sb = new StringBuilder(template.Length + 16);
        int i = 0;
        while (i < template.Length)
        {
            int dollar = template.IndexOf('$', i);
            if (dollar < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }

            sb.Append(template, i, dollar - i);
            i = dollar + 1;
            if (i < template.Length && template[i] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }

            if (!TryExtract(template, i, out string name, out int num, out int next))
            {
                sb.Append('$');
                continue;
            }

            i = next;
            int group = num >= 0 ? num : _groupNames.GetValueOrDefault(name, -1);
            if (group >= 0 && group < match.Groups.Count && match.Groups[group].Success)
            {
                sb.Append(match.Groups[group].ValueSpan);
            }
        }

        return sb.ToString();
    }

    /// <summary>Go's regexp.extract: a template variable name at <paramref name="start"/> (after the <c>$</c>).</summary>
    private static bool TryExtract(string s, int start, out string name, out int num, out int next)
    {
        name = string.Empty;
        num = -1;
        next = start;
        bool brace = start < s.Length && s[start] == '{';
        int i = brace ? start + 1 : start;
        int nameStart = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_'))
        {
            i++;
        }

        if (i == nameStart)
        {
            return false;
        }

        name = s[nameStart..i];
        if (brace)
        {
            if (i >= s.Length || s[i] != '}')
            {
                return false;
            }

            i++;
        }

        num = ParseGroupNumber(name);
        next = i;
        return true;
    }

    private static int ParseGroupNumber(string name)
    {
        // Go disallows leading zeros and caps the number, so "01" is a name, not group 1.
        if (name.Length > 1 && name[0] == '0')
        {
            return -1;
        }

        int num = 0;
        foreach (char c in name)
        {
            if (c is < '0' or > '9' || num >= 100_000_000)
            {
                return -1;
            }

            num = (num * 10) + (c - '0');
        }

        return num;
    }

    /// <inheritdoc/>
    public override string ToString() => Pattern;
}
