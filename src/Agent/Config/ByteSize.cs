using System.Globalization;
using System.Text.RegularExpressions;

namespace MetricsCluster.Agent.Config;

/// <summary>
/// Byte sizes as Prometheus reads <c>body_size_limit</c> (alecthomas/units.ParseBase2Bytes): a number and a
/// unit from B, KB/KiB, MB/MiB, GB/GiB, TB/TiB, PB/PiB, EB/EiB, all powers of 1024, optionally repeated
/// (<c>1GB512MB</c>), or a bare <c>0</c>.
/// </summary>
public static partial class ByteSize
{
    /// <summary>Parses <paramref name="s"/> into bytes.</summary>
    public static bool TryParse(string s, out long bytes)
    {
        bytes = 0;
        if (s == "0")
        {
            return true;
        }

        var parts = Part().Matches(s);
        if (parts.Count == 0 || parts.Sum(p => p.Length) != s.Length)
        {
            return false;
        }

        double total = 0;
        foreach (Match p in parts)
        {
            double n = double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture);
            int power = "BKMGTPE".IndexOf(char.ToUpperInvariant(p.Groups[2].Value[0]), StringComparison.Ordinal);
            total += n * Math.Pow(1024, power);
        }

        if (total >= long.MaxValue)
        {
            return false;
        }

        bytes = (long)total;
        return true;
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(B|[KMGTPE]i?B)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
