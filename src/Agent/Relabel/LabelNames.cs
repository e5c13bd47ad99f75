namespace MetricsCluster.Agent.Relabel;

/// <summary>Prometheus' legacy label-name rule (model.LabelName.IsValid): <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
public static class LabelNames
{
    /// <summary>Whether <paramref name="name"/> is a valid label name.</summary>
    public static bool IsValid(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
