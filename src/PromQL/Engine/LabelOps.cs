using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.PromQL.Engine;

/// <summary>
/// A set of label names for keep/drop operations, held as UTF-8 so filtering compares spans without decoding.
/// </summary>
internal sealed class LabelNameSet
{
    private readonly byte[][] _names;

    /// <summary>Creates the set; <paramref name="withMetricName"/> adds <c>__name__</c>.</summary>
    public LabelNameSet(IEnumerable<string> names, bool withMetricName = false)
    {
        var all = names.ToList();
        if (withMetricName)
        {
            all.Add(LabelOps.MetricName);
        }

        _names = all.Distinct(StringComparer.Ordinal).Select(Encoding.UTF8.GetBytes).ToArray();
    }

    /// <summary>True when <paramref name="name"/> is in the set.</summary>
    public bool Contains(ReadOnlySpan<byte> name)
    {
        foreach (var n in _names)
        {
            if (name.SequenceEqual(n))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Label-set transformations of the engine (Prometheus' <c>labels.Builder</c> uses).</summary>
internal static class LabelOps
{
    /// <summary>The metric name label.</summary>
    public const string MetricName = "__name__";

    /// <summary>The set holding only <c>__name__</c>.</summary>
    public static readonly LabelNameSet NameOnly = new([], withMetricName: true);

    /// <summary>The labels without <c>__name__</c>.</summary>
    public static Labels DropMetricName(Labels l) => l.TryGetValue("__name__"u8, out _) ? Filter(l, NameOnly, keep: false) : l;

    /// <summary>Keeps (<paramref name="keep"/>) or removes the labels named in <paramref name="names"/>.</summary>
    public static Labels Filter(Labels l, LabelNameSet names, bool keep)
    {
        var buf = new ValueBuffer(l.Bytes.Length + 8);
        try
        {
            foreach (var p in l)
            {
                if (names.Contains(p.Name) == keep)
                {
                    LabelsEncoding.WritePair(ref buf, p.Name, p.Value);
                }
            }

            return buf.Length == l.Bytes.Length ? l : Labels.FromEncoded(buf.Written);
        }
        finally
        {
            buf.Dispose();
        }
    }

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>; an empty value removes the label.</summary>
    public static Labels Set(Labels l, string name, string value) => new LabelsBuilder(l).Set(name, value).Build();

    /// <summary>The value of <paramref name="name"/>, or "" when absent.</summary>
    public static string Get(Labels l, string name) => l.Get(name);

    /// <summary>Prometheus' <c>labels.Labels.Hash</c>: xxHash64 over <c>name 0xff value 0xff</c> for each pair (used by limit_ratio).</summary>
    public static ulong PrometheusHash(Labels l)
    {
        var buf = new ValueBuffer(l.Bytes.Length + 16);
        try
        {
            Span<byte> sep = [0xff];
            foreach (var p in l)
            {
                buf.Write(p.Name);
                buf.Write(sep);
                buf.Write(p.Value);
                buf.Write(sep);
            }

            return XxHash64.Hash(buf.Written);
        }
        finally
        {
            buf.Dispose();
        }
    }

    /// <summary>True for valid label names (<c>[a-zA-Z_][a-zA-Z0-9_]*</c>, Prometheus' legacy check used by the functions).</summary>
    public static bool IsValidLabelName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
