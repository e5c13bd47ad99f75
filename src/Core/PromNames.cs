namespace MetricsCluster.Core;

/// <summary>
/// Prometheus' legacy name rules (<c>model.IsValidMetricName</c>, <c>model.LabelName.IsValid</c>,
/// <c>model.LabelValue.IsValid</c>), on strings. The span-based checks of the write path stay where the bytes are
/// (the distributor's series validator); this is for configuration and API inputs.
/// </summary>
public static class PromNames
{
    /// <summary>Whether <paramref name="name"/> matches <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    /// <param name="name">The label name.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidLabelName(string name) => IsValid(name, colons: false);

    /// <summary>Whether <paramref name="name"/> matches <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    /// <param name="name">The metric name.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidMetricName(string name) => IsValid(name, colons: true);

    /// <summary>
    /// Whether <paramref name="value"/> is valid UTF-8, i.e. as a .NET string, has no unpaired surrogate (the one way
    /// a string decoded from YAML or JSON escapes can hold what UTF-8 cannot encode).
    /// </summary>
    /// <param name="value">The label value.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidLabelValue(string value) => !HasLoneSurrogate(value);

    private static bool IsValid(string name, bool colons)
    {
        if (name.Length == 0)
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (colons && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }
}
