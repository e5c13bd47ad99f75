using System.Text.RegularExpressions;

namespace MetricsCluster.PromQL.Tests.Scripts;

/// <summary>
/// Prometheus duration syntax (<c>model.ParseDuration</c>): integer+unit groups in descending order
/// (<c>y w d h m s ms</c>), or a bare <c>0</c>. Results are milliseconds.
/// </summary>
public static partial class ScriptDuration
{
    private static readonly (string Unit, long Ms)[] s_units =
    [
        ("y", 365L * 24 * 3600 * 1000), ("w", 7L * 24 * 3600 * 1000), ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000), ("m", 60L * 1000), ("s", 1000L), ("ms", 1L),
    ];

    [GeneratedRegex(@"^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationRegex();

    /// <summary>Parses an unsigned duration; false for empty, malformed or overflowing input.</summary>
    public static bool TryParse(string s, out long ms)
    {
        ms = 0;
        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        var m = DurationRegex().Match(s);
        if (!m.Success)
        {
            return false;
        }

        try
        {
            checked
            {
                for (int i = 0; i < s_units.Length; i++)
                {
                    var g = m.Groups[i + 1];
                    if (g.Success)
                    {
                        ms += long.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture) * s_units[i].Ms;
                    }
                }
            }
        }
        catch (OverflowException)
        {
            return false;
        }

        return true;
    }

    /// <summary>Parses a duration with an optional leading sign (used by <c>@st</c> lines: <c>-1m</c>, <c>-0ms</c>).</summary>
    public static bool TryParseSigned(string s, out long ms)
    {
        ms = 0;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            if (!TryParse(s[1..], out var v))
            {
                return false;
            }

            ms = s[0] == '-' ? -v : v;
            return true;
        }

        return TryParse(s, out ms);
    }
}
