using MetricsCluster.Agent.Discovery;
using MetricsCluster.Agent.Relabel;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.Config;

/// <summary>Reads target groups in their YAML form (<c>targets</c> + <c>labels</c>), for static_configs and file_sd files.</summary>
internal static class StaticConfigReader
{
    public static TargetGroup ReadGroup(YamlMap m, string source, IEnumerable<KeyValuePair<string, string>>? extraLabels = null)
    {
        var targets = m.StrList("targets") ?? [];
        var labels = new LabelsBuilder();
        foreach (var (name, value) in m.StrMap("labels") ?? [])
        {
            if (!LabelNames.IsValid(name))
            {
                m.Fail("labels", $"\"{name}\" is not a valid label name");
            }

            labels.Set(name, value);
        }

        m.Done();
        foreach (var (name, value) in extraLabels ?? [])
        {
            labels.Set(name, value);
        }

        var list = targets.Select(t => Labels.FromStrings(TargetGroup.AddressLabel, t)).ToList();
        return new TargetGroup(source, list, labels.Build());
    }
}
