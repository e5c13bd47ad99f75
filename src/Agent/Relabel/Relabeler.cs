using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.Relabel;

/// <summary>
/// Applies relabel rules in order, as Prometheus' relabel.Process does. Not a hot path at target level; for
/// metric relabeling the scrape loop caches results per raw series (G13), so this favours clarity.
/// </summary>
public static class Relabeler
{
    /// <summary>Relabels <paramref name="labels"/>; returns null when a rule drops the set.</summary>
    public static Labels? Process(Labels labels, IReadOnlyList<RelabelConfig> configs)
    {
        if (configs.Count == 0)
        {
            return labels;
        }

        var lb = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in labels.Pairs())
        {
            lb[k] = v;
        }

        foreach (var cfg in configs)
        {
            if (!Apply(cfg, lb))
            {
                return null;
            }
        }

        var b = new LabelsBuilder();
        foreach (var (k, v) in lb)
        {
            b.Set(k, v);
        }

        return b.Build();
    }

    /// <summary>Returns a function for the scrape loop's metric relabeling hook.</summary>
    public static Func<Labels, Labels?> For(IReadOnlyList<RelabelConfig> configs) =>
        configs.Count == 0 ? static l => l : l => Process(l, configs);

    private static bool Apply(RelabelConfig cfg, Dictionary<string, string> lb)
    {
        string val = Join(cfg, lb);
        switch (cfg.Action)
        {
            case RelabelAction.Drop:
                return !cfg.CompiledRegex.IsMatch(val);
            case RelabelAction.Keep:
                return cfg.CompiledRegex.IsMatch(val);
            case RelabelAction.DropEqual:
                return Get(lb, cfg.TargetLabel) != val;
            case RelabelAction.KeepEqual:
                return Get(lb, cfg.TargetLabel) == val;
            case RelabelAction.Replace:
                Replace(cfg, val, lb);
                return true;
            case RelabelAction.Lowercase:
                Set(lb, cfg.TargetLabel, val.ToLowerInvariant());
                return true;
            case RelabelAction.Uppercase:
                Set(lb, cfg.TargetLabel, val.ToUpperInvariant());
                return true;
            case RelabelAction.HashMod:
                Set(lb, cfg.TargetLabel, HashMod(val, cfg.Modulus).ToString(CultureInfo.InvariantCulture));
                return true;
            case RelabelAction.LabelMap:
                foreach (var (name, value) in Snapshot(lb))
                {
                    if (cfg.CompiledRegex.Match(name) is { } m)
                    {
                        Set(lb, cfg.CompiledRegex.Expand(cfg.Replacement, m), value);
                    }
                }

                return true;
            case RelabelAction.LabelDrop:
            case RelabelAction.LabelKeep:
                bool dropMatching = cfg.Action == RelabelAction.LabelDrop;
                foreach (var (name, _) in Snapshot(lb))
                {
                    if (cfg.CompiledRegex.IsMatch(name) == dropMatching)
                    {
                        lb.Remove(name);
                    }
                }

                return true;
            default:
                throw new InvalidOperationException($"relabel: unknown relabel action type {cfg.Action}");
        }
    }

    private static void Replace(RelabelConfig cfg, string val, Dictionary<string, string> lb)
    {
        // Prometheus' fast path: nothing to match against, so the replacement is taken literally.
        if (val.Length == 0 && cfg.HasDefaultRegex && !cfg.TargetLabel.Contains('$') && !cfg.Replacement.Contains('$'))
        {
            Set(lb, cfg.TargetLabel, cfg.Replacement);
            return;
        }

        if (cfg.CompiledRegex.Match(val) is not { } m)
        {
            return;
        }

        string target = cfg.CompiledRegex.Expand(cfg.TargetLabel, m);
        if (!LabelNames.IsValid(target))
        {
            return;
        }

        Set(lb, target, cfg.CompiledRegex.Expand(cfg.Replacement, m));
    }

    /// <summary>Prometheus' hashmod: md5 of the value, bytes 8..16 as a big-endian uint64, modulo.</summary>
    internal static ulong HashMod(string val, ulong modulus)
    {
        Span<byte> hash = stackalloc byte[16];
#pragma warning disable CA5351 // MD5 is what Prometheus uses; this is sharding, not security.
        MD5.HashData(Encoding.UTF8.GetBytes(val), hash);
#pragma warning restore CA5351
        return BinaryPrimitives.ReadUInt64BigEndian(hash[8..]) % modulus;
    }

    private static string Join(RelabelConfig cfg, Dictionary<string, string> lb)
    {
        var src = cfg.SourceLabels;
        if (src is null || src.Count == 0)
        {
            return string.Empty;
        }

        if (src.Count == 1)
        {
            return Get(lb, src[0]);
        }

        return string.Join(cfg.Separator, src.Select(s => Get(lb, s)));
    }

    private static string Get(Dictionary<string, string> lb, string name) => lb.GetValueOrDefault(name, string.Empty);

    // As labels.Builder.Set: an empty value deletes the label.
    private static void Set(Dictionary<string, string> lb, string name, string value)
    {
        if (value.Length == 0)
        {
            lb.Remove(name);
        }
        else
        {
            lb[name] = value;
        }
    }

    private static List<KeyValuePair<string, string>> Snapshot(Dictionary<string, string> lb)
    {
        var list = lb.ToList();
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }
}
