using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MetricsCluster.Ruler.RuleFiles.Yaml;

/// <summary>
/// yaml.v3's resolution of plain scalars to tags (its <c>resolve.go</c>): YAML 1.2's core schema, where only
/// <c>true</c>/<c>false</c> (three spellings each) are booleans. The tag matters only for error messages and for
/// which scalars decode to an integer or to nothing.
/// </summary>
internal static partial class ScalarTags
{
    public const string Null = "!!null";
    public const string Str = "!!str";
    public const string Int = "!!int";
    public const string Float = "!!float";
    public const string Bool = "!!bool";

    private const string YamlTagPrefix = "tag:yaml.org,2002:";

    /// <summary>The tag of <paramref name="s"/>: its explicit tag, <c>!!str</c> when quoted, else resolved from its text.</summary>
    public static string Resolve(Scalar s)
    {
        if (!s.Tag.IsEmpty && !s.Tag.IsNonSpecific)
        {
            string tag = s.Tag.Value;
            return tag.StartsWith(YamlTagPrefix, StringComparison.Ordinal) ? "!!" + tag[YamlTagPrefix.Length..] : tag;
        }

        return s.Style is ScalarStyle.Plain or ScalarStyle.Any ? ResolvePlainText(s.Value) : Str;
    }

    /// <summary>Parses an integer as yaml.v3 does for <c>int</c> fields: decimal, or <c>0x</c>/<c>0o</c>/<c>0b</c> prefixed.</summary>
    public static bool TryParseInt(string text, out long value)
    {
        value = 0;
        string t = text.Replace("_", string.Empty, StringComparison.Ordinal);
        bool negative = t.StartsWith('-');
        string digits = t.TrimStart('-', '+');
        if (t.Length - digits.Length > 1)
        {
            return false;
        }

        bool ok = digits.Length > 2 && digits[0] == '0' && char.IsAsciiLetter(digits[1])
            ? TryParsePrefixed(digits, out value)
            : long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        value = negative ? -value : value;
        return ok;
    }

    /// <summary>The tag a plain (unquoted) scalar with this text resolves to.</summary>
    public static string ResolvePlainText(string v) => v switch
    {
        "" or "~" or "null" or "Null" or "NULL" => Null,
        "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => Bool,
        ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF" or ".nan" or ".NaN" or ".NAN" => Float,
        _ when TryParseInt(v, out _) => Int,
        _ when FloatPattern().IsMatch(v) => Float,
        _ => Str,
    };

    private static bool TryParsePrefixed(string digits, out long value)
    {
        value = 0;
        int radix = char.ToLowerInvariant(digits[1]) switch { 'x' => 16, 'o' => 8, 'b' => 2, _ => 0 };
        if (radix == 0)
        {
            return false;
        }

        try
        {
            value = Convert.ToInt64(digits[2..], radix);
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
