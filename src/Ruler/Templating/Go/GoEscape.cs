using MetricsCluster.Core;
using System.Globalization;
using System.Text;

namespace MetricsCluster.Ruler.Templating.Go;

/// <summary>The escapers of text/template's <c>html</c> and <c>js</c> (<c>urlquery</c> is Core's <see cref="GoUrl.QueryEscape"/>).</summary>
internal static class GoEscape
{
    private const string UpperHex = "0123456789ABCDEF";

    /// <summary>Go's <c>template.HTMLEscapeString</c>.</summary>
    public static string Html(string s)
    {
        if (s.AsSpan().IndexOfAny("'\"&<>\0") < 0)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                '\0' => "\uFFFD",
                '"' => "&#34;",
                '\'' => "&#39;",
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => null,
            } ?? c.ToString());
        }

        return sb.ToString();
    }

    /// <summary>Go's <c>template.JSEscapeString</c>.</summary>
    public static string Js(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        for (int i = 0; i < s.Length;)
        {
            int r = GoText.RuneAt(s, i, out int w);
            i += w;
            if (r < 0x80)
            {
                switch (r)
                {
                    case '\\': sb.Append(@"\\"); continue;
                    case '\'': sb.Append(@"\'"); continue;
                    case '"': sb.Append("\\\""); continue;
                    case '<': sb.Append(@"\u003C"); continue;
                    case '>': sb.Append(@"\u003E"); continue;
                    case '&': sb.Append(@"\u0026"); continue;
                    case '=': sb.Append(@"\u003D"); continue;
                }

                if (r < ' ')
                {
                    sb.Append(@"\u00").Append(UpperHex[r >> 4]).Append(UpperHex[r & 0xF]);
                }
                else
                {
                    sb.Append((char)r);
                }
            }
            else if (GoText.IsPrint(r))
            {
                sb.Append(char.ConvertFromUtf32(r));
            }
            else
            {
                sb.Append("\\u").Append(r.ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
