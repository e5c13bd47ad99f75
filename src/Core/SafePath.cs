namespace MetricsCluster.Core;

/// <summary>
/// Builds filesystem paths from untrusted parts (tenant ids, object keys) so that the result can never leave its
/// root: every path the process derives from a tenant id goes through here, whatever validated the id before, so
/// a validation gap (or a new caller that forgot it) fails loudly instead of writing outside the data directory.
/// </summary>
/// <remarks>
/// The check is lexical (<see cref="Path.GetFullPath(string)"/> then an ordinal prefix test with a trailing
/// separator, so <c>/data/tsdb</c> does not admit <c>/data/tsdb-evil</c>); it does not resolve symbolic links, which
/// only the operator can create inside the data directory.
/// </remarks>
public static class SafePath
{
    /// <summary>
    /// Combines <paramref name="root"/> with <paramref name="parts"/> and returns the absolute result, which is
    /// strictly below <paramref name="root"/>.
    /// </summary>
    /// <param name="root">The directory the result must stay under.</param>
    /// <param name="parts">Relative path parts, e.g. a tenant id and a file name.</param>
    /// <returns>The absolute path.</returns>
    /// <exception cref="UnsafePathException">A part is absolute, contains NUL, or the result is not below the root.</exception>
    public static string Combine(string root, params ReadOnlySpan<string> parts)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string fullRoot = Path.GetFullPath(root);
        string prefix = Path.EndsInDirectorySeparator(fullRoot) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
        string combined = fullRoot;
        foreach (string part in parts)
        {
            ArgumentNullException.ThrowIfNull(part);

            // Path.Combine silently drops everything before an absolute part; GetFullPath throws a vaguer error on NUL.
            if (part.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(part))
            {
                throw new UnsafePathException(root, parts);
            }

            combined = Path.Combine(combined, part);
        }

        string full = Path.GetFullPath(combined);
        if (!full.StartsWith(prefix, StringComparison.Ordinal) || full.Length == prefix.Length)
        {
            throw new UnsafePathException(root, parts);
        }

        return full;
    }
}
