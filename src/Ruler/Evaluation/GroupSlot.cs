using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.Ruler.Evaluation;

/// <summary>
/// Where in its interval a group evaluates: Prometheus' <c>Group.hash() % interval</c>, the xxHash64 of the label set
/// <c>{file="&lt;namespace&gt;", name="&lt;group&gt;"}</c> in Prometheus' hashing layout (name 0xff value 0xff …) modulo
/// the interval in nanoseconds. The same group name and file therefore evaluate at the same instants here as in
/// Prometheus, which is what lets the two be compared sample for sample.
/// </summary>
public static class GroupSlot
{
    /// <summary>The offset (ms, truncated as Prometheus truncates its nanosecond slot to a sample timestamp).</summary>
    public static long OffsetMs(string file, string name, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(name);
        ulong intervalNs = (ulong)interval.Ticks * 100;
        if (intervalNs == 0)
        {
            return 0;
        }

        // Labels sort by name: "file" < "name".
        var buf = new List<byte>(16 + file.Length + name.Length);
        Append(buf, "file");
        Append(buf, file);
        Append(buf, "name");
        Append(buf, name);
        ulong hash = XxHash64.Hash(buf.ToArray());
        return (long)(hash % intervalNs / 1_000_000);
    }

    private static void Append(List<byte> buf, string s)
    {
        buf.AddRange(Encoding.UTF8.GetBytes(s));
        buf.Add(0xff);
    }
}
