using System.Text;

namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>Go's <c>strings.Title</c>, <c>ToUpper</c> and <c>ToLower</c>: rune by rune, with simple case mappings.</summary>
internal static class GoStrings
{
    // .NET's invariant casing leaves the Turkish dotted and dotless i alone; Go's tables map them to ASCII i and I.
    private const int DottedCapitalI = 0x0130;
    private const int DotlessI = 0x0131;

    /// <summary>Go's deprecated <c>strings.Title</c>: title-cases each rune that follows a separator.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        int prev = ' ';
        for (int i = 0; i < s.Length;)
        {
            int r = GoText.RuneAt(s, i, out int w);
            i += w;
            sb.Append(char.ConvertFromUtf32(IsSeparator(prev) ? ToTitle(r) : r));
            prev = r;
        }

        return sb.ToString();
    }

    /// <summary>Go's <c>strings.ToUpper</c>.</summary>
    public static string ToUpper(string s) => Map(s, r => r.Value == DotlessI ? new Rune('I') : Rune.ToUpperInvariant(r));

    /// <summary>Go's <c>strings.ToLower</c>.</summary>
    public static string ToLower(string s) => Map(s, r => r.Value == DottedCapitalI ? new Rune('i') : Rune.ToLowerInvariant(r));

    private static string Map(string s, Func<Rune, Rune> f)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var r in s.EnumerateRunes())
        {
            sb.Append(f(r).ToString());
        }

        return sb.ToString();
    }

    // Go's unicode.ToTitle differs from ToUpper only for the Latin digraphs, whose title case is their middle form.
    private static int ToTitle(int r) => r switch
    {
        0x01C4 or 0x01C5 or 0x01C6 => 0x01C5,
        0x01C7 or 0x01C8 or 0x01C9 => 0x01C8,
        0x01CA or 0x01CB or 0x01CC => 0x01CB,
        0x01F1 or 0x01F2 or 0x01F3 => 0x01F2,
        DotlessI => 'I',
        _ when Rune.IsValid(r) => Rune.ToUpperInvariant(new Rune(r)).Value,
        _ => r,
    };

    private static bool IsSeparator(int r)
    {
        if (r <= 0x7F)
        {
            // ASCII alphanumerics and underscore are not separators; other ASCII characters are.
            return !(char.IsAsciiLetterOrDigit((char)r) || r == '_');
        }

        if (!Rune.IsValid(r))
        {
            return false;
        }

        var rune = new Rune(r);
        return !Rune.IsLetter(rune) && !Rune.IsDigit(rune) && Rune.IsWhiteSpace(rune);
    }
}
