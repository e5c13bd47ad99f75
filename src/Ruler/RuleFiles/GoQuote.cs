using System.Globalization;
using System.Text;

namespace MetricsCluster.Ruler.RuleFiles;

/// <summary>
/// Go's <c>strconv.Quote</c> (the <c>%q</c> verb), which Prometheus' rule errors use for group, rule, label and
/// annotation names: double quotes, backslash escapes, printable Unicode kept as is.
/// </summary>
internal static class GoQuote
{
    /// <summary>Quotes <paramref name="s"/> as Go's <c>%q</c> does.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            AppendRune(sb, rune);
        }

        return sb.Append('"').ToString();
    }

    private static void AppendRune(StringBuilder sb, Rune r)
    {
        switch (r.Value)
        {
            case '"': sb.Append("\\\""); return;
            case '\\': sb.Append("\\\\"); return;
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }

        if (IsPrint(r))
        {
            sb.Append(r.ToString());
        }
        else if (r.Value < ' ' || r.Value == 0x7f)
        {
            sb.Append("\\x").Append(r.Value.ToString("x2", CultureInfo.InvariantCulture));
        }
        else if (r == Rune.ReplacementChar)
        {
            // A lone surrogate (EnumerateRunes yields U+FFFD for it) is Go's invalid UTF-8 byte.
            sb.Append("\\ufffd");
        }
        else
        {
            sb.Append(r.Value < 0x10000 ? "\\u" : "\\U").Append(r.Value.ToString(r.Value < 0x10000 ? "x4" : "x8", CultureInfo.InvariantCulture));
        }
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune r) => r.Value == ' ' || Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.SpaceSeparator => false,
        _ => true,
    };
}
