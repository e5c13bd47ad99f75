namespace MetricsCluster.ObjectStore;

/// <summary>Validation and normalisation of keys and listing prefixes (see <see cref="IBucket"/>).</summary>
public static class ObjectKey
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a valid object key.</summary>
    /// <param name="key">The key to check.</param>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValidPath(key))
        {
            throw new ArgumentException(
                $"invalid object key '{key}': keys are '/'-separated, non-empty, without a leading or trailing '/', empty, '.' or '..' segments, or NUL", nameof(key));
        }
    }

    /// <summary>
    /// Turns a listing prefix into a directory prefix: empty for the root, otherwise a valid path plus a
    /// trailing '/'.
    /// </summary>
    /// <param name="prefix">The prefix, with or without a trailing '/'.</param>
    /// <returns>The normalised prefix.</returns>
    public static string NormalizeDirectory(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return string.Empty;
        }

        string trimmed = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        if (!IsValidPath(trimmed))
        {
            throw new ArgumentException($"invalid listing prefix '{prefix}'", nameof(prefix));
        }

        return trimmed + "/";
    }

    private static bool IsValidPath(string key)
    {
        if (key.Length == 0 || key.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                return false;
            }
        }

        return true;
    }
}
