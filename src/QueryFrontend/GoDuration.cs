using System.Globalization;
using System.Text;

namespace MetricsCluster.QueryFrontend;

/// <summary>Go's <c>time.Duration.String</c> for whole milliseconds (<c>721h0m0s</c>, <c>1m30.5s</c>, <c>250ms</c>), as Mimir's messages print durations.</summary>
internal static class GoDuration
{
    public static string Format(long ms)
    {
        if (ms == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (ms < 0)
        {
            sb.Append('-');
            ms = -ms;
        }

        if (ms < 1000)
        {
            return sb.Append(ms.ToString(CultureInfo.InvariantCulture)).Append("ms").ToString();
        }

        long hours = ms / 3_600_000;
        long minutes = ms / 60_000 % 60;
        long seconds = ms / 1000 % 60;
        long fraction = ms % 1000;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        sb.Append(seconds.ToString(CultureInfo.InvariantCulture));
        if (fraction > 0)
        {
            sb.Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        return sb.Append('s').ToString();
    }
}
